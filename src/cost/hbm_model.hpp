#pragma once

#include "hardware/chip.hpp"
#include "memory/analytical.hpp"
#include "memory/timing_set.hpp"

namespace xpusim::cost {

// The memory layer's analytical HBM model of a chip: the one every CostModel of the CLI, the
// step model and the kernels suite use, so they all see the same DRAM efficiencies.
memory::AnalyticalModel hbm_model_for(const hardware::Chip& chip, const memory::TimingCatalog& timings);

}  // namespace xpusim::cost
