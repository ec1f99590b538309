#pragma once

#include <filesystem>
#include <string>

#include "core/validation.hpp"
#include "hardware/catalog.hpp"
#include "memory/timing_set.hpp"

namespace xpusim::validation {

// `xpusim validate --suite kernels`: every non-excluded row of data/calibration/gpu_kernels.csv
// whose chip is in the catalog, with its role, against the tile-level cost model.
// Contract: passed when the held-out rows of each family meet kernels_tolerance(); rows of chips
// missing from the catalog are counted in the description, not predicted.
core::ValidationSuite kernels_suite(const hardware::Catalog& catalog, const memory::TimingCatalog& timings,
                                    const std::filesystem::path& data_dir);
std::string kernels_tolerance();

}  // namespace xpusim::validation
