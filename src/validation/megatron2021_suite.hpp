#pragma once

#include <filesystem>

#include "core/validation.hpp"
#include "hardware/catalog.hpp"
#include "memory/timing_set.hpp"

namespace xpusim::validation {

// Mean |error| over every case, calibration rows included (the suite's own statistics cover
// held-out rows only).
double megatron2021_mean_abs_error_all_rows(const core::ValidationSuite& suite);

// `xpusim validate --suite megatron2021`: every row predicted on dgx-a100 with its script layout,
// compared through the paper's formula. The rows whose role is calibration fitted dgx-a100's
// sustained_clock_fraction, the others are held out.
// Contract: held to every row within 10% and mean |error| <= 5% over held-out rows and over all rows.
core::ValidationSuite megatron2021_suite(const hardware::Catalog& catalog, const memory::TimingCatalog& timings,
                                         const std::filesystem::path& data_dir);

}  // namespace xpusim::validation
