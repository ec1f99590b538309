#pragma once

#include "hardware/chip.hpp"
#include "hardware/system.hpp"
#include "report/record.hpp"

namespace xpusim::report {

// Records of `xpusim hw show` / `hw list`: kind, vendor, peak FLOP/s per dtype, memory, power,
// calibration and the source of every number.
Record chip_record(const hardware::Chip& chip, bool with_sources = true);
Record system_record(const hardware::System& system, bool with_sources = true);
// One row per entry for `hw list --format table`: the few columns people compare.
Record chip_summary(const hardware::Chip& chip);
Record system_summary(const hardware::System& system);

}  // namespace xpusim::report
