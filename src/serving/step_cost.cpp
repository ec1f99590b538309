#include "serving/step_cost.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "model/operator.hpp"

namespace xpusim::serving {

WeightFormat parse_weight_format(const std::string& text, const std::string& flag) {
  if (text == "bf16" || text == "fp16") return WeightFormat::kBf16;
  if (text == "fp8") return WeightFormat::kFp8;
  if (text == "int8") return WeightFormat::kInt8;
  if (text == "int4") return WeightFormat::kInt4;
  throw core::Error::flag(flag, text, "one of: bf16, fp16, fp8, int8, int4");
}

const char* weight_format_name(WeightFormat w) {
  switch (w) {
    case WeightFormat::kBf16: return "bf16";
    case WeightFormat::kFp8: return "fp8";
    case WeightFormat::kInt8: return "int8";
    case WeightFormat::kInt4: return "int4";
  }
  return "bf16";
}

double weight_format_bytes(WeightFormat w) {
  switch (w) {
    case WeightFormat::kBf16: return 2;
    case WeightFormat::kFp8:
    case WeightFormat::kInt8: return 1;
    case WeightFormat::kInt4: return 0.5 + 2.0 / 64;  // 4-bit values + one bf16 scale per group of 64
  }
  return 2;
}

namespace {

constexpr long long kExactKnots = 64;
const double kKnotLog = std::log(1.03);

model::InventoryOptions inventory_options(const Placement& p, long long tokens, core::Dtype dtype) {
  model::InventoryOptions o;
  o.batch = 1;
  o.seq_len = std::max<long long>(1, tokens);
  o.kv_len = o.seq_len;
  o.dtype = dtype;
  o.tp = p.tp;
  o.ep = p.ep;
  o.etp = p.ep > 1 ? 1 : 0;  // vLLM/SGLang EP: experts whole on their rank; without EP, TP-split
  o.backward = false;
  return o;
}

bool skipped(const model::Op& op) { return op.kind == model::OpKind::kAttention; }

}  // namespace

int token_knot(long long tokens) {
  if (tokens <= kExactKnots) return static_cast<int>(std::max<long long>(0, tokens));
  int k = static_cast<int>(kExactKnots + std::floor(std::log(static_cast<double>(tokens) / kExactKnots) / kKnotLog));
  while (k > kExactKnots && knot_tokens(k) > tokens) --k;
  while (knot_tokens(k + 1) <= tokens) ++k;
  return k;
}

long long knot_tokens(int knot) {
  if (knot <= kExactKnots) return knot;
  return static_cast<long long>(std::llround(kExactKnots * std::exp((knot - kExactKnots) * kKnotLog)));
}

StepCostModel::StepCostModel(const model::Architecture& arch, const cost::CostModel& cost,
                             const cost::CollectiveModel* collectives, const Placement& placement,
                             const EngineProfile& engine)
    : arch_(&arch), cost_(&cost), coll_(collectives), placement_(placement), engine_(engine) {
  const auto& chip = cost.chip();
  const bool fp8_math = placement.weights == WeightFormat::kFp8 && chip.supports(core::Dtype::kFp8);
  dtype_ = fp8_math ? core::Dtype::kFp8 : core::Dtype::kBf16;
  const auto why = model::inventory_infeasibility(arch, inventory_options(placement, 1, dtype_));
  if (!why.empty()) throw core::Error::flag("--tp/--ep", std::to_string(placement.tp) + "/" + std::to_string(placement.ep), why);
  launch_ = cost.params().kernel_launch_overhead;
  layers_local_ = (arch.layers + placement.pp - 1) / placement.pp;
  heads_local_ = static_cast<double>(arch.heads) / placement.tp;
  kv_heads_local_ = std::max(1.0, static_cast<double>(arch.kv_heads) / placement.tp);
  dqk_ = static_cast<double>(arch.mla.enabled() ? arch.mla.qk_nope_head_dim + arch.mla.qk_rope_head_dim : arch.head_dim);
  dv_ = static_cast<double>(arch.mla.enabled() ? arch.mla.v_head_dim : arch.head_dim);
  const double kv_elems_layer = arch.mla.enabled()
                                    ? static_cast<double>(arch.mla.kv_lora_rank + arch.mla.qk_rope_head_dim)
                                    : kv_heads_local_ * 2.0 * static_cast<double>(arch.head_dim);
  kv_bytes_per_token_ = kv_elems_layer * placement.kv_bytes * static_cast<double>(layers_local_);

  // Weights per GPU: decoder weights in the chosen format, embedding and head in 16 bits (as
  // vLLM, SGLang and TensorRT-LLM keep them).
  const auto inv = model::build_inventory(arch, inventory_options(placement, 1, dtype_));
  double outer = 0, decoder = 0;
  kernels_per_step_ = 0;
  for (const auto& layer : inv.layers) {
    const bool is_decoder = layer.name.rfind("decoder", 0) == 0;
    (is_decoder ? decoder : outer) += layer.params() * static_cast<double>(layer.repeat);
    if (layer.name != "head") allreduces_per_step_ += layer.tp_collectives * static_cast<double>(is_decoder ? layer.repeat : 1);
    for (const auto& op : layer.ops)
      if (op.kind != model::OpKind::kAllToAll) kernels_per_step_ += static_cast<int>(layer.repeat);
  }
  weight_bytes_ = decoder / placement.pp * weight_format_bytes(placement.weights) + outer * 2.0;

  // Paged decode attention streams the KV cache: its sustained rate from the cost model's
  // KV-read-bound kernel; prefill attention runs at the flash kernel's achieved FLOP rate.
  const core::Dtype kv_dtype = placement.kv_bytes <= 1 ? core::Dtype::kFp8 : core::Dtype::kBf16;
  model::AttentionShape d;
  d.batch = 64;
  d.heads = static_cast<long long>(std::max(1.0, heads_local_));
  d.kv_heads = static_cast<long long>(kv_heads_local_);
  d.head_dim = static_cast<long long>(arch.head_dim);
  d.v_head_dim = d.head_dim;
  d.q_len = 1;
  d.kv_len = 2048;
  (void)kv_dtype;
  // A paged block holds every KV head of its tokens (vLLM layout), so blocks are read as
  // >= 16 KiB contiguous chunks: the streaming read rate of the HBM model applies.
  decode_bw_ = cost.hbm_bandwidth(1.0);
  model::AttentionShape p = d;
  p.batch = 1;
  p.q_len = p.kv_len = 4096;
  const auto pc = cost.attention(p, core::Dtype::kBf16, false);
  prefill_rate_ = pc.flops / std::max(1e-9, pc.time_s - launch_);
}

bool StepCostModel::uses_graphs(long long tokens) const {
  return engine_.cuda_graphs && tokens <= engine_.cuda_graph_max_tokens;
}

StepCostModel::Knot StepCostModel::dense_uncached(long long tokens) const {
  const auto inv = model::build_inventory(*arch_, inventory_options(placement_, tokens, dtype_));
  const auto& chip = cost_->chip();
  const auto& params = cost_->params();
  const bool weight_only = placement_.weights == WeightFormat::kInt8 || placement_.weights == WeightFormat::kInt4 ||
                           (placement_.weights == WeightFormat::kFp8 && dtype_ != core::Dtype::kFp8);
  const double wb = weight_format_bytes(placement_.weights);
  const double peak16 = chip.peak_flops_per_s(core::Dtype::kBf16) * params.gemm_mainloop_efficiency;
  const double peak_math = dtype_ == core::Dtype::kFp8 ? chip.peak_flops_per_s(core::Dtype::kFp8) * params.gemm_mainloop_efficiency_fp8
                                                        : peak16;
  const double stream_bw = cost_->hbm_bandwidth(1.0);
  Knot k;
  for (const auto& layer : inv.layers) {
    if (layer.name == "head") continue;
    const bool is_decoder = layer.name.rfind("decoder", 0) == 0;
    const double repeat = static_cast<double>(is_decoder ? layer.repeat : 1);
    for (const auto& op : layer.ops) {
      if (skipped(op)) continue;
      if (op.kind == model::OpKind::kAllToAll) {
        if (coll_ && placement_.ep > 1)
          k.fixed += repeat * coll_->time_s(cost::Collective::kAllToAll, op.bytes_read + op.bytes_written,
                                            coll_->place(placement_.ep, 1));
        continue;
      }
      auto c = cost_->op(op, dtype_);
      double ti = c.time_s - launch_;
      double bytes = c.bytes > 0 ? c.bytes : op.bytes_read + op.bytes_written;
      const bool gemm = op.kind == model::OpKind::kGemm || op.kind == model::OpKind::kGroupedGemm;
      double math = gemm ? op.flops / peak_math : 0.0;
      if (weight_only && op.params > 0 && gemm) {
        k.dequant += std::min(op.params, op.bytes_read / 2.0) * repeat;
        // Weight-only quantisation: 16-bit math, fewer weight bytes streamed.
        // Only the weights the op reads (the routed experts that receive tokens) shrink.
        const double saved = std::min(op.params * 2.0, op.bytes_read) * (1.0 - wb / 2.0);
        math = op.flops / peak16;
        ti = std::max(math, ti - saved / stream_bw);
        bytes = std::max(0.0, bytes - saved);
      }
      if (ti <= 0) continue;
      k.ops.push_back({ti * repeat, bytes / stream_bw, math, gemm && dtype_ == core::Dtype::kFp8 && !weight_only});
    }
  }
  if (coll_ && placement_.pp > 1)
    k.fixed += (placement_.pp - 1) *
               coll_->time_s(cost::Collective::kSendRecv, static_cast<double>(tokens) * arch_->hidden * 2.0,
                             coll_->place(2, placement_.tp));
  return k;
}

// The cost layer's time of each operator, its roofline rescaled: memory side by the engine's
// device efficiency, compute side by its compute efficiency, the slower side bounding.
double StepCostModel::knot_scaled(Knot& k) const {
  if (!std::isnan(k.scaled)) return k.scaled;
  double t = 0;
  for (const auto& o : k.ops) {
    const double ideal = std::max(o.memory, o.compute);
    if (ideal <= 0) {
      t += o.time / engine_.device_efficiency;
      continue;
    }
    const double ce = o.fp8 ? engine_.compute_efficiency_fp8 : engine_.compute_efficiency;
    t += o.time * std::max(o.memory / engine_.device_efficiency, o.compute / ce) / ideal;
  }
  k.scaled = t;
  return t;
}

double StepCostModel::head_uncached(long long seqs) const {
  const auto inv = model::build_inventory(*arch_, inventory_options(placement_, seqs, dtype_));
  const auto* head = inv.find("head");
  double t = 0;
  if (!head) return 0;
  // The loss op stands in for the sampler: it reads the logits once and writes probabilities.
  for (const auto& op : head->ops) t += std::max(0.0, cost_->op(op, core::Dtype::kBf16).time_s - launch_);
  if (coll_ && placement_.tp > 1)
    t += coll_->time_s(cost::Collective::kAllGather, static_cast<double>(seqs) * arch_->vocab * 2.0,
                       coll_->place(placement_.tp, 1));
  return t;
}

double StepCostModel::dense_device(long long tokens, bool scaled, bool dequant) const {
  if (tokens <= 0) return 0;
  if (cached_memory_eff_ != engine_.device_efficiency || cached_compute_eff_ != engine_.compute_efficiency ||
      cached_compute_eff_fp8_ != engine_.compute_efficiency_fp8) {
    for (auto& k : dense_cache_) k.scaled = std::numeric_limits<double>::quiet_NaN();
    cached_memory_eff_ = engine_.device_efficiency;
    cached_compute_eff_ = engine_.compute_efficiency;
    cached_compute_eff_fp8_ = engine_.compute_efficiency_fp8;
  }
  const int k = token_knot(tokens);
  if (dense_cache_.size() < static_cast<std::size_t>(k + 2)) dense_cache_.resize(k + 2);
  auto at = [&](int i) {
    Knot& kn = dense_cache_[static_cast<std::size_t>(i)];
    if (kn.ops.empty() && kn.fixed == 0 && std::isnan(kn.scaled)) {
      kn = dense_uncached(knot_tokens(i));
      if (kn.ops.empty()) kn.scaled = 0;
    }
    if (dequant) return kn.dequant;
    if (scaled) return knot_scaled(kn) + kn.fixed;
    double raw = kn.fixed;
    for (const auto& o : kn.ops) raw += o.time;
    return raw;
  };
  const long long t0 = knot_tokens(k);
  if (t0 == tokens) return at(k);
  const long long t1 = knot_tokens(k + 1);
  const double f = static_cast<double>(tokens - t0) / static_cast<double>(t1 - t0);
  const double v0 = at(k);
  return v0 + f * (at(k + 1) - v0);
}

double StepCostModel::head_value(long long seqs) const {
  if (seqs <= 0) return 0;
  const int k = token_knot(seqs);
  if (head_cache_.size() < static_cast<std::size_t>(k + 2)) head_cache_.resize(k + 2, std::numeric_limits<double>::quiet_NaN());
  auto at = [&](int i) {
    double& v = head_cache_[static_cast<std::size_t>(i)];
    if (std::isnan(v)) v = head_uncached(knot_tokens(i));
    return v;
  };
  const long long t0 = knot_tokens(k);
  if (t0 == seqs) return at(k);
  const long long t1 = knot_tokens(k + 1);
  const double f = static_cast<double>(seqs - t0) / static_cast<double>(t1 - t0);
  return at(k) + f * (at(k + 1) - at(k));
}

double StepCostModel::dense_time(long long tokens) const { return dense_part(tokens, false); }

double StepCostModel::dense_part(long long tokens, bool scaled) const {
  double t = dense_device(tokens, scaled, false);
  if (engine_.dequant_elements_per_sm_cycle > 0) {
    const double elements = dense_device(tokens, false, true);
    t += elements / (engine_.dequant_elements_per_sm_cycle * cost_->chip().compute_units() * cost_->chip().clock_hz());
  }
  if (coll_ && placement_.tp > 1 && tokens > 0)
    t += allreduces_per_step_ * allreduce_time(static_cast<double>(tokens) * arch_->hidden * 2.0);
  return t;
}

double StepCostModel::allreduce_time(double bytes) const {
  const double nccl = std::max(engine_.allreduce_min_latency_s,
                               coll_->time_s(cost::Collective::kAllReduce, bytes, coll_->place(placement_.tp, 1)));
  if (engine_.custom_allreduce_latency_s <= 0 || placement_.tp > coll_->domain_size()) return nccl;
  // One-shot: every rank reads the other ranks' buffers over the scale-up links.
  const double one_shot = engine_.custom_allreduce_latency_s +
                          bytes * (placement_.tp - 1) / placement_.tp / std::max(1.0, coll_->scale_up_bandwidth());
  return std::min(nccl, one_shot);
}

double StepCostModel::head_time(int seqs) const { return head_value(seqs); }

double StepCostModel::decode_attention_time(double context_tokens, int seqs) const {
  if (seqs <= 0) return 0;
  const double per_layer = kv_bytes_per_token_ / static_cast<double>(layers_local_);
  return static_cast<double>(arch_->layers) * context_tokens * per_layer / decode_bw_;
}

double StepCostModel::prefill_attention_time(double pairs, int chunks) const {
  if (chunks <= 0) return 0;
  return static_cast<double>(arch_->layers) * 2.0 * heads_local_ * pairs * (dqk_ + dv_) / prefill_rate_;
}

double StepCostModel::overhead_time(const StepShape& s) const {
  return engine_.step_overhead_s + engine_.per_seq_overhead_s * s.seqs() +
         engine_.prefill_seq_overhead_s * s.prefill_chunks;
}

double StepCostModel::time(const StepShape& s) const {
  const long long m = s.tokens();
  if (m <= 0) return 0;
  const double kernels = static_cast<double>(kernels_per_step_);
  const double attention = decode_attention_time(s.decode_context, s.decode_seqs) +
                           prefill_attention_time(s.prefill_pairs, s.prefill_chunks);
  const double gpu = dense_part(m, true) + head_time(std::max(1, s.seqs())) / engine_.device_efficiency +
                     attention / engine_.attention_efficiency + kernels * engine_.graph_kernel_gap_s;
  // A graph replays the whole step in one launch; without one the CPU issues every kernel
  // asynchronously, so the step takes the longer of the GPU's work and the CPU's launches.
  const double device = uses_graphs(m) ? gpu : std::max(gpu, kernels * launch_);
  return device + overhead_time(s);
}

double StepCostModel::activation_peak_bytes(long long tokens) const {
  const auto inv = model::build_inventory(*arch_, inventory_options(placement_, tokens, dtype_));
  double peak = 0;
  const double wb = core::dtype_bytes(dtype_);
  for (const auto& layer : inv.layers) {
    if (layer.name == "head") continue;
    for (const auto& op : layer.ops) peak = std::max(peak, op.bytes_read + op.bytes_written - op.params * wb);
  }
  // Plus the residual stream held across the layer (input and output of the block).
  return peak + 2.0 * static_cast<double>(tokens) * arch_->hidden * 2.0;
}

}  // namespace xpusim::serving
