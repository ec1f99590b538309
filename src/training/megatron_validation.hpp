#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/validation.hpp"
#include "hardware/catalog.hpp"
#include "training/layout.hpp"

namespace xpusim::training {

// One row of Narayanan et al. 2021 ("Efficient Large-Scale Language Model Training on GPU Clusters
// Using Megatron-LM", SC21) Table 1: a GPT model, its layout on Selene and the TFLOP/s per GPU.
struct MegatronRow {
  std::string id;
  double params_billion = 0;
  long long heads = 0, hidden = 0, layers = 0;
  int tp = 1, pp = 1, dp = 1;
  long long gpus = 0, global_batch = 0, seq_len = 0, vocab = 0;
  double published_tflops = 0;
};

// Reads data/validation/megatron2021_table1.csv (a copy of ../shared/refdata with its source).
std::vector<MegatronRow> load_megatron2021_table(const std::filesystem::path& csv);

// The paper's FLOP count per iteration (Sec. 5.1): 96*B*s*l*h^2*(1 + s/(6h) + V/(16*l*h)); it
// counts the recomputed forward pass, so it is compared with hardware-like FLOPs.
double megatron_flops_per_iteration(const MegatronRow& row);

// Megatron-LM of 2021 on Selene: full recomputation, no sequence parallelism, no flash attention,
// fp16 gradients all-reduced after the backward (not overlapped), blocking pipeline p2p with the
// scatter/gather optimisation, no distributed optimizer.
Layout megatron2021_layout(const MegatronRow& row, long long micro_batch, int vpp);

// The layout the paper's authors ran for a Table 1 row (NVIDIA/Megatron-LM
// examples/sc21/run_table_1.sh): its micro-batch size, interleaving degree, and PyTorch DDP
// (gradient all-reduce overlapped with the backward) for the rows without pipelining.
// Throws core::Error for a row id outside M21-1..M21-10.
Layout megatron2021_script_layout(const MegatronRow& row);

// Mean |error| over every case, calibration rows included (the suite's own statistics cover
// held-out rows only).
double megatron2021_mean_abs_error_all_rows(const core::ValidationSuite& suite);

// `xpusim validate --suite megatron2021`: every row predicted on dgx-a100 with its script layout,
// compared through the paper's formula. Rows M21-1,3,5,7,9 calibrate dgx-a100's
// sustained_clock_fraction (marked calibration), the others are held out.
// Contract: held to every row within 10% and mean |error| <= 5% over held-out rows and over all rows.
core::ValidationSuite megatron2021_suite(const hardware::Catalog& catalog, const std::filesystem::path& data_dir);

}  // namespace xpusim::training
