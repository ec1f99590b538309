#include "cost/hbm_model.hpp"

namespace xpusim::cost {

memory::AnalyticalModel hbm_model_for(const hardware::Chip& chip, const memory::TimingCatalog& timings) {
  return memory::AnalyticalModel::for_memory_system(chip.memory(), timings);
}

}  // namespace xpusim::cost
