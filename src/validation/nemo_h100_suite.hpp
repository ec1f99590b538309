#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/dtype.hpp"
#include "core/validation.hpp"
#include "hardware/catalog.hpp"
#include "memory/timing_set.hpp"

namespace xpusim::validation {

// One Megatron-Bridge DGX-H100 row (data/validation/nemo_h100_performance.csv): model, dtype,
// layout, and the published tokens/s per GPU.
struct NemoRun {
  std::string id, model, dtype_name;  // dtype_name as written in the file
  core::Dtype dtype = core::Dtype::kBf16;
  long long gpus = 0, global_batch = 0, micro_batch = 1, seq_len = 0;
  bool fsdp = false;
  int tp = 1, pp = 1, cp = 1, vp = 1;
  double tokens_per_s_per_gpu = 0;
};

// Reads the table. Contract: a missing column, a malformed number or flag, or an unknown dtype is
// a core::Error naming file:line and the column.
std::vector<NemoRun> load_nemo_h100_runs(const std::filesystem::path& csv);

// `xpusim validate --suite nemo-h100`: the dense DGX-H100 pre-training rows of NVIDIA's
// Megatron-Bridge performance summary (NeMo 25.11 container; docs/performance-summary.md of
// NVIDIA-NeMo/Megatron-Bridge): Llama 3 8B/70B and Llama 3.1 405B in FP8 with their published
// layouts, compared in tokens/s per GPU (no FLOP convention involved). Held out.
// Contract: informative tolerance, every row within 20%.
core::ValidationSuite nemo_h100_suite(const hardware::Catalog& catalog, const memory::TimingCatalog& timings,
                                      const std::filesystem::path& data_dir);

}  // namespace xpusim::validation
