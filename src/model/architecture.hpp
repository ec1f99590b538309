#pragma once

#include <filesystem>
#include <string>

#include "core/config.hpp"

namespace xpusim::model {

enum class NormKind { kRmsNorm, kLayerNorm };
enum class MlpKind { kGated, kPlain };  // gated: SwiGLU gate+up+down; plain: GELU up+down

// Mixture-of-experts part of an architecture (num_experts == 0 for dense models).
struct MoeSpec {
  int num_experts = 0;              // routed experts per MoE layer
  int experts_per_token = 0;        // top-k
  int shared_experts = 0;           // always-active experts (DeepSeek-V3, Qwen2-MoE)
  long long expert_ffn = 0;         // intermediate size of one routed expert
  long long shared_expert_ffn = 0;  // intermediate size of the whole shared-expert block
  int first_dense_layers = 0;       // leading layers with a dense MLP (DeepSeek-V3: 3)
  int layer_frequency = 1;          // every n-th layer (after the dense ones) is MoE
  double capacity_factor = 1.0;     // token capacity per expert relative to a perfect balance
  bool is_moe() const { return num_experts > 0; }
};

// Multi-head latent attention (DeepSeek-V2/V3); kv_lora_rank == 0 means ordinary attention.
struct MlaSpec {
  int q_lora_rank = 0;
  int kv_lora_rank = 0;
  int qk_nope_head_dim = 0;
  int qk_rope_head_dim = 0;
  int v_head_dim = 0;
  bool enabled() const { return kv_lora_rank > 0; }
};

// A transformer read from a HuggingFace config.json.
// Contract: every field is filled and validated (positive sizes, heads divisible by kv_heads);
// parameter counts are exact for the family's real layout (biases, norms, tied embeddings).
struct Architecture {
  std::string name;        // file stem, e.g. "llama3-70b"
  std::string model_type;  // HF model_type, e.g. "llama"
  long long hidden = 0;
  long long layers = 0;
  long long heads = 0;
  long long kv_heads = 0;
  long long head_dim = 0;
  long long ffn = 0;  // dense MLP intermediate size
  long long vocab = 0;
  long long max_seq_len = 0;
  NormKind norm = NormKind::kRmsNorm;
  MlpKind mlp = MlpKind::kGated;
  bool tied_embeddings = false;
  bool qkv_bias = false;           // Qwen2: bias on q/k/v
  bool linear_bias = false;        // GPT-2/NeoX: bias on every linear layer
  bool parallel_residual = false;  // GPT-NeoX: attention and MLP read the same input
  bool learned_positions = false;  // GPT-2: learned absolute position embeddings
  MoeSpec moe;
  MlaSpec mla;

  bool is_moe_layer(long long layer) const;
  double params_total() const;       // all parameters, embeddings included
  double params_active() const;      // parameters touched per token (top-k experts only)
  double params_embedding() const;   // input embedding (+ untied output head)
};

// Reads a HuggingFace config.json. Unknown model_type or a missing field is a core::Error
// naming the file, the field and what was expected.
Architecture load_architecture(const std::filesystem::path& config_json);
Architecture parse_architecture(const core::ConfigNode& root, std::string name);

}  // namespace xpusim::model
