#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/dtype.hpp"
#include "core/validation.hpp"
#include "hardware/catalog.hpp"
#include "memory/timing_set.hpp"
#include "model/architecture.hpp"
#include "training/layout.hpp"

namespace xpusim::validation {

// One published end-to-end training run of data/validation/training_runs.csv (a copy of
// ../shared/refdata/training_runs.csv with a `role` column added): the model's shape, the layout,
// the stack's settings the notes state, the published tokens/s per GPU and the row's role.
struct StackRun {
  std::string id, model, gpu, notes;
  long long layers = 0, hidden = 0, ffn = 0, heads = 0, kv_heads = 0, vocab = 0, seq_len = 0;
  long long gpus = 0, global_batch = 0, micro_batch = 0;
  int tp = 1, pp = 1, vp = 1, cp = 1;
  std::string recompute;  // as published or as the recipe sets it: "full", "selective", "none" or empty (not stated)
  std::string optimizer_state;  // Adam state precision the recipe sets: "fp32", "bf16" or empty (the stack's)
  core::Dtype dtype = core::Dtype::kBf16;
  bool fsdp = false;  // zero_stage names FSDP FULL_SHARD
  double tokens_per_s_per_gpu = 0;
  bool calibration = false;  // role column
};

// The tokens_per_s_per_gpu rows whose case_id starts with `prefix`, in file order. Contract: a
// missing column, a malformed number, an unknown dtype or role is a core::Error naming file:line
// and the column.
std::vector<StackRun> load_stack_runs(const std::filesystem::path& csv, const std::string& prefix);

// Fills what the stack's published training recipe of each model sets and the rows do not state
// (recomputation where empty, optimizer-state precision) from `csv` (columns model, recompute,
// optimizer_state, source; data/validation/nemo_recipes.csv). Contract: a bad value is a
// core::Error naming file:line and the column.
void apply_recipes(std::vector<StackRun>& runs, const std::filesystem::path& csv);

// The architecture a row describes (MPT, GPT-3, Llama or Nemotron family, by the model name).
model::Architecture stack_run_architecture(const StackRun& run);

// The layout the row ran, under `stack`, with the recomputation given (the row's when stated).
training::Layout stack_run_layout(const StackRun& run, const training::StackOptions& stack,
                                  training::Recompute recompute);

// `xpusim validate --suite fsdp-a100`: MosaicML llm-foundry / Composer PyTorch FSDP throughput
// tables, MPT 125M-70B on 8-128 A100-40GB/80GB, stack pytorch-fsdp. Calibration rows fitted the
// stack's parameters; held-out rows are reported. Contract: held-out mean |error| <= 8%, max 20%.
core::ValidationSuite fsdp_a100_suite(const hardware::Catalog& catalog, const memory::TimingCatalog& timings,
                                      const std::filesystem::path& data_dir);

// `xpusim validate --suite nemo2407`: NeMo 24.07 DGX-H100 FP8 pre-training performance summary
// (GPT-3, Llama 2/3, Nemotron), stack nemo; calibration rows fitted dgx-h100's
// sustained_clock_fraction. Contract: held-out mean |error| <= 8%, max 20%.
core::ValidationSuite nemo2407_suite(const hardware::Catalog& catalog, const memory::TimingCatalog& timings,
                                     const std::filesystem::path& data_dir);

}  // namespace xpusim::validation
