#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "cost/op_cost.hpp"

namespace xpusim::validation {

// One measured kernel of data/calibration/gpu_kernels.csv (a copy of the GEMM, attention and
// memory rows of the reference gpu_kernels.csv with their sources), plus the columns this project
// added: the catalog chip, the modelled dtype, how the source timed it (kernel | call), the row's
// use (fit | hold | exclude) and why.
struct KernelRow {
  std::string id, family, library, metric, chip, dtype, use, note, direction;
  long long m = 0, n = 0, k = 0, batch = 1, heads = 0, kv_heads = 0, head_dim = 0, seq_len = 0;
  bool causal = false;
  bool kernel_timed = false;  // profiler kernel duration: excludes the host launch overhead
  double value = 0, message_bytes = 0;
  int line = 0;
  bool calibration() const { return use == "fit"; }
  bool excluded() const { return use == "exclude"; }
  std::string_view group() const;       // "gemm" | "attention" | "attention_decode" | "memory"
  std::string_view source_key() const;  // the publication: case id up to its second '_'
};

// Reads the calibration CSV. Contract: every row names a known use; a malformed number or an
// unknown use is a core::Error naming file:line and the column. Excluded rows keep only their
// text columns (their numbers may be blank or not numbers at all).
std::vector<KernelRow> load_kernel_rows(const std::filesystem::path& csv);

// Published and predicted value of one row, in the row's unit (TFLOP/s with the source's FLOP
// convention, us, or GB/s), and the work in FLOPs (0 for memory rows).
struct RowPrediction {
  double published = 0, predicted = 0, work_flops = 0;
  const char* unit = "";
  std::string description;
};
RowPrediction predict_row(const KernelRow& row, const cost::CostModel& model);

}  // namespace xpusim::validation
