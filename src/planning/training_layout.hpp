#pragma once

#include <memory>

#include "hardware/system.hpp"
#include "model/architecture.hpp"
#include "scenario/session.hpp"
#include "training/step_model.hpp"

namespace xpusim::planning {

// The fastest feasible training layout of a model on `gpus` GPUs of a system at a sequence length
// and global batch: the one seam through which `fleet run` (without a given layout) and the
// `training` H100-equivalents choose layouts. Today it is the built-in enumeration over tp, pp,
// micro-batch and recompute (fleet::fastest_training_layout) on the session's cached step model;
// the layout search replaces it here and nowhere else.
// Contract: const and thread-safe; feasible == false with a reason when nothing fits; never throws
// for a layout that does not fit.
training::StepResult best_training_layout(const scenario::Session& session,
                                          const std::shared_ptr<const model::Architecture>& model,
                                          const std::shared_ptr<const hardware::System>& system, long long gpus,
                                          long long seq_len, long long global_batch);

}  // namespace xpusim::planning
