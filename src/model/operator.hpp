#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/dtype.hpp"
#include "model/architecture.hpp"

namespace xpusim::model {

enum class OpKind {
  kGemm,         // dense projection: C[m,n] = A[m,k] B[k,n], `batch` independent GEMMs
  kGroupedGemm,  // MoE experts: `batch` groups of [m,k]x[k,n] (m = tokens per expert)
  kAttention,    // fused (flash) attention core: QK^T, softmax, PV
  kNorm,         // RMSNorm / LayerNorm
  kActivation,   // SwiGLU / GELU
  kElementwise,  // residual adds, dropout, bias
  kRotary,       // rotary position embedding
  kEmbedding,    // token (+ position) embedding lookup
  kLoss,         // softmax cross-entropy over the vocabulary
  kRouter,       // MoE gate: top-k selection and scatter bookkeeping
  kAllToAll,     // MoE dispatch / combine point (bytes per GPU that leave it)
};
enum class Pass { kForward, kBackward };

struct GemmShape {
  long long m = 0, n = 0, k = 0;
  long long batch = 1;
};

struct AttentionShape {
  long long batch = 0, heads = 0, kv_heads = 0;
  long long head_dim = 0;    // q/k head dim
  long long v_head_dim = 0;  // == head_dim except MLA
  long long q_len = 0, kv_len = 0;
  bool causal = true;
  long long window = 0;      // sliding window: keys one query sees at most (0: all)
  // Context parallelism: the sequence is split over this many GPUs in load-balanced (zigzag)
  // chunks; q_len is this GPU's share, kv_len the keys of the whole sequence.
  int context_parallel = 1;
};

// (query, key) pairs the attention computes, summed over one head of one sequence. Causal
// queries are the last q_len positions of kv_len (prefill: q_len == kv_len; decode: q_len 1),
// counted continuously so that q_len == kv_len gives exactly half of q_len * kv_len (the
// flash-attention convention); decode gives kv_len - 0.5.
double attention_pairs(const AttentionShape& shape);
// FLOPs of QK^T and PV: 2 * batch * heads * pairs * (head_dim + v_head_dim), i.e.
// 4 * b * s * kv * h * d non-causal; backward is 2.5x forward.
double attention_flops(const AttentionShape& shape, Pass pass);

// One operator of one layer for one micro-batch on one GPU (already divided by TP/CP/EP).
struct Op {
  OpKind kind = OpKind::kElementwise;
  // Forward names: embedding, embed_dropout; attn_norm, qkv_proj (MLA: q_a_proj, q_a_norm,
  // q_b_proj or q_proj, kv_a_proj, kv_a_norm, kv_b_proj), rotary, attention, out_proj,
  // attn_dropout, attn_resid, mlp_norm, gate_up_proj | up_proj, mlp_act, down_proj, mlp_dropout,
  // mlp_resid; MoE: router, router_topk, moe_permute, moe_dispatch, exp_gate_up | exp_up, exp_act,
  // exp_down, moe_combine, moe_unpermute, shr_gate_up, shr_act, shr_down, shr_gate; final_norm,
  // logits, loss. Backward ops keep the name, except GEMMs: "<name>_dx" (data gradient) and
  // "<name>_dw" (weight gradient, written in fp32).
  std::string name;
  Pass pass = Pass::kForward;
  GemmShape gemm;            // kGemm / kGroupedGemm
  AttentionShape attention;  // kAttention
  double flops = 0;
  double bytes_read = 0;
  double bytes_written = 0;
  double params = 0;  // parameters this op owns on this GPU (forward ops only; a tied head owns none)
  double activation_bytes = 0;  // bytes kept for backward without recomputation (forward ops only)
  // Scattered memory ops (embedding lookups, MoE token permutes): contiguous bytes of one row
  // they read or write at a random address, which the cost layer's host access model costs
  // (0: streaming traffic).
  double scatter_chunk_bytes = 0;
};

const char* op_kind_name(OpKind kind);  // "gemm", "grouped_gemm", "attention", ...
const char* pass_name(Pass pass);       // "forward" | "backward"

// Ops of one layer type, and how many layers of that type the model has.
struct Layer {
  std::string name;  // "embedding", "decoder", "decoder_moe", "decoder_dense", "head"
  long long repeat = 1;
  std::vector<Op> ops;
  // Tensor-parallel collectives of one forward pass of this layer (0 when tp == 1): all-reduces,
  // or with sequence parallelism all-gather + reduce-scatter pairs; backward has as many. Each
  // moves the full activation tensor of tp_collective_bytes (tokens x hidden x dtype).
  int tp_collectives = 0;
  double tp_collective_bytes = 0;
  // Context parallelism (cp > 1): bytes of this GPU's K and V chunk that ring attention passes on
  // at each of its cp - 1 steps (forward; backward also passes dK, dV).
  double cp_kv_bytes = 0;

  double flops(Pass pass) const;     // one instance of the layer
  double params() const;             // forward ops' params, one instance
  double activation_bytes() const;   // one instance
};

struct InventoryOptions {
  long long batch = 1;      // sequences in the micro-batch
  long long seq_len = 2048;  // query tokens per sequence
  long long kv_len = 0;      // keys per query (0: = seq_len; decode: context length)
  core::Dtype dtype = core::Dtype::kBf16;
  int tp = 1;                    // tensor parallel: heads and ffn divided
  bool sequence_parallel = false;  // norms/dropout on seq_len / tp tokens
  int cp = 1;                    // context parallel: this GPU's share of the sequence
  int ep = 1;                    // expert parallel: experts divided
  bool backward = true;          // include backward ops
  // Flash attention keeps only the softmax statistics for backward; without it the attention
  // probabilities (and dropout mask and output) are kept: Korthikanti's 5·a·s²·b term.
  bool flash_attention = true;
  // Expert tensor parallelism: routed experts split this many ways (0: = tp). With SP each of
  // the etp ranks contributes its tokens to the experts they share; without SP the TP group
  // already holds the same tokens.
  int etp = 0;
};

struct Inventory {
  std::vector<Layer> layers;
  double total_flops(Pass pass) const;  // summed over layers x repeat
  double total_params() const;          // parameters on this GPU (tied head counted once)
  double total_activation_bytes() const;
  const Layer* find(std::string_view name) const;  // nullptr if absent
};

// Builds the per-layer operator inventory of one micro-batch on one GPU.
// Contract: FLOPs count multiply-adds as 2; backward GEMMs are two GEMMs (dgrad, wgrad) of the
// forward's FLOPs each; attention backward is 2.5x forward (flash-attention convention).
// Activation memory per decoder layer (bytes kept for backward, no recomputation, one
// micro-batch on one GPU), averaged over the decoder layers; Korthikanti et al. 2022: with
// dropout and flash_attention = false, 34·s·b·h + 5·a·s²·b bytes at 16 bits without TP,
// s·b·h·(10 + 24/t + 5·a·s/(h·t)) with TP t, s·b·h/t·(34 + 5·a·s/h) with TP and SP.
// Flash attention replaces the s² term by the fp32 softmax statistics, 4·a·s·b/t.
Inventory build_inventory(const Architecture& arch, const InventoryOptions& options);
double activation_bytes_per_layer(const Architecture& arch, const InventoryOptions& options);

// Why `options` cannot be laid out on `arch` ("tp 3 does not divide the 64 attention heads"), or
// empty when it can. build_inventory throws core::Error with this text.
std::string inventory_infeasibility(const Architecture& arch, const InventoryOptions& options);

}  // namespace xpusim::model
