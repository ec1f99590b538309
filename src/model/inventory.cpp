#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "model/operator.hpp"

namespace xpusim::model {
namespace {

// FLOPs per element of the memory-bound ops. They never bound a time (bytes do); they are
// counted so hardware-FLOP totals are complete.
constexpr double kRmsNormFlops = 4;    // square, sum, scale, weight
constexpr double kLayerNormFlops = 7;  // mean, centre, square, sum, scale, weight, bias
constexpr double kSwigluFlops = 5;     // sigmoid (exp, add, divide), two multiplies, per output
constexpr double kGeluFlops = 8;       // tanh approximation
constexpr double kRotaryFlops = 3;     // two multiplies and an add per rotated element
constexpr double kLossFlops = 4;       // max, subtract, exp, sum per logit
constexpr double kRouterFlops = 6;     // sigmoid/softmax and the top-k comparisons per logit
constexpr double kFp32 = 4;            // softmax statistics, router probabilities, loss logits
constexpr double kMaskBytes = 1;       // dropout masks are kept as bytes (Korthikanti et al.)

// Sizes of one micro-batch on one GPU.
struct Dims {
  double dt = 2;             // bytes per element of weights and activations
  long long b = 1;           // sequences
  long long s = 1;           // this GPU's query tokens per sequence (seq_len / cp)
  long long t = 1;           // tokens through GEMMs: b * s
  long long t_sp = 1;        // tokens through norms, dropout, residuals: t / tp with SP
  long long kv = 1;          // keys per query over the whole sequence
  long long h = 1;
  long long heads = 1;       // query heads on this GPU
  long long kv_heads = 1;    // K/V heads on this GPU (replicated when tp > kv_heads)
  long long d = 1, dv = 1;   // q/k and v head dims
  long long ffn = 1;         // dense MLP width on this GPU
  double vocab = 1;          // vocabulary shard on this GPU
  int tp = 1, cp = 1, ep = 1, etp = 1;
  bool sp = false;
};

double norm_flops(const Architecture& a) { return a.norm == NormKind::kLayerNorm ? kLayerNormFlops : kRmsNormFlops; }
double norm_params(const Architecture& a, double width) { return a.norm == NormKind::kLayerNorm ? 2 * width : width; }

// Appends the ops of one layer: forward ops first, then (optionally) their backward in reverse.
class LayerBuilder {
 public:
  LayerBuilder(const Architecture& a, const InventoryOptions& o, const Dims& d, Layer& layer)
      : a_(a), o_(o), d_(d), layer_(layer) {
    layer_.ops.reserve(64);
  }

  Op& add(OpKind kind, const char* name) {
    Op& op = layer_.ops.emplace_back();
    op.kind = kind;
    op.name = name;
    return op;
  }

  // Y[m,n] = X[m,k] W[k,n] (+ bias); `saved` bytes of X kept for backward.
  Op& gemm(const char* name, long long m, long long n, long long k, double bias, double saved) {
    Op& op = add(OpKind::kGemm, name);
    op.gemm = GemmShape{m, n, k, 1};
    op.flops = 2.0 * m * n * k;
    op.params = static_cast<double>(k) * n + bias;
    op.bytes_read = (static_cast<double>(m) * k + static_cast<double>(k) * n + bias) * d_.dt;
    op.bytes_written = static_cast<double>(m) * n * d_.dt;
    op.activation_bytes = saved;
    return op;
  }

  // Routed experts: `experts` local experts receive `rows` token slots in all (balanced).
  Op& grouped_gemm(const char* name, double rows, long long experts, long long n, long long k, double saved) {
    Op& op = add(OpKind::kGroupedGemm, name);
    // Fewer slots than experts (decode): only the experts that receive a token run, one row each.
    const long long active = rows >= experts ? experts : std::max(1LL, static_cast<long long>(std::ceil(rows)));
    const long long m = std::max(1LL, static_cast<long long>(std::ceil(rows / active)));
    op.gemm = GemmShape{m, n, k, active};
    op.flops = 2.0 * rows * n * k;
    op.params = static_cast<double>(experts) * k * n;
    op.bytes_read = (rows * k + static_cast<double>(active) * k * n) * d_.dt;
    op.bytes_written = rows * n * d_.dt;
    op.activation_bytes = saved;
    return op;
  }

  // A memory-bound op reading `read` and writing `written` elements (of dtype unless stated).
  Op& memory(OpKind kind, const char* name, double read, double written, double flops, double saved) {
    Op& op = add(kind, name);
    op.bytes_read = read * d_.dt;
    op.bytes_written = written * d_.dt;
    op.flops = flops;
    op.activation_bytes = saved;
    return op;
  }

  Op& norm(const char* name, double tokens, double width) {
    Op& op = memory(OpKind::kNorm, name, tokens * width + norm_params(a_, width), tokens * width,
                    norm_flops(a_) * tokens * width, tokens * width * d_.dt);
    op.params = norm_params(a_, width);
    return op;
  }

  // Dropout keeps a byte mask for backward; absent when the model trains without dropout.
  void dropout(const char* name, double elements) {
    if (a_.hidden_dropout <= 0) return;
    Op& op = memory(OpKind::kElementwise, name, elements, elements, 2 * elements, elements * kMaskBytes);
    op.bytes_written += elements * kMaskBytes;
  }

  void residual(const char* name, double elements, double inputs) {
    memory(OpKind::kElementwise, name, inputs * elements, elements, (inputs - 1) * elements, 0);
  }

  // Attention core over this GPU's heads.
  void attention() {
    Op& op = add(OpKind::kAttention, "attention");
    AttentionShape& s = op.attention;
    s.batch = d_.b;
    s.heads = d_.heads;
    s.kv_heads = d_.kv_heads;
    s.head_dim = d_.d;
    s.v_head_dim = d_.dv;
    s.q_len = d_.s;
    s.kv_len = d_.kv;
    s.causal = true;
    s.window = a_.sliding_window;
    s.context_parallel = d_.cp;
    op.flops = attention_flops(s, Pass::kForward);
    // Every key of the sequence passes through (with CP: as the ring brings the chunks; decode:
    // the KV cache).
    const double kv_read = static_cast<double>(d_.b) * d_.kv * d_.kv_heads * (d_.d + d_.dv);
    const double q = static_cast<double>(d_.t) * d_.heads * d_.d;
    op.bytes_read = (q + kv_read) * d_.dt;
    const double stats = static_cast<double>(d_.t) * d_.heads * kFp32;  // log-sum-exp per query row
    op.bytes_written = static_cast<double>(d_.t) * d_.heads * d_.dv * d_.dt + stats;
    // Saved: Q and this GPU's K, V (Korthikanti's 4sbh + 2sbh for MHA), and the softmax state.
    const double kv_saved = static_cast<double>(d_.t) * d_.kv_heads * (d_.d + d_.dv);
    op.activation_bytes = (q + kv_saved) * d_.dt;
    if (o_.flash_attention) {
      op.activation_bytes += stats;
    } else {
      // Materialised probabilities (2as²b), dropout mask (as²b) and dropped probabilities (2as²b).
      const double scores = static_cast<double>(d_.b) * d_.heads * d_.s * d_.kv;
      op.activation_bytes += scores * d_.dt;
      if (a_.attention_dropout > 0) op.activation_bytes += scores * (kMaskBytes + d_.dt);
    }
  }

  void rotary(double elements) {
    if (elements <= 0) return;
    memory(OpKind::kRotary, "rotary", elements, elements, kRotaryFlops * elements, 0);
  }

  // Backward ops of every forward op so far, in reverse order.
  void append_backward() {
    const std::size_t n = layer_.ops.size();
    for (std::size_t i = n; i-- > 0;) {
      const Op f = layer_.ops[i];  // copy: emplace_back may reallocate
      backward_of(f);
    }
  }

 private:
  Op& backward_op(const Op& f, std::string name) {
    Op& op = layer_.ops.emplace_back();
    op.kind = f.kind;
    op.name = std::move(name);
    op.pass = Pass::kBackward;
    op.scatter_chunk_bytes = f.scatter_chunk_bytes;  // the same rows, scattered the other way
    return op;
  }

  void backward_of(const Op& f) {
    switch (f.kind) {
      case OpKind::kGemm:
      case OpKind::kGroupedGemm: {
        const GemmShape& g = f.gemm;
        const double x_bytes = f.flops / (2.0 * static_cast<double>(g.n)) * d_.dt;  // rows x k
        const double w_bytes = f.bytes_read - x_bytes;
        // dX[m,k] = dY[m,n] W^T: reads dY and W, writes dX.
        Op& dx = backward_op(f, f.name + "_dx");
        dx.gemm = GemmShape{g.m, g.k, g.n, g.batch};
        dx.flops = f.flops;
        dx.bytes_read = f.bytes_written + w_bytes;
        dx.bytes_written = x_bytes;
        // dW[k,n] = X^T dY: reads X and dY, writes the weight (and bias) gradient in fp32.
        Op& dw = backward_op(f, f.name + "_dw");
        dw.gemm = GemmShape{g.k, g.n, g.m, g.batch};
        dw.flops = f.flops;
        dw.bytes_read = x_bytes + f.bytes_written;
        dw.bytes_written = w_bytes / d_.dt * kFp32;  // also for a tied head, whose params are 0
        break;
      }
      case OpKind::kAttention: {
        Op& op = backward_op(f, f.name);
        op.attention = f.attention;
        op.flops = attention_flops(f.attention, Pass::kBackward);
        op.bytes_read = f.bytes_read + 2 * f.bytes_written;  // Q, K, V, O, dO, statistics
        op.bytes_written = f.bytes_read;                     // dQ, dK, dV
        break;
      }
      case OpKind::kNorm:
      case OpKind::kActivation: {
        Op& op = backward_op(f, f.name);
        op.flops = 2 * f.flops;
        op.bytes_read = f.bytes_read + f.bytes_written;  // x (and weight) and dy
        op.bytes_written = f.bytes_read;                 // dx
        break;
      }
      case OpKind::kEmbedding: {
        Op& op = backward_op(f, f.name);
        op.flops = f.bytes_written / d_.dt;        // scatter-add of the rows' gradients
        op.bytes_read = f.bytes_written;           // dY
        op.bytes_written = f.bytes_written / d_.dt * kFp32;
        break;
      }
      case OpKind::kLoss: {
        Op& op = backward_op(f, f.name);
        op.flops = f.bytes_written / kFp32;  // softmax minus one-hot, per logit
        op.bytes_read = f.bytes_written;    // saved fp32 softmax
        op.bytes_written = f.bytes_read;    // dlogits in dtype
        break;
      }
      default: {  // elementwise, rotary, router, all-to-all, permutes: the same traffic reversed
        Op& op = backward_op(f, f.name);
        op.flops = f.flops;
        op.bytes_read = f.bytes_read;
        op.bytes_written = f.bytes_written;
        break;
      }
    }
  }

  const Architecture& a_;
  const InventoryOptions& o_;
  const Dims& d_;
  Layer& layer_;
};


Dims make_dims(const Architecture& a, const InventoryOptions& o) {
  Dims d;
  d.dt = core::dtype_bytes(o.dtype);
  d.tp = o.tp;
  d.cp = o.cp;
  d.ep = o.ep;
  d.etp = o.etp > 0 ? o.etp : o.tp;
  d.sp = o.sequence_parallel && o.tp > 1;
  d.b = o.batch;
  d.s = o.seq_len / o.cp;
  d.t = d.b * d.s;
  d.t_sp = d.sp ? d.t / o.tp : d.t;
  d.kv = o.kv_len > 0 ? o.kv_len : o.seq_len;
  d.h = a.hidden;
  d.heads = a.heads / o.tp;
  // MLA expands K and V for every head; GQA replicates a K/V head when tp exceeds their number.
  d.kv_heads = a.mla.enabled() ? d.heads : std::max<long long>(1, a.kv_heads / o.tp);
  d.d = a.head_dim;
  d.dv = a.mla.enabled() ? a.mla.v_head_dim : a.head_dim;
  d.ffn = a.ffn / o.tp;
  d.vocab = static_cast<double>((a.vocab + o.tp - 1) / o.tp);  // vocab-parallel shard
  return d;
}

void attention_projections(LayerBuilder& lb, const Architecture& a, const Dims& d) {
  const double t = static_cast<double>(d.t);
  const double boundary_input = static_cast<double>(d.t_sp) * d.h * d.dt;  // the norm's output
  if (!a.mla.enabled()) {
    const long long width = (d.heads + 2 * d.kv_heads) * d.d;
    lb.gemm("qkv_proj", d.t, width, d.h, (a.qkv_bias || a.linear_bias) ? width : 0, boundary_input);
    lb.rotary(a.rotary_fraction * t * (d.heads + d.kv_heads) * d.d);
    return;
  }
  // MLA: the down-projections and their norms are replicated over TP, the up-projections split
  // by head.
  const MlaSpec& m = a.mla;
  const long long qk = m.qk_nope_head_dim + m.qk_rope_head_dim;
  if (m.q_lora_rank > 0) {
    lb.gemm("q_a_proj", d.t, m.q_lora_rank, d.h, 0, boundary_input);
    lb.norm("q_a_norm", t, m.q_lora_rank);
    lb.gemm("q_b_proj", d.t, d.heads * qk, m.q_lora_rank, 0, t * m.q_lora_rank * d.dt);
  } else {
    lb.gemm("q_proj", d.t, d.heads * qk, d.h, 0, boundary_input);
  }
  lb.gemm("kv_a_proj", d.t, m.kv_lora_rank + m.qk_rope_head_dim, d.h, 0, 0);  // input saved above
  lb.norm("kv_a_norm", t, m.kv_lora_rank);
  lb.gemm("kv_b_proj", d.t, d.heads * (m.qk_nope_head_dim + m.v_head_dim), m.kv_lora_rank, 0,
          t * m.kv_lora_rank * d.dt);
  lb.rotary(t * (d.heads + 1) * m.qk_rope_head_dim);  // per-head q_rope, one shared k_rope
}

// Gated (SwiGLU) or plain (GELU) MLP of width `ffn` on this GPU; `saved_input` bytes of its input.
void dense_mlp(LayerBuilder& lb, const Architecture& a, const Dims& d, const char* up_name, const char* act_name,
               const char* down_name, long long ffn, bool bias, double saved_input) {
  const double t = static_cast<double>(d.t);
  const double f = static_cast<double>(ffn);
  if (a.mlp == MlpKind::kGated) {
    lb.gemm(up_name, d.t, 2 * ffn, d.h, bias ? 2 * f : 0, saved_input);  // gate and up fused
    lb.memory(OpKind::kActivation, act_name, 2 * t * f, t * f, kSwigluFlops * t * f, 2 * t * f * d.dt);
  } else {
    lb.gemm(up_name, d.t, ffn, d.h, bias ? f : 0, saved_input);
    lb.memory(OpKind::kActivation, act_name, t * f, t * f, kGeluFlops * t * f, t * f * d.dt);
  }
  lb.gemm(down_name, d.t, d.h, ffn, bias ? static_cast<double>(d.h) : 0, t * f * d.dt);
}

void all_to_all(LayerBuilder& lb, const char* name, double bytes) {
  Op& op = lb.add(OpKind::kAllToAll, name);
  op.bytes_read = bytes;
  op.bytes_written = bytes;
}

void moe_mlp(LayerBuilder& lb, const Architecture& a, const Dims& d) {
  const MoeSpec& m = a.moe;
  const double t_sp = static_cast<double>(d.t_sp);
  const double h = static_cast<double>(d.h);
  const double top_k = m.experts_per_token;
  // Token slots this GPU sends out (its own tokens) and computes: its experts' share of the EP
  // group's slots (balanced), for the tokens of the etp ranks that split these experts.
  const double sent = t_sp * top_k * m.capacity_factor;
  const double rows = (d.sp ? t_sp * d.etp : static_cast<double>(d.t)) * top_k * m.capacity_factor;
  const long long local_experts = m.num_experts / d.ep;
  const long long fe = m.expert_ffn / d.etp;
  const double input = t_sp * h * d.dt;

  lb.gemm("router", d.t_sp, m.num_experts, d.h, 0, input);
  Op& topk = lb.memory(OpKind::kRouter, "router_topk", t_sp * m.num_experts, 0, kRouterFlops * t_sp * m.num_experts,
                       t_sp * m.num_experts * kFp32);
  topk.bytes_written = t_sp * top_k * 2 * kFp32;  // expert index and weight per slot
  topk.params = m.router_bias ? m.num_experts : 0;
  lb.memory(OpKind::kElementwise, "moe_permute", t_sp * h, sent * h, 0, 0).scatter_chunk_bytes = h * d.dt;
  const double exchanged = sent * h * d.dt * (d.ep - 1) / d.ep;  // slots bound for other EP ranks
  if (d.ep > 1) all_to_all(lb, "moe_dispatch", exchanged);
  const double fr = static_cast<double>(fe);
  if (a.mlp == MlpKind::kGated) {
    lb.grouped_gemm("exp_gate_up", rows, local_experts, 2 * fe, d.h, rows * h * d.dt);
    lb.memory(OpKind::kActivation, "exp_act", 2 * rows * fr, rows * fr, kSwigluFlops * rows * fr, 2 * rows * fr * d.dt);
  } else {
    lb.grouped_gemm("exp_up", rows, local_experts, fe, d.h, rows * h * d.dt);
    lb.memory(OpKind::kActivation, "exp_act", rows * fr, rows * fr, kGeluFlops * rows * fr, rows * fr * d.dt);
  }
  lb.grouped_gemm("exp_down", rows, local_experts, d.h, fe, rows * fr * d.dt);
  if (d.ep > 1) all_to_all(lb, "moe_combine", exchanged);
  // Weighted sum of the top-k outputs; their values are kept for the routing weights' gradient.
  lb.memory(OpKind::kElementwise, "moe_unpermute", sent * h + sent, t_sp * h, 2 * sent * h, sent * h * d.dt)
      .scatter_chunk_bytes = h * d.dt;
  if (m.shared_expert_ffn > 0) {
    dense_mlp(lb, a, d, "shr_gate_up", "shr_act", "shr_down", m.shared_expert_ffn / d.tp, false, 0);
    if (m.shared_expert_gate) lb.gemm("shr_gate", d.t, 1, d.h, 0, 0);
  }
}

Layer decoder_layer(const Architecture& a, const InventoryOptions& o, const Dims& d, const char* name,
                    long long repeat, bool moe) {
  Layer layer;
  layer.name = name;
  layer.repeat = repeat;
  LayerBuilder lb(a, o, d, layer);
  const double t_sp = static_cast<double>(d.t_sp);
  const double h = static_cast<double>(d.h);
  lb.norm("attn_norm", t_sp, h);
  attention_projections(lb, a, d);
  lb.attention();
  const double attn_out = static_cast<double>(d.heads) * d.dv;
  lb.gemm("out_proj", d.t, d.h, d.heads * d.dv, (a.out_proj_bias || a.linear_bias) ? h : 0,
          static_cast<double>(d.t) * attn_out * d.dt);
  lb.dropout("attn_dropout", t_sp * h);
  // GPT-NeoX's parallel residual: x + attn(ln1(x)) + mlp(ln2(x)), one three-way add.
  if (!a.parallel_residual) lb.residual("attn_resid", t_sp * h, 2);
  Op& mlp_norm = lb.norm("mlp_norm", t_sp, h);
  if (a.parallel_residual) mlp_norm.activation_bytes = 0;  // same input as attn_norm, kept once
  if (moe) {
    moe_mlp(lb, a, d);
  } else {
    dense_mlp(lb, a, d, a.mlp == MlpKind::kGated ? "gate_up_proj" : "up_proj", "mlp_act", "down_proj", d.ffn,
              a.mlp_bias || a.linear_bias, t_sp * h * d.dt);
  }
  lb.dropout("mlp_dropout", t_sp * h);
  lb.residual("mlp_resid", t_sp * h, a.parallel_residual ? 3 : 2);
  if (o.backward) lb.append_backward();
  layer.tp_collectives = d.tp > 1 ? 2 : 0;
  layer.tp_collective_bytes = static_cast<double>(d.t) * h * d.dt;
  layer.cp_kv_bytes = d.cp > 1 ? static_cast<double>(d.t) * d.kv_heads * (d.d + d.dv) * d.dt : 0;
  return layer;
}

Layer embedding_layer(const Architecture& a, const InventoryOptions& o, const Dims& d) {
  Layer layer;
  layer.name = "embedding";
  LayerBuilder lb(a, o, d, layer);
  const double t = static_cast<double>(d.t);
  const double h = static_cast<double>(d.h);
  const double tables = a.learned_positions ? 2 : 1;  // token rows (+ position rows, added)
  Op& e = lb.memory(OpKind::kEmbedding, "embedding", tables * t * h, t * h, (tables - 1) * t * h, 0);
  e.params = d.vocab * h + (a.learned_positions ? static_cast<double>(a.max_seq_len) * h : 0);
  e.scatter_chunk_bytes = h * d.dt;  // one table row per token
  lb.dropout("embed_dropout", static_cast<double>(d.t_sp) * h);
  if (o.backward) lb.append_backward();
  layer.tp_collectives = d.tp > 1 ? 1 : 0;  // vocab-parallel lookup: all-reduce (SP: reduce-scatter)
  layer.tp_collective_bytes = t * h * d.dt;
  return layer;
}

Layer head_layer(const Architecture& a, const InventoryOptions& o, const Dims& d) {
  Layer layer;
  layer.name = "head";
  LayerBuilder lb(a, o, d, layer);
  const double t = static_cast<double>(d.t);
  const double t_sp = static_cast<double>(d.t_sp);
  const double h = static_cast<double>(d.h);
  lb.norm("final_norm", t_sp, h);
  Op& logits = lb.gemm("logits", d.t, static_cast<long long>(d.vocab), d.h, 0, t_sp * h * d.dt);
  if (a.tied_embeddings) logits.params = 0;  // the embedding owns the shared weight
  // Vocab-parallel cross-entropy keeps the fp32 softmax of its shard for backward.
  Op& loss = lb.memory(OpKind::kLoss, "loss", t * d.vocab, 0, kLossFlops * t * d.vocab, t * d.vocab * kFp32);
  loss.bytes_written = t * d.vocab * kFp32;
  if (o.backward) lb.append_backward();
  layer.tp_collectives = d.tp > 1 ? 1 : 0;  // input all-gather (SP) / input-gradient all-reduce
  layer.tp_collective_bytes = t * h * d.dt;
  return layer;
}

bool has_dense_mlp_layers(const Architecture& a) { return a.moe_layers() < a.layers; }

}  // namespace

double attention_pairs(const AttentionShape& s) {
  const double c = std::max(1, s.context_parallel);
  const double kv = static_cast<double>(s.kv_len);
  const double q = static_cast<double>(s.q_len) * c;  // queries of the whole sequence
  if (!s.causal) return q * kv / c;
  const double start = std::max(0.0, kv - q);  // keys before the first query
  const double w = s.window > 0 ? static_cast<double>(s.window) : kv;
  double pairs = 0;
  if (w >= kv) {
    pairs = (kv * kv - start * start) / 2;
  } else if (w <= start) {
    pairs = w * (kv - start);
  } else {
    pairs = (w * w - start * start) / 2 + w * (kv - w);
  }
  return pairs / c;  // load-balanced chunks: each GPU gets an equal share
}

double attention_flops(const AttentionShape& s, Pass pass) {
  const double forward = 2.0 * static_cast<double>(s.batch) * static_cast<double>(s.heads) * attention_pairs(s) *
                         static_cast<double>(s.head_dim + s.v_head_dim);
  return pass == Pass::kBackward ? 2.5 * forward : forward;
}

const char* op_kind_name(OpKind kind) {
  switch (kind) {
    case OpKind::kGemm: return "gemm";
    case OpKind::kGroupedGemm: return "grouped_gemm";
    case OpKind::kAttention: return "attention";
    case OpKind::kNorm: return "norm";
    case OpKind::kActivation: return "activation";
    case OpKind::kElementwise: return "elementwise";
    case OpKind::kRotary: return "rotary";
    case OpKind::kEmbedding: return "embedding";
    case OpKind::kLoss: return "loss";
    case OpKind::kRouter: return "router";
    case OpKind::kAllToAll: return "all_to_all";
  }
  return "unknown";
}

const char* pass_name(Pass pass) { return pass == Pass::kForward ? "forward" : "backward"; }

double Layer::flops(Pass pass) const {
  double sum = 0;
  for (const Op& op : ops)
    if (op.pass == pass) sum += op.flops;
  return sum;
}

double Layer::params() const {
  double sum = 0;
  for (const Op& op : ops) sum += op.params;
  return sum;
}

double Layer::activation_bytes() const {
  double sum = 0;
  for (const Op& op : ops) sum += op.activation_bytes;
  return sum;
}

double Inventory::total_flops(Pass pass) const {
  double sum = 0;
  for (const Layer& l : layers) sum += l.flops(pass) * static_cast<double>(l.repeat);
  return sum;
}

double Inventory::total_params() const {
  double sum = 0;
  for (const Layer& l : layers) sum += l.params() * static_cast<double>(l.repeat);
  return sum;
}

double Inventory::total_activation_bytes() const {
  double sum = 0;
  for (const Layer& l : layers) sum += l.activation_bytes() * static_cast<double>(l.repeat);
  return sum;
}

const Layer* Inventory::find(std::string_view name) const {
  for (const Layer& l : layers)
    if (l.name == name) return &l;
  return nullptr;
}

std::string inventory_infeasibility(const Architecture& a, const InventoryOptions& o) {
  using std::to_string;
  if (o.batch < 1 || o.seq_len < 1 || o.kv_len < 0)
    return "batch " + to_string(o.batch) + ", seq_len " + to_string(o.seq_len) + " and kv_len " +
           to_string(o.kv_len) + " must be positive (kv_len 0: seq_len)";
  if (o.tp < 1 || o.cp < 1 || o.ep < 1)
    return "tp " + to_string(o.tp) + ", cp " + to_string(o.cp) + " and ep " + to_string(o.ep) + " must be positive";
  if (a.heads % o.tp != 0)
    return "tp " + to_string(o.tp) + " does not divide the " + to_string(a.heads) + " attention heads";
  if (!a.mla.enabled() && a.kv_heads % o.tp != 0 && o.tp % a.kv_heads != 0)
    return "tp " + to_string(o.tp) + " neither divides nor is a multiple of the " + to_string(a.kv_heads) +
           " key/value heads";
  if (has_dense_mlp_layers(a) && a.ffn % o.tp != 0)
    return "tp " + to_string(o.tp) + " does not divide the MLP width " + to_string(a.ffn);
  if (o.etp < 0) return "etp " + to_string(o.etp) + " must be positive (0: = tp)";
  if (a.moe.is_moe()) {
    const int etp = o.etp > 0 ? o.etp : o.tp;
    if (a.moe.expert_ffn % etp != 0)
      return (o.etp > 0 ? "etp " : "tp ") + to_string(etp) + " does not divide the expert MLP width " +
             to_string(a.moe.expert_ffn);
    if (a.moe.shared_expert_ffn % o.tp != 0)
      return "tp " + to_string(o.tp) + " does not divide the shared-expert MLP width " +
             to_string(a.moe.shared_expert_ffn);
    if (a.moe.num_experts % o.ep != 0)
      return "ep " + to_string(o.ep) + " does not divide the " + to_string(a.moe.num_experts) + " experts";
  } else if (o.ep > 1) {
    return "ep " + to_string(o.ep) + " needs a mixture-of-experts model; " + a.name + " is dense";
  }
  if (o.seq_len % o.cp != 0)
    return "cp " + to_string(o.cp) + " does not divide the sequence length " + to_string(o.seq_len);
  if (o.sequence_parallel && o.tp > 1 && (o.batch * (o.seq_len / o.cp)) % o.tp != 0)
    return "sequence parallelism needs tp " + to_string(o.tp) + " to divide the " +
           to_string(o.batch * (o.seq_len / o.cp)) + " tokens of a micro-batch on one CP rank";
  if (o.kv_len > 0 && o.kv_len < o.seq_len)
    return "kv_len " + to_string(o.kv_len) + " is shorter than seq_len " + to_string(o.seq_len);
  return {};
}

Inventory build_inventory(const Architecture& a, const InventoryOptions& o) {
  if (std::string why = inventory_infeasibility(a, o); !why.empty()) throw core::Error(a.name + ": " + why);
  const Dims d = make_dims(a, o);
  Inventory inv;
  inv.layers.reserve(4);
  inv.layers.push_back(embedding_layer(a, o, d));
  const long long moe_layers = a.moe_layers();
  const long long dense_layers = a.layers - moe_layers;
  if (dense_layers > 0)
    inv.layers.push_back(decoder_layer(a, o, d, moe_layers > 0 ? "decoder_dense" : "decoder", dense_layers, false));
  if (moe_layers > 0) inv.layers.push_back(decoder_layer(a, o, d, "decoder_moe", moe_layers, true));
  inv.layers.push_back(head_layer(a, o, d));
  return inv;
}

double activation_bytes_per_layer(const Architecture& a, const InventoryOptions& o) {
  InventoryOptions forward = o;
  forward.backward = false;
  const Inventory inv = build_inventory(a, forward);
  double sum = 0;
  for (const Layer& l : inv.layers)
    if (l.name.starts_with("decoder")) sum += l.activation_bytes() * static_cast<double>(l.repeat);
  return sum / static_cast<double>(a.layers);
}

}  // namespace xpusim::model
