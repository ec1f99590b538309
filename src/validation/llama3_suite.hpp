#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/validation.hpp"
#include "hardware/catalog.hpp"
#include "memory/timing_set.hpp"

namespace xpusim::validation {

// One published Llama 3 pre-training run (data/validation/llama3_405b_table4.csv): its layout and
// the TFLOP/s per GPU reported.
struct Llama3Run {
  std::string id, model;
  long long gpus = 0;
  int tp = 1, cp = 1, pp = 1;
  long long seq_len = 0, global_batch = 0;
  double tflops_per_gpu = 0;
};

// Reads the table. Contract: every row names the same model (the suite tunes one recipe for all
// of them); a missing column, a malformed number or a second model is a core::Error naming
// file:line and the column.
std::vector<Llama3Run> load_llama3_runs(const std::filesystem::path& csv);

// `xpusim validate --suite llama3`: the Llama 3 405B pre-training configurations Meta published
// (Grattafiori et al. 2024, "The Llama 3 Herd of Models", arXiv:2407.21783, Table 4: 8,192 and
// 16,384 H100s, TP8 PP16, CP1 at 8K and CP16 at 128K context, 16M tokens per batch), held out:
// nothing was fitted on them. Meta's FLOP convention is not stated; both sides are converted with
// 6*N + 6*l*h*s per token (causal attention), so the comparison is one of step times.
// Contract: informative tolerance, every row within 15%.
core::ValidationSuite llama3_suite(const hardware::Catalog& catalog, const memory::TimingCatalog& timings,
                                   const std::filesystem::path& data_dir);

}  // namespace xpusim::validation
