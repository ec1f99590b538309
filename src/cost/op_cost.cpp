#include "cost/op_cost.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string_view>
#include <utility>

#include "core/error.hpp"
#include "memory/analytical.hpp"

namespace xpusim::cost {
namespace {

using core::Dimension;
using hardware::ParamDecl;

// CTA tiles a cuBLAS/CUTLASS-class heuristic picks from on Ampere/Hopper (M x N).
constexpr std::array<std::array<int, 2>, 6> kGemmTiles{{{256, 128}, {128, 256}, {128, 128}, {128, 64}, {64, 128}, {64, 64}}};
// Bytes of each operand one K-step stages into shared memory (64 bf16 / 128 fp8 elements).
constexpr double kKStepBytes = 128.0;
constexpr int kMaxSplitK = 16;
// Flash-attention query tile (rows) of every FA2/FA3 forward kernel.
constexpr long long kAttnQueryTile = 128;
// Query rows (per KV head) below which attention is a decode kernel: the tile is mostly padding.
constexpr long long kDecodeQueryRows = 64;

bool is_8bit_or_less(core::Dtype d) {
  return d == core::Dtype::kFp8 || d == core::Dtype::kInt8 || d == core::Dtype::kFp6 || d == core::Dtype::kFp4;
}

double output_bytes(core::Dtype d) {
  // 8-bit GEMMs write bf16; 16-bit write their own type; fp32/tf32 write fp32.
  return std::max(2.0, core::dtype_bytes(d));
}

double peak_for(const hardware::Chip& chip, core::Dtype d) {
  double p = chip.peak_flops_per_s(d);
  if (p <= 0 && d == core::Dtype::kFp16) p = chip.peak_flops_per_s(core::Dtype::kBf16);
  if (p <= 0 && d == core::Dtype::kBf16) p = chip.peak_flops_per_s(core::Dtype::kFp16);
  if (p <= 0) {
    throw core::Error(core::SourceLocation{chip.file(), 0, 0}, "peak_flops_per_s." + std::string(core::dtype_name(d)), "",
                      "a peak rate for " + std::string(core::dtype_name(d)) + " on chip " + chip.name() +
                          " (it has no such path)");
  }
  return p;
}

double ceil_div(double a, double b) { return std::ceil(a / b); }

// Roofline knee: a tile's loads overlap its MMAs only through a few pipeline stages, so near the
// knee the time exceeds max(compute, memory); (a^q + b^q)^(1/q) is that smooth maximum, sharper
// (closer to the max) for deeper pipelines.
double smooth_max(double a, double b, double q) {
  const double m = std::max(a, b);
  if (m <= 0) return 0.0;
  return m * std::pow(std::pow(a / m, q) + std::pow(b / m, q), 1.0 / q);
}

}  // namespace

// Calibration name -> CostParams member: one list for reading the catalog and for fitters.
constexpr std::array<std::pair<std::string_view, double CostParams::*>, 16> kParamFields{{
    {"gemm_mainloop_efficiency", &CostParams::gemm_mainloop_efficiency},
    {"gemm_mainloop_efficiency_fp8", &CostParams::gemm_mainloop_efficiency_fp8},
    {"gemm_tile_overhead_cycles", &CostParams::gemm_tile_overhead_cycles},
    {"l2_bandwidth", &CostParams::l2_bandwidth},
    {"gemm_overlap_exponent", &CostParams::gemm_overlap_exponent},
    {"kernel_launch_overhead", &CostParams::kernel_launch_overhead},
    {"hbm_fabric_efficiency", &CostParams::hbm_fabric_efficiency},
    {"hbm_stream_efficiency", &CostParams::hbm_stream_efficiency},
    {"attention_kernel_generation", &CostParams::attention_kernel_generation},
    {"attention_fa2_efficiency", &CostParams::attention_fa2_efficiency},
    {"attention_fa3_efficiency", &CostParams::attention_fa3_efficiency},
    {"attention_bwd_efficiency_ratio", &CostParams::attention_bwd_efficiency_ratio},
    {"attention_fa2_softmax_overlap", &CostParams::attention_fa2_softmax_overlap},
    {"attention_fa3_softmax_overlap", &CostParams::attention_fa3_softmax_overlap},
    {"attention_softmax_cycles_per_element", &CostParams::attention_softmax_cycles_per_element},
    {"attention_tile_overhead_cycles", &CostParams::attention_tile_overhead_cycles},
}};

double* cost_param(CostParams& params, std::string_view name) {
  for (const auto& [field, member] : kParamFields)
    if (field == name) return &(params.*member);
  return nullptr;
}

CostParams CostParams::from_chip(const hardware::Chip& chip) {
  CostParams p;
  for (const auto& [field, member] : kParamFields) p.*member = chip.calibration().get(field);
  return p;
}

CostModel::CostModel(const hardware::Chip& chip, const memory::AnalyticalModel* hbm)
    : CostModel(chip, CostParams::from_chip(chip), hbm) {}

CostModel::CostModel(const hardware::Chip& chip, const CostParams& params, const memory::AnalyticalModel* hbm)
    : chip_(&chip), params_(params) {
  sm_count_ = std::max(1, chip.compute_units());
  clock_hz_ = chip.clock_hz();
  l2_bytes_ = chip.l2_cache_bytes();
  hbm_peak_ = chip.memory().bandwidth_bytes_per_s();
  if (hbm != nullptr)
    host_.emplace(*hbm, memory::HostAccess::for_vendor(chip.vendor()), chip.compute_units(),
                  params_.hbm_fabric_efficiency);
  for (int i = 0; i < 5; ++i) {
    stream_efficiency_[i] = host_ ? host_->stream(i / 4.0).device_bandwidth_bytes_per_s /
                                        (host_->peak_bandwidth_bytes_per_s() * params_.hbm_fabric_efficiency)
                                  : params_.hbm_stream_efficiency;
  }
}

// Random chunks vs a read stream at the DRAM (1 without a memory model).
double CostModel::chunk_read_efficiency(double chunk_bytes) const {
  return host_ ? host_->scattered_vs_stream(chunk_bytes) : 1.0;
}

OpCost CostModel::scattered(double bytes_read, double bytes_written, double chunk_bytes) const {
  if (chunk_bytes <= 0 || !host_) return memory_bound(bytes_read, bytes_written);
  OpCost out;
  out.bytes = std::max(0.0, bytes_read) + std::max(0.0, bytes_written);
  // Rows rounded to the requester's granule, and each row a random DRAM access (the writes of a
  // scatter are as random as the reads of a gather; docs/hbm.md: random writes ~ random reads).
  const auto rows = host_->scattered(chunk_bytes);
  const double derate = chunk_read_efficiency(chunk_bytes) / rows.fetched_per_useful;
  const double t_memory = out.bytes > 0 ? out.bytes / (hbm_bandwidth(std::max(0.0, bytes_read) / out.bytes) * derate) : 0.0;
  out.time_s = t_memory + params_.kernel_launch_overhead;
  out.bound = t_memory >= params_.kernel_launch_overhead ? Bound::kMemory : Bound::kLatency;
  out.efficiency = out.time_s > 0 ? out.bytes / out.time_s / hbm_peak_ : 0.0;
  return out;
}

double CostModel::hbm_bandwidth(double read_fraction) const {
  const double x = std::clamp(read_fraction, 0.0, 1.0) * 4.0;
  const int i = std::min(3, static_cast<int>(x));
  const double eff = stream_efficiency_[i] + (stream_efficiency_[i + 1] - stream_efficiency_[i]) * (x - i);
  return hbm_peak_ * eff * params_.hbm_fabric_efficiency;
}

OpCost CostModel::gemm(const model::GemmShape& shape, core::Dtype dtype) const { return gemm_tiled(shape, dtype); }

// Grouped expert GEMM: each group (expert) has its own B; tiles never span groups, so it is the
// batched tile model with `batch` = groups (DeepGEMM contiguous and masked layouts alike).
OpCost CostModel::grouped_gemm(const model::GemmShape& shape, core::Dtype dtype) const {
  return gemm_tiled(shape, dtype);
}

double CostModel::gemm_efficiency(core::Dtype dtype) const {
  return is_8bit_or_less(dtype) ? params_.gemm_mainloop_efficiency_fp8 : params_.gemm_mainloop_efficiency;
}

OpCost CostModel::gemm_tile(const model::GemmShape& s, core::Dtype dtype, int tile_m, int tile_n, int split_k) const {
  OpCost out;
  const double m = static_cast<double>(s.m), n = static_cast<double>(s.n), k = static_cast<double>(s.k);
  const double batch = static_cast<double>(std::max<long long>(1, s.batch));
  out.flops = 2.0 * m * n * k * batch;
  if (s.m <= 0 || s.n <= 0 || s.k <= 0) {
    out.time_s = params_.kernel_launch_overhead;
    out.bound = Bound::kLatency;
    return out;
  }
  const double in_b = core::dtype_bytes(dtype), out_b = output_bytes(dtype);
  const double peak = peak_for(*chip_, dtype);
  const double sm_rate = peak * gemm_efficiency(dtype) / sm_count_;
  const double tk = kKStepBytes / in_b;
  const double tm = tile_m, tn = tile_n, split = std::max(1, split_k);
  const double tiles_m = ceil_div(m, tm), tiles_n = ceil_div(n, tn);
  const double tiles = tiles_m * tiles_n * batch;
  const double units = tiles * split;
  const double active = std::min(units, sm_count_);
  // Wave quantization: the last, partial wave costs as much as a full one.
  const double waves = ceil_div(units, sm_count_);
  const double ksteps = ceil_div(ceil_div(k, split), tk);
  // K-loop step: the MMAs at the SM's sustained rate, or the operands from L2 if slower.
  const double t_mma = 2.0 * tm * tn * tk / sm_rate;
  const double t_operands = (tm + tn) * tk * in_b / (params_.l2_bandwidth / active);
  const double t_tile = ksteps * std::max(t_mma, t_operands) + params_.gemm_tile_overhead_cycles / clock_hz_;
  const double t_compute = waves * t_tile;
  // HBM traffic: operands once when they stay in L2; otherwise the concurrent tiles form an
  // a x b block (rasterised, roughly square), and each A row panel is read once per block column
  // and each B column panel once per block row.
  const double operand_bytes = (m * k + k * n) * in_b;  // one batch entry
  double ab = operand_bytes * batch;
  if (operand_bytes > 0.5 * l2_bytes_) {
    const double a = std::min(tiles_m, std::ceil(std::sqrt(active)));
    const double b = std::min(tiles_n, std::ceil(active / a));
    ab = (m * k * ceil_div(tiles_n, b) + k * n * ceil_div(tiles_m, a)) * in_b * batch;
  }
  // Split-K partial sums go through HBM in fp32 (written and read back once).
  const double cb = m * n * out_b * batch + (split > 1 ? 2.0 * split * m * n * 4.0 * batch : 0.0);
  const double t_memory = (ab + cb) / hbm_bandwidth(ab / (ab + cb));
  out.time_s = smooth_max(t_compute, t_memory, params_.gemm_overlap_exponent) + params_.kernel_launch_overhead;
  out.bytes = ab + cb;
  out.tile_m = tile_m;
  out.tile_n = tile_n;
  out.split_k = static_cast<int>(split);
  out.tiles = static_cast<long long>(tiles);
  out.waves = static_cast<long long>(waves);
  if (params_.kernel_launch_overhead > std::max(t_compute, t_memory)) {
    out.bound = Bound::kLatency;
  } else if (t_memory > t_compute) {
    out.bound = Bound::kMemory;
  } else {
    out.bound = Bound::kCompute;
  }
  out.efficiency = out.bound == Bound::kMemory ? out.bytes / out.time_s / hbm_peak_ : out.flops / out.time_s / peak;
  return out;
}

OpCost CostModel::gemm_tiled(const model::GemmShape& s, core::Dtype dtype) const {
  OpCost best;
  const double k = static_cast<double>(s.k);
  const double tk = kKStepBytes / core::dtype_bytes(dtype);
  const double batch = static_cast<double>(std::max<long long>(1, s.batch));
  for (const auto& tile : kGemmTiles) {
    const double tiles = ceil_div(static_cast<double>(s.m), tile[0]) * ceil_div(static_cast<double>(s.n), tile[1]) * batch;
    // Split-K only when the output tiles cannot fill the chip and K is long enough to share.
    for (int split = 1; split <= kMaxSplitK; split *= 2) {
      if (split > 1 && (tiles * split > sm_count_ || k / split < 4 * tk)) break;
      const OpCost c = gemm_tile(s, dtype, tile[0], tile[1], split);
      if (best.time_s == 0 || c.time_s < best.time_s) best = c;
    }
  }
  return best;
}

OpCost CostModel::attention(const model::AttentionShape& shape, core::Dtype dtype, bool backward) const {
  return attention(shape, dtype, backward, AttentionKernel::kChipDefault);
}

OpCost CostModel::attention(const model::AttentionShape& a, core::Dtype dtype, bool backward,
                            AttentionKernel kernel) const {
  const double b = static_cast<double>(a.batch), h = static_cast<double>(a.heads);
  const double kvh = static_cast<double>(a.kv_heads > 0 ? a.kv_heads : a.heads);
  const double dqk = static_cast<double>(a.head_dim);
  const double dv = static_cast<double>(a.v_head_dim > 0 ? a.v_head_dim : a.head_dim);
  const double q = static_cast<double>(a.q_len);
  const double kv = static_cast<double>(a.kv_len > 0 ? a.kv_len : a.q_len);
  // Queries sit at the end of the keys (prefill: offset 0; chunked prefill / decode: the past).
  const double offset = std::max(0.0, kv - q);
  const double pairs = model::attention_pairs(a);
  const double fwd_flops = model::attention_flops(a, model::Pass::kForward);
  const double eb = core::dtype_bytes(dtype);
  OpCost out;
  out.flops = backward ? 2.5 * fwd_flops : fwd_flops;
  const double qo_bytes = b * h * q * (dqk + dv) * eb;
  const double kv_bytes = b * kvh * kv * (dqk + dv) * eb;
  out.bytes = backward ? 2.0 * (qo_bytes + kv_bytes) + b * h * q * dv * eb : qo_bytes + kv_bytes;
  if (a.batch <= 0 || a.heads <= 0 || a.q_len <= 0 || a.head_dim <= 0) {
    out.time_s = params_.kernel_launch_overhead;
    out.bound = Bound::kLatency;
    return out;
  }
  if (!backward && q * (h / kvh) < kDecodeQueryRows) return decode_attention(a, dtype);

  const bool fa3 = kernel == AttentionKernel::kFlash3 ||
                   (kernel == AttentionKernel::kChipDefault && params_.attention_kernel_generation >= 3);
  const double peak = peak_for(*chip_, dtype);
  double eff = fa3 ? params_.attention_fa3_efficiency : params_.attention_fa2_efficiency;
  if (backward) eff *= params_.attention_bwd_efficiency_ratio;
  const double sm_rate = peak * eff / sm_count_;
  const double bq = kAttnQueryTile;
  const double bk = dqk <= 128 ? 128.0 : 64.0;  // K/V tile shrinks with head dim (shared memory)
  const double work_per_pair = (backward ? 2.5 : 1.0) * 2.0 * bq * bk * (dqk + dv);
  const double t_mma = work_per_pair / sm_rate;
  // Softmax: exp/max/sum of the score tile (recomputed, plus dS, in backward).
  const double t_soft = (backward ? 2.0 : 1.0) * bq * bk * params_.attention_softmax_cycles_per_element / clock_hz_;
  // Softmax runs beside the MMAs (other warps / the ping-pong warpgroup) except the exposed part.
  const double overlap = fa3 ? params_.attention_fa3_softmax_overlap : params_.attention_fa2_softmax_overlap;
  const double t_pair = std::max(t_mma, t_soft) + (1.0 - overlap) * std::min(t_mma, t_soft);
  const double t_overhead = params_.attention_tile_overhead_cycles / clock_hz_;
  const double nq = ceil_div(q, bq), nk = ceil_div(kv, bk);
  const double heads_batches = b * h;
  double t_total = 0, t_max = 0;
  const bool plain_causal = a.causal && a.window <= 0 && a.context_parallel <= 1;
  if (!plain_causal) {
    // Every query tile sees the same number of keys on average (full, windowed, or zigzag CP
    // chunks); a masked problem pays one extra diagonal tile.
    const double keys = pairs / q;
    const double tiles_per_unit = a.causal ? std::min(nk, ceil_div(keys, bk) + 1) : nk;
    const double t_unit = tiles_per_unit * t_pair + t_overhead;
    const double units = heads_batches * nq;
    t_total = ceil_div(units, sm_count_) * t_unit;
  } else {
    // Query tile i attends to key tiles up to its diagonal (the diagonal tile is computed whole).
    double sum = 0;
    for (double i = 0; i < nq; ++i) {
      const double t_i = std::min(nk, ceil_div(offset + (i + 1) * bq, bk)) * t_pair + t_overhead;
      sum += t_i;
      t_max = std::max(t_max, t_i);
    }
    t_total = std::max(heads_batches * sum / sm_count_, t_max);
  }
  out.waves = static_cast<long long>(ceil_div(heads_batches * nq, sm_count_));
  out.tiles = static_cast<long long>(heads_batches * nq);
  out.tile_m = static_cast<int>(bq);
  out.tile_n = static_cast<int>(bk);
  const double t_memory = out.bytes / hbm_bandwidth(backward ? 0.6 : 0.8);
  out.time_s = std::max(t_total, t_memory) + params_.kernel_launch_overhead;
  out.bound = t_memory > t_total ? Bound::kMemory : Bound::kCompute;
  out.efficiency = out.bound == Bound::kMemory ? out.bytes / out.time_s / hbm_peak_ : out.flops / out.time_s / peak;
  return out;
}

// Decode (few query rows per KV head): the kernel reads the KV cache once, page by page: each
// page of one head is a random chunk of kv_page_tokens x head_dim, which the DRAM serves at the
// memory model's random-chunk efficiency. Compute pays for the padded query tile.
OpCost CostModel::decode_attention(const model::AttentionShape& a, core::Dtype dtype) const {
  const double b = static_cast<double>(a.batch), h = static_cast<double>(a.heads);
  const double kvh = static_cast<double>(a.kv_heads > 0 ? a.kv_heads : a.heads);
  const double dqk = static_cast<double>(a.head_dim);
  const double dv = static_cast<double>(a.v_head_dim > 0 ? a.v_head_dim : a.head_dim);
  const double q = static_cast<double>(a.q_len);
  const double kv = static_cast<double>(a.kv_len > 0 ? a.kv_len : a.q_len);
  const double eb = core::dtype_bytes(dtype);
  OpCost out;
  out.flops = model::attention_flops(a, model::Pass::kForward);
  const double kv_bytes = b * kvh * kv * (dqk + dv) * eb;
  const double qo_bytes = b * h * q * (dqk + dv) * eb;
  out.bytes = kv_bytes + qo_bytes;
  const double rows = q * h / kvh;  // query rows packed into one tile per KV head (GQA packing)
  const double padding = kAttnQueryTile / std::min<double>(kAttnQueryTile, std::max(1.0, rows));
  const double peak = peak_for(*chip_, dtype);
  const double t_compute = out.flops * padding / (peak * params_.attention_fa2_efficiency);
  const double page_bytes = params_.kv_page_tokens * dqk * eb;
  const double t_memory = kv_bytes / (hbm_bandwidth(1.0) * chunk_read_efficiency(page_bytes)) +
                          qo_bytes / hbm_bandwidth(0.5);
  out.time_s = std::max(t_compute, t_memory) + params_.kernel_launch_overhead;
  out.bound = params_.kernel_launch_overhead > std::max(t_compute, t_memory) ? Bound::kLatency
              : t_memory >= t_compute                                        ? Bound::kMemory
                                                                             : Bound::kCompute;
  out.efficiency = out.bound == Bound::kCompute ? out.flops / out.time_s / peak : out.bytes / out.time_s / hbm_peak_;
  out.tile_m = static_cast<int>(kAttnQueryTile);
  out.tiles = static_cast<long long>(b * kvh);
  out.waves = static_cast<long long>(ceil_div(b * kvh, sm_count_));
  return out;
}

OpCost CostModel::memory_bound(double bytes_read, double bytes_written) const {
  OpCost out;
  out.bytes = std::max(0.0, bytes_read) + std::max(0.0, bytes_written);
  const double t_memory = out.bytes > 0 ? out.bytes / hbm_bandwidth(std::max(0.0, bytes_read) / out.bytes) : 0.0;
  out.time_s = t_memory + params_.kernel_launch_overhead;
  out.bound = t_memory >= params_.kernel_launch_overhead ? Bound::kMemory : Bound::kLatency;
  out.efficiency = out.time_s > 0 ? out.bytes / out.time_s / hbm_peak_ : 0.0;
  return out;
}

OpCost CostModel::op(const model::Op& op, core::Dtype dtype) const {
  switch (op.kind) {
    case model::OpKind::kGemm:
      return gemm(op.gemm, dtype);
    case model::OpKind::kGroupedGemm:
      return grouped_gemm(op.gemm, dtype);
    case model::OpKind::kAttention:
      return attention(op.attention, dtype, op.pass == model::Pass::kBackward);
    case model::OpKind::kAllToAll: {
      // Communication: the training layer costs it on the network; nothing runs on the SMs here.
      OpCost out;
      out.bytes = op.bytes_read + op.bytes_written;
      out.bound = Bound::kLatency;
      return out;
    }
    default: {
      OpCost out = op.scatter_chunk_bytes > 0 ? scattered(op.bytes_read, op.bytes_written, op.scatter_chunk_bytes)
                                              : memory_bound(op.bytes_read, op.bytes_written);
      out.flops = op.flops;
      return out;
    }
  }
}

const char* bound_name(Bound b) {
  switch (b) {
    case Bound::kCompute:
      return "compute";
    case Bound::kMemory:
      return "memory";
    case Bound::kLatency:
      return "latency";
  }
  return "compute";
}

hardware::CalibrationSchema calibration_schema() {
  const auto chip = ParamDecl::Scope::kChip;
  const CostParams d;
  return {
      {"gemm_mainloop_efficiency", chip, Dimension::kDimensionless, d.gemm_mainloop_efficiency,
       "sustained tensor-core utilisation inside a GEMM K-loop, 16-bit inputs (fraction of the dtype peak)"},
      {"gemm_mainloop_efficiency_fp8", chip, Dimension::kDimensionless, d.gemm_mainloop_efficiency_fp8,
       "sustained tensor-core utilisation inside a GEMM K-loop, 8-bit inputs (lower on Hopper: power-limited "
       "clocks and scaling work)"},
      {"gemm_tile_overhead_cycles", chip, Dimension::kDimensionless, d.gemm_tile_overhead_cycles,
       "cycles each CTA tile spends outside the K-loop: pipeline prologue (first loads) and epilogue (store C)"},
      {"l2_bandwidth", chip, Dimension::kBytesPerSecond, d.l2_bandwidth,
       "operand bandwidth from L2 to all SMs together as GEMM mainloops see it (TMA multicast included)"},
      {"gemm_overlap_exponent", chip, Dimension::kDimensionless, d.gemm_overlap_exponent,
       "sharpness q of the GEMM roofline knee, time = (T_compute^q + T_memory^q)^(1/q): higher for deeper "
       "load pipelines that hide more of the operand traffic"},
      {"kernel_launch_overhead", chip, Dimension::kSeconds, d.kernel_launch_overhead,
       "time per kernel not spent on its work: launch, ramp-up and drain, as a framework call sees it"},
      {"hbm_fabric_efficiency", chip, Dimension::kDimensionless, d.hbm_fabric_efficiency,
       "achieved HBM bandwidth of kernels / the DRAM-level stream estimate (on-chip fabric, MC queues, "
       "limited outstanding requests)"},
      {"hbm_stream_efficiency", chip, Dimension::kDimensionless, d.hbm_stream_efficiency,
       "DRAM-level efficiency of a read stream (refresh, bank timing) used when no analytical HBM model is "
       "supplied"},
      {"attention_kernel_generation", chip, Dimension::kDimensionless, d.attention_kernel_generation,
       "flash-attention generation the chip runs by default: 2 (FlashAttention-2, mma.sync) or 3 "
       "(FlashAttention-3: Hopper wgmma, warp-specialised)"},
      {"attention_fa2_efficiency", chip, Dimension::kDimensionless, d.attention_fa2_efficiency,
       "tensor-core utilisation of the MMAs in the FlashAttention-2 forward K/V loop"},
      {"attention_fa3_efficiency", chip, Dimension::kDimensionless, d.attention_fa3_efficiency,
       "tensor-core utilisation of the MMAs in the FlashAttention-3 forward K/V loop"},
      {"attention_bwd_efficiency_ratio", chip, Dimension::kDimensionless, d.attention_bwd_efficiency_ratio,
       "MMA utilisation of the attention backward kernel relative to its forward"},
      {"attention_fa2_softmax_overlap", chip, Dimension::kDimensionless, d.attention_fa2_softmax_overlap,
       "fraction of the softmax time hidden under the MMAs in FlashAttention-2 (other warps of the SM)"},
      {"attention_fa3_softmax_overlap", chip, Dimension::kDimensionless, d.attention_fa3_softmax_overlap,
       "fraction of the softmax time hidden under the MMAs in FlashAttention-3 (ping-pong warpgroups)"},
      {"attention_softmax_cycles_per_element", chip, Dimension::kDimensionless,
       d.attention_softmax_cycles_per_element,
       "SM cycles per attention score element for the online softmax (exp on the SFUs, max, sum, rescale)"},
      {"attention_tile_overhead_cycles", chip, Dimension::kDimensionless, d.attention_tile_overhead_cycles,
       "cycles per query tile outside the K/V loop: load Q, final rescale, store O and LSE"},
  };
}

}  // namespace xpusim::cost
