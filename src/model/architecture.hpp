#pragma once

#include <filesystem>
#include <string>
#include <vector>

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
  int layer_offset = 0;             // layer l (>= first_dense_layers) is MoE iff (l + offset) % frequency == 0
  bool router_bias = false;         // DeepSeek-V3: e_score_correction_bias (one per expert)
  bool shared_expert_gate = false;  // Qwen2-MoE: sigmoid gate (hidden -> 1) on the shared expert
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
  bool out_proj_bias = false;      // Llama attention_bias: o_proj has a bias as well as q/k/v
  bool mlp_bias = false;           // Llama mlp_bias: bias on the dense MLP projections
  double rotary_fraction = 1.0;    // share of head_dim that is rotated (GPT-NeoX rotary_pct); 0: none
  long long sliding_window = 0;    // keys one query sees at most (Mistral); 0: the whole context
  double hidden_dropout = 0.0;     // dropout after attention/MLP (and embeddings); 0: no dropout op
  double attention_dropout = 0.0;  // dropout on attention probabilities
  double rope_theta = 0.0;         // informational; 0 without rotary
  double rope_scaling_factor = 1.0;  // rope_scaling.factor (Llama 3.1, YaRN); 1 without scaling
  long long mtp_layers = 0;        // DeepSeek-V3 multi-token-prediction modules: not counted

  long long moe_layers() const;      // decoder layers with a routed-expert MLP
  double params_decoder_layer(long long layer) const;         // one decoder layer, all experts
  double params_decoder_layer_active(long long layer) const;  // one decoder layer, top-k experts
  // Values cached per token over all layers for decoding: 2 * kv_heads * head_dim per layer, or
  // with MLA the compressed latent and the shared rope key, kv_lora_rank + qk_rope_head_dim.
  double kv_cache_elements_per_token() const;

  bool is_moe_layer(long long layer) const;
  double params_total() const;       // all parameters, embeddings included
  double params_active() const;      // parameters touched per token (top-k experts only)
  double params_embedding() const;   // input embedding (+ untied output head)
};

// Reads a HuggingFace config.json. Unknown model_type or a missing field is a core::Error
// naming the file, the field and what was expected.
Architecture load_architecture(const std::filesystem::path& config_json);
Architecture parse_architecture(const core::ConfigNode& root, std::string name);

// Supported HF model_type values.
const std::vector<std::string>& supported_model_types();

// A shipped model name ("llama3-70b" -> <data_dir>/models/llama3-70b.json) or a path to a
// config.json. Unknown names throw core::Error::flag("--model", ...) with the closest names.
std::filesystem::path resolve_model_config(const std::string& name_or_path,
                                           const std::filesystem::path& data_dir);
std::vector<std::string> builtin_model_names(const std::filesystem::path& data_dir);  // sorted
// resolve_model_config + load_architecture.
Architecture load_model(const std::string& name_or_path, const std::filesystem::path& data_dir);

}  // namespace xpusim::model
