#pragma once

#include <filesystem>

#include "core/validation.hpp"
#include "hardware/catalog.hpp"
#include "memory/host_access.hpp"
#include "memory/timing_set.hpp"

namespace xpusim::validation {

// The host access parameters the hbm suite fits on its calibration rows (H100): the fabric
// latency from the pointer chase, the window per SM and the knee from the 1-SM and 132-SM copies.
memory::HostAccess fit_host_access(const hardware::Catalog& catalog, const memory::TimingCatalog& timings,
                                   const std::filesystem::path& data_dir);

// Suite `hbm`: (1) device level, every timing set x pattern (random 64 B reads with per-bank,
// all-bank refresh and closed page; stream reads): the simulator against the bound docs/hbm.md
// derives (tFAW per PC, the channel's row and column buses, refresh); (2) GPU level,
// data/validation/hbm_host.csv (H100 pointer chase, copies at 1..528 blocks, paged-KV decode)
// through the host access model, fitted on the rows marked fit. HBM2E / HBM3E cases say that
// their timing set is a scaled estimate.
core::ValidationSuite hbm_suite(const hardware::Catalog& catalog, const memory::TimingCatalog& timings,
                                const std::filesystem::path& data_dir);

}  // namespace xpusim::validation
