#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "training/layout.hpp"

namespace xpusim::validation {

// One row of Narayanan et al. 2021 ("Efficient Large-Scale Language Model Training on GPU Clusters
// Using Megatron-LM", SC21) Table 1: a GPT model, its layout on Selene and the TFLOP/s per GPU,
// joined with what the authors' script ran for it (data/validation/megatron2021_layouts.csv).
struct MegatronRow {
  std::string id;
  double params_billion = 0;
  long long heads = 0, hidden = 0, layers = 0;
  int tp = 1, pp = 1, dp = 1;
  long long gpus = 0, global_batch = 0, seq_len = 0, vocab = 0;
  double published_tflops = 0;
  // From NVIDIA/Megatron-LM examples/sc21/run_table_1.sh; micro_batch 0: no script row known.
  long long micro_batch = 0;
  int layers_per_virtual_stage = 0;  // 0: plain 1F1B
  bool torch_ddp = false;            // PyTorch DDP (bucketed all-reduce overlapped with the backward)
  bool calibration = false;          // fitted dgx-a100's sustained_clock_fraction
};

// Reads data/validation/megatron2021_table1.csv (a copy of ../shared/refdata with its source): the
// published columns only. Contract: a missing column or a malformed number is a core::Error
// naming file:line and the column.
std::vector<MegatronRow> load_megatron2021_table(const std::filesystem::path& csv);

// Adds the script layout and role of data/validation/megatron2021_layouts.csv to each row.
// Contract: every table row needs exactly one layout row and every layout row a table row; ddp is
// torch or local and role calibration or held-out, else a core::Error naming file:line.
void join_megatron2021_layouts(std::vector<MegatronRow>& rows, const std::filesystem::path& layouts_csv);

// Both files of data_dir/validation joined: what the suite runs.
std::vector<MegatronRow> load_megatron2021_rows(const std::filesystem::path& data_dir);

// The paper's FLOP count per iteration (Sec. 5.1): 96*B*s*l*h^2*(1 + s/(6h) + V/(16*l*h)); it
// counts the recomputed forward pass, so it is compared with hardware-like FLOPs.
double megatron_flops_per_iteration(const MegatronRow& row);

// Megatron-LM of 2021 on Selene: full recomputation, no sequence parallelism, no flash attention,
// fp16 gradients all-reduced after the backward (not overlapped), blocking pipeline p2p with the
// scatter/gather optimisation, no distributed optimizer.
training::Layout megatron2021_layout(const MegatronRow& row, long long micro_batch, int vpp);

// The layout the paper's authors ran for a Table 1 row: its micro-batch size, interleaving degree,
// and PyTorch DDP (gradient all-reduce overlapped with the backward) where the script says so.
// Throws core::Error for a row without script settings (micro_batch 0).
training::Layout megatron2021_script_layout(const MegatronRow& row);

}  // namespace xpusim::validation
