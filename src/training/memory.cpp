#include "training/memory.hpp"

#include <algorithm>

namespace xpusim::training {
namespace {

struct Parts {
  double replicated = 0;  // elements outside the TP region (divided by tp only with SP)
  double split = 0;       // elements inside the TP region (divided by tp)
  double scores = 0;      // attention score matrices (dropped by selective recompute / flash)
  double experts = 0;     // routed-expert activations (divided by etp)
};

// Bytes of one layer for the whole (undivided) micro-batch, per category.
Parts layer_parts(const model::Architecture& a, bool moe_layer, const ActivationShape& s) {
  const double sb = static_cast<double>(s.micro_batch) * static_cast<double>(s.seq_len);
  const double h = static_cast<double>(a.hidden);
  const double mask = s.dropout ? 1.0 : 0.0;
  double q_dim = static_cast<double>(a.heads * a.head_dim);
  double k_dim = static_cast<double>(a.kv_heads * a.head_dim);
  double v_dim = k_dim;
  double o_dim = q_dim;
  if (a.mla.enabled()) {
    const double qk = a.mla.qk_nope_head_dim + a.mla.qk_rope_head_dim;
    q_dim = k_dim = static_cast<double>(a.heads) * qk;
    v_dim = o_dim = static_cast<double>(a.heads) * a.mla.v_head_dim;
  }
  const double g = s.gemm_input_bytes;
  Parts p;
  // Two norm inputs (2 bytes), the QKV input and the MLP input (saved GEMM inputs), dropout masks
  // after the attention output and the MLP output.
  p.replicated = sb * (2 * 2 * h + g * h + g * h + 2 * mask * h);
  // Q, K, V (attention inputs) and the output-projection input (a GEMM input).
  p.split = sb * (2 * (q_dim + k_dim + v_dim) + g * o_dim);
  if (s.flash) {
    p.split += sb * 4.0 * static_cast<double>(a.heads);  // fp32 log-sum-exp per row
  } else {
    p.scores = sb * static_cast<double>(s.seq_len) * static_cast<double>(a.heads) * (s.dropout ? 5.0 : 2.0);
  }
  // Bytes per token of an MLP of width ffn: gated keeps the gate and up outputs and the
  // activation output (the down-projection's GEMM input); plain the fc1 output and the GELU output.
  const auto mlp_bytes = [&](double ffn) {
    return a.mlp == model::MlpKind::kGated ? (2.0 * 2.0 + g) * ffn : (2.0 + g) * ffn;
  };
  if (moe_layer) {
    const auto& m = a.moe;
    const double per_token = g * h + mlp_bytes(static_cast<double>(m.expert_ffn));
    p.experts = sb * m.experts_per_token * m.capacity_factor * per_token;
    if (m.shared_experts > 0) p.split += sb * mlp_bytes(static_cast<double>(m.shared_expert_ffn));
  } else {
    p.split += sb * mlp_bytes(static_cast<double>(a.ffn));
  }
  return p;
}

double divide(const Parts& p, const ActivationShape& s, bool keep_scores) {
  const double t = std::max(1, s.tp);
  const double repl = s.sp ? p.replicated / t : p.replicated;
  const double sp_tokens = s.sp ? t : 1.0;
  double bytes = repl + p.split / t + p.experts / (std::max(1, s.etp) * sp_tokens);
  if (keep_scores) bytes += p.scores / t;
  return bytes / std::max(1, s.cp);
}

}  // namespace

double layer_activation_bytes(const model::Architecture& arch, bool moe_layer, const ActivationShape& s) {
  return divide(layer_parts(arch, moe_layer, s), s, true);
}

double layer_activation_bytes_selective(const model::Architecture& arch, bool moe_layer,
                                        const ActivationShape& s) {
  return divide(layer_parts(arch, moe_layer, s), s, false);
}

double layer_checkpoint_bytes(const model::Architecture& arch, const ActivationShape& s) {
  const double bytes = 2.0 * static_cast<double>(s.micro_batch) * static_cast<double>(s.seq_len) *
                       static_cast<double>(arch.hidden);
  return bytes / (s.sp ? std::max(1, s.tp) : 1) / std::max(1, s.cp);
}

double inflight_stage_microbatches(int pp, int vpp, long long microbatches) {
  const double m = static_cast<double>(std::max(1LL, microbatches));
  if (pp <= 1) return 1.0;
  if (vpp <= 1) return std::min<double>(pp, m);
  const double chunks = std::min(m * vpp, 2.0 * (pp - 1) + static_cast<double>(vpp - 1) * pp + 1.0);
  return chunks / vpp;
}

double stage_inflight_microbatches(int pp, int vpp, long long microbatches, int stage) {
  const double m = static_cast<double>(std::max(1LL, microbatches));
  if (pp <= 1) return 1.0;
  if (vpp <= 1) return std::min<double>(pp - stage, m);
  const double chunks = std::min(m * vpp, 2.0 * (pp - stage - 1) + static_cast<double>(vpp - 1) * pp + 1.0);
  return chunks / vpp;
}

double stage_peak_activation_bytes(int pp, int vpp, long long microbatches, int stage,
                                   const std::vector<double>& chunk_bytes) {
  const long long m = std::max(1LL, microbatches);
  if (pp <= 1 || vpp <= 1) {
    const double in_flight = pp <= 1 ? 1.0 : static_cast<double>(std::min<long long>(pp - stage, m));
    return in_flight * (chunk_bytes.empty() ? 0.0 : chunk_bytes.front());
  }
  const long long group = static_cast<long long>(pp) * vpp, total = m * vpp;
  const long long warmup = std::min(total, 2LL * (pp - stage - 1) + static_cast<long long>(vpp - 1) * pp);
  if (std::all_of(chunk_bytes.begin(), chunk_bytes.end(), [&](double b) { return b == chunk_bytes.front(); }))
    return static_cast<double>(std::min(total, warmup + 1)) * chunk_bytes.front();  // even chunks
  // Forwards and backwards run pp consecutive micro-batches on one chunk, so the walk goes by runs
  // of steps on which both chunks stay the same (the search calls this for every layout).
  const auto fwd = [&](long long k) { return chunk_bytes[static_cast<std::size_t>((k % group) / pp)]; };
  const auto bwd = [&](long long k) { return chunk_bytes[static_cast<std::size_t>(vpp - 1 - (k % group) / pp)]; };
  double held = 0;
  for (long long k = 0; k < warmup;) {
    const long long n = std::min(pp - k % pp, warmup - k);
    held += static_cast<double>(n) * fwd(k);
    k += n;
  }
  double peak = held;
  // Steady state: one forward then one backward; the pattern repeats every pp*vpp steps, so one
  // period past warm-up finds the peak. Within a run the peak is at its first or last forward.
  const long long steady = std::min(total - warmup, group + 1);
  for (long long i = 0; i < steady;) {
    const long long a = warmup + i;
    const long long n = std::min({pp - a % pp, pp - i % pp, steady - i});
    const double f = fwd(a), d = f - bwd(i);
    peak = std::max(peak, held + f + std::max(0.0, static_cast<double>(n - 1) * d));
    held += static_cast<double>(n) * d;
    i += n;
  }
  return peak;
}

}  // namespace xpusim::training
