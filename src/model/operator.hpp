#pragma once

#include <string>
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
};

// One operator of one layer for one micro-batch on one GPU (already divided by TP/CP/EP).
struct Op {
  OpKind kind = OpKind::kElementwise;
  std::string name;  // "qkv_proj", "attention", "mlp_down", "router", ...
  Pass pass = Pass::kForward;
  GemmShape gemm;            // kGemm / kGroupedGemm
  AttentionShape attention;  // kAttention
  double flops = 0;
  double bytes_read = 0;
  double bytes_written = 0;
  double params = 0;            // parameters this op owns (forward ops only)
  double activation_bytes = 0;  // bytes kept for backward without recomputation (forward ops only)
};

// Ops of one layer type, and how many layers of that type the model has.
struct Layer {
  std::string name;  // "embedding", "decoder", "decoder_moe", "decoder_dense", "head"
  long long repeat = 1;
  std::vector<Op> ops;
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
};

struct Inventory {
  std::vector<Layer> layers;
  double total_flops(Pass pass) const;  // summed over layers x repeat
  double total_params() const;
};

// Builds the per-layer operator inventory of one micro-batch on one GPU.
// Contract: FLOPs count multiply-adds as 2; backward GEMMs are two GEMMs (dgrad, wgrad) of the
// forward's FLOPs each; attention backward is 2.5x forward (flash-attention convention).
Inventory build_inventory(const Architecture& arch, const InventoryOptions& options);

}  // namespace xpusim::model
