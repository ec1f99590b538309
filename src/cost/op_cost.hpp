#pragma once

#include <optional>
#include <string_view>

#include "core/dtype.hpp"
#include "hardware/chip.hpp"
#include "hardware/sourced.hpp"
#include "memory/host_access.hpp"
#include "model/operator.hpp"

namespace xpusim::cost {

enum class Bound { kCompute, kMemory, kLatency };

// Predicted cost of one operator on one chip.
struct OpCost {
  double time_s = 0;
  double flops = 0;
  double bytes = 0;  // HBM traffic
  Bound bound = Bound::kCompute;
  double efficiency = 0;  // achieved / peak of the bounding resource
  // How the kernel was laid out (GEMM: CTA tile, split-K, waves; attention: query-tile waves).
  int tile_m = 0, tile_n = 0, split_k = 0;
  long long tiles = 0, waves = 0;
  double achieved_flops_per_s() const { return time_s > 0 ? flops / time_s : 0.0; }
};

// Flash-attention kernel generation, each with its own MMA efficiency and softmax overlap:
// FA2 (mma.sync, any NVIDIA GPU since Ampere) and FA3 (Hopper wgmma, warp-specialised).
enum class AttentionKernel { kChipDefault, kFlash2, kFlash3 };

// Every calibration value the cost model uses, read once from the chip (or set by a fitter).
// Names match calibration_schema(); see docs/cost_model.md for what each one means.
struct CostParams {
  double gemm_mainloop_efficiency = 0.8;      // tensor-core utilisation inside the K-loop, 16-bit
  double gemm_mainloop_efficiency_fp8 = 0.7;  // same for 8-bit inputs
  double gemm_tile_overhead_cycles = 3000;    // per CTA tile: pipeline prologue + epilogue
  double l2_bandwidth = 12e12;                // L2 -> SM operand delivery, bytes/s (whole chip)
  double gemm_overlap_exponent = 4;           // roofline knee sharpness (load pipeline depth)
  double kernel_launch_overhead = 4e-6;       // per kernel, seconds
  double hbm_fabric_efficiency = 0.85;        // achieved / DRAM-level estimate for kernels' streams
  double hbm_stream_efficiency = 0.92;        // DRAM-level read-stream efficiency without a memory model
  double attention_kernel_generation = 2;     // 2: FA2-style, 3: FA3-style
  double attention_fa2_efficiency = 0.75;     // MMA utilisation in the FA2 forward K/V loop
  double attention_fa3_efficiency = 0.75;     // same for FA3
  double attention_bwd_efficiency_ratio = 0.8;  // backward MMA utilisation / forward
  double attention_fa2_softmax_overlap = 0.5;  // fraction of the softmax hidden under the MMAs, FA2
  double attention_fa3_softmax_overlap = 0.5;  // same for FA3
  double attention_softmax_cycles_per_element = 0.0625;  // per SM, per score element (exp, max, sum)
  double attention_tile_overhead_cycles = 2000;  // per query tile: load Q, rescale and store O
  // Software setting, not calibration: tokens per paged-KV block (vLLM default 16).
  double kv_page_tokens = 16;

  static CostParams from_chip(const hardware::Chip& chip);
};

// Operator costs on one chip. Built once per chip (reads its calibration), then cheap to query.
// Contract: every efficiency used is a named calibration parameter of the chip (see
// calibration_schema()); queries are pure functions of the shape and never allocate.
// `hbm`, when given, supplies the DRAM-level efficiency of read/write streams (memory layer's
// analytical model); otherwise the chip's `hbm_stream_efficiency` stands in for it.
class CostModel {
 public:
  explicit CostModel(const hardware::Chip& chip, const memory::AnalyticalModel* hbm = nullptr);
  CostModel(const hardware::Chip& chip, const CostParams& params, const memory::AnalyticalModel* hbm = nullptr);

  OpCost gemm(const model::GemmShape& shape, core::Dtype dtype) const;
  OpCost grouped_gemm(const model::GemmShape& shape, core::Dtype dtype) const;
  OpCost attention(const model::AttentionShape& shape, core::Dtype dtype, bool backward) const;
  OpCost attention(const model::AttentionShape& shape, core::Dtype dtype, bool backward,
                   AttentionKernel kernel) const;
  // One kernel configuration of the tile model: CTA tile tile_m x tile_n, K split split_k ways.
  // gemm() is the fastest of the candidate tiles and splits (as a cuBLAS heuristic picks).
  OpCost gemm_tile(const model::GemmShape& shape, core::Dtype dtype, int tile_m, int tile_n, int split_k = 1) const;
  OpCost memory_bound(double bytes_read, double bytes_written) const;
  // A memory-bound kernel whose traffic is rows of `chunk_bytes` at random addresses (embedding
  // lookups, MoE token scatter / gather, paged KV): the host access model's scattered bandwidth
  // (granule, alignment, DRAM row and bus limits) relative to a stream; memory_bound() without it.
  OpCost scattered(double bytes_read, double bytes_written, double chunk_bytes) const;
  OpCost op(const model::Op& op, core::Dtype dtype) const;  // dispatches on op.kind

  const hardware::Chip& chip() const { return *chip_; }
  const CostParams& params() const { return params_; }
  // Sustained HBM bandwidth of a kernel whose traffic is `read_fraction` reads.
  double hbm_bandwidth(double read_fraction) const;
  // The requester's view of HBM (nullptr without a memory model): granule, hash, in-flight window.
  const memory::HostAccessModel* host_access() const { return host_ ? &*host_ : nullptr; }

 private:
  OpCost gemm_tiled(const model::GemmShape& shape, core::Dtype dtype) const;
  double gemm_efficiency(core::Dtype dtype) const;
  OpCost decode_attention(const model::AttentionShape& shape, core::Dtype dtype) const;

  const hardware::Chip* chip_;
  CostParams params_;
  // DRAM-level stream efficiency at read fractions 0, 1/4, 1/2, 3/4, 1 (interpolated); random
  // chunks (paged KV, embedding rows) relative to a read stream come from host_.
  double stream_efficiency_[5] = {};
  std::optional<memory::HostAccessModel> host_;
  double chunk_read_efficiency(double chunk_bytes) const;
  double sm_count_ = 1, clock_hz_ = 1, l2_bytes_ = 0, hbm_peak_ = 1;
};

const char* bound_name(Bound b);  // "compute" | "memory" | "latency"

// The CostParams member a calibration parameter names (for fitters), nullptr if unknown.
double* cost_param(CostParams& params, std::string_view name);

// Calibration parameters of the operator cost model (chip scope); the collectives declare theirs
// in collective_calibration_schema().
hardware::CalibrationSchema calibration_schema();

}  // namespace xpusim::cost
