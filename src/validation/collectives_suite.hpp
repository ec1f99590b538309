#pragma once

#include <filesystem>

#include "core/validation.hpp"
#include "hardware/catalog.hpp"

namespace xpusim::validation {

// `xpusim validate --suite collectives`: nccl-tests bus bandwidths of data/validation/
// nccl_collectives.csv (rows of ../shared/refdata/gpu_kernels.csv with their sources) against the
// collective model on the named catalog system. Rows marked `fit` calibrated dgx-a100/dgx-h100;
// `held-out` rows (H200 on hgx-h200, whose values are carried over from dgx-h100) are the check.
// Contract: informative tolerance, held-out median |error| <= 15%; a malformed row or an unknown
// system or collective is a core::Error naming file:line.
core::ValidationSuite collectives_suite(const hardware::Catalog& catalog, const std::filesystem::path& data_dir);

}  // namespace xpusim::validation
