#include "planning/training_layout.hpp"

#include "fleet/training_layouts.hpp"

namespace xpusim::planning {

training::StepResult best_training_layout(const scenario::Session& session,
                                          const std::shared_ptr<const model::Architecture>& model,
                                          const std::shared_ptr<const hardware::System>& system, long long gpus,
                                          long long seq_len, long long global_batch) {
  const auto step_model = session.step_model(model, system);
  return fleet::fastest_training_layout(*step_model, gpus, seq_len, global_batch);
}

}  // namespace xpusim::planning
