#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "core/limits.hpp"
#include "core/suggest.hpp"
#include "model/architecture.hpp"

namespace xpusim::model {
namespace {

// Typed reads of one HF config.json. HF files carry many keys a simulator does not need
// (token ids, initializer ranges, quantization), so unknown keys are accepted here, unlike the
// catalog YAML; every key that is read is checked.
class HfReader {
 public:
  explicit HfReader(const core::ConfigNode& root) : root_(root) {}

  const core::ConfigNode& root() const { return root_; }
  core::ConfigNode at(std::string_view key) const { return root_.at(key); }
  // Present and not null.
  std::optional<core::ConfigNode> present(std::string_view key) const {
    auto n = root_.find(key);
    if (!n || n->is_null()) return std::nullopt;
    return n;
  }
  // Widths and counts are bounded (core/limits.hpp) so that products of them stay exact.
  long long positive(std::string_view key) const { return bounded(root_.at(key)); }
  long long positive_or(std::string_view key, long long fallback) const {
    auto n = present(key);
    return n ? bounded(*n) : fallback;
  }
  static long long bounded(const core::ConfigNode& n) {
    const long long v = n.as_positive_int();
    if (v > core::kMaxModelDim)
      throw n.error("a positive integer of at most " + std::to_string(core::kMaxModelDim));
    return v;
  }
  long long non_negative_or(std::string_view key, long long fallback) const {
    auto n = present(key);
    if (!n) return fallback;
    const long long v = n->as_int();
    if (v < 0) throw n->error("a non-negative integer");
    if (v > core::kMaxModelDim) throw n->error("a non-negative integer of at most " + std::to_string(core::kMaxModelDim));
    return v;
  }
  bool flag_or(std::string_view key, bool fallback) const {
    auto n = present(key);
    return n ? n->as_bool() : fallback;
  }
  double probability_or(std::string_view key, double fallback) const {
    auto n = present(key);
    if (!n) return fallback;
    const double v = n->as_double();
    if (!(v >= 0.0 && v < 1.0)) throw n->error("a probability in [0, 1)");
    return v;
  }
  double positive_number_or(std::string_view key, double fallback) const {
    auto n = present(key);
    if (!n) return fallback;
    const double v = n->as_double();
    if (!(v > 0.0)) throw n->error("a positive number");
    return v;
  }
  std::string string_or(std::string_view key, std::string fallback) const {
    auto n = present(key);
    return n ? n->as_string() : fallback;
  }

 private:
  const core::ConfigNode& root_;
};

void read_rope_scaling(const HfReader& r, Architecture& a) {
  auto scaling = r.present("rope_scaling");
  if (!scaling) return;
  if (!scaling->is_map()) throw scaling->error("null or a mapping with 'factor'");
  auto factor = scaling->find("factor");
  if (!factor) return;  // e.g. {"rope_type": "default"}
  a.rope_scaling_factor = factor->as_double();
  if (!(a.rope_scaling_factor > 0.0)) throw factor->error("a positive number");
}

// Head dim from the config or hidden / heads, which must then divide.
long long head_dim_of(const HfReader& r, long long hidden, long long heads, std::string_view heads_key) {
  if (auto hd = r.present("head_dim")) return hd->as_positive_int();
  if (hidden % heads != 0)
    throw r.at(heads_key).error("a head count dividing hidden size " + std::to_string(hidden));
  return hidden / heads;
}

// The key names of the sizes every family has.
struct SizeKeys {
  const char* hidden = "hidden_size";
  const char* layers = "num_hidden_layers";
  const char* heads = "num_attention_heads";
  const char* positions = "max_position_embeddings";
};

// Sizes with multi-head attention (kv_heads = heads); `ffn_key` nullptr: set by the caller.
void read_sizes(const HfReader& r, Architecture& a, const SizeKeys& keys, const char* ffn_key) {
  a.hidden = r.positive(keys.hidden);
  a.layers = r.positive(keys.layers);
  a.heads = r.positive(keys.heads);
  a.kv_heads = a.heads;
  a.vocab = r.positive("vocab_size");
  a.max_seq_len = r.positive(keys.positions);
  if (ffn_key) a.ffn = r.positive(ffn_key);
}

// llama, mistral, mixtral, qwen2, qwen2_moe: pre-norm RMSNorm, SwiGLU, rotary, GQA.
void read_llama_like(const HfReader& r, Architecture& a) {
  SizeKeys keys;
  if (!r.present(keys.positions)) keys.positions = "max_sequence_length";  // early Llama 1 files
  read_sizes(r, a, keys, "intermediate_size");
  a.kv_heads = r.positive_or("num_key_value_heads", a.heads);  // Llama 1 has no GQA key
  a.head_dim = head_dim_of(r, a.hidden, a.heads, keys.heads);
  a.tied_embeddings = r.flag_or("tie_word_embeddings", false);
  a.norm = NormKind::kRmsNorm;
  a.mlp = MlpKind::kGated;
  const bool attention_bias = r.flag_or("attention_bias", false);
  a.qkv_bias = attention_bias || a.model_type == "qwen2" || a.model_type == "qwen2_moe";
  a.out_proj_bias = attention_bias;
  a.mlp_bias = r.flag_or("mlp_bias", false);
  a.attention_dropout = r.probability_or("attention_dropout", 0.0);
  a.rope_theta = r.positive_number_or("rope_theta", 10000.0);
  read_rope_scaling(r, a);
  // Qwen2 carries sliding_window but only uses it with use_sliding_window, and then only in the
  // layers from max_window_layers on; one window for all layers is the approximation here.
  bool window_used = r.flag_or("use_sliding_window", a.model_type == "mistral" || a.model_type == "mixtral");
  if (window_used && r.present("max_window_layers")) window_used = r.positive("max_window_layers") < a.layers;
  if (window_used) a.sliding_window = r.non_negative_or("sliding_window", 0);
}

void read_mixtral(const HfReader& r, Architecture& a) {
  a.moe.num_experts = static_cast<int>(r.positive("num_local_experts"));
  a.moe.experts_per_token = static_cast<int>(r.positive("num_experts_per_tok"));
  a.moe.expert_ffn = a.ffn;
}

void read_qwen2_moe(const HfReader& r, Architecture& a) {
  a.moe.num_experts = static_cast<int>(r.positive("num_experts"));
  a.moe.experts_per_token = static_cast<int>(r.positive("num_experts_per_tok"));
  a.moe.expert_ffn = r.positive("moe_intermediate_size");
  a.moe.shared_expert_ffn = r.non_negative_or("shared_expert_intermediate_size", 0);
  a.moe.shared_experts = a.moe.shared_expert_ffn > 0 ? 1 : 0;
  a.moe.shared_expert_gate = a.moe.shared_experts > 0;
  a.moe.layer_frequency = static_cast<int>(r.positive_or("decoder_sparse_step", 1));
  a.moe.layer_offset = 1;  // HF: layer l is sparse iff (l + 1) % decoder_sparse_step == 0
  if (auto only = r.present("mlp_only_layers"); only && !only->items().empty())
    throw only->error("an empty list (dense layers inside a qwen2_moe stack are not supported)");
}

// deepseek_v2 / deepseek_v3: multi-head latent attention and fine-grained MoE with shared experts.
void read_deepseek(const HfReader& r, Architecture& a) {
  read_sizes(r, a, SizeKeys{}, "intermediate_size");  // num_key_value_heads is nominal under MLA
  a.tied_embeddings = r.flag_or("tie_word_embeddings", false);
  a.norm = NormKind::kRmsNorm;
  a.mlp = MlpKind::kGated;
  a.attention_dropout = r.probability_or("attention_dropout", 0.0);
  a.rope_theta = r.positive_number_or("rope_theta", 10000.0);
  read_rope_scaling(r, a);
  if (r.flag_or("attention_bias", false))
    throw r.at("attention_bias").error("false (MLA with biases is not supported)");

  a.mla.q_lora_rank = static_cast<int>(r.non_negative_or("q_lora_rank", 0));  // null in V2-Lite
  a.mla.kv_lora_rank = static_cast<int>(r.positive("kv_lora_rank"));
  a.mla.qk_nope_head_dim = static_cast<int>(r.positive("qk_nope_head_dim"));
  a.mla.qk_rope_head_dim = static_cast<int>(r.positive("qk_rope_head_dim"));
  a.mla.v_head_dim = static_cast<int>(r.positive("v_head_dim"));
  a.head_dim = a.mla.qk_nope_head_dim + a.mla.qk_rope_head_dim;
  a.rotary_fraction = static_cast<double>(a.mla.qk_rope_head_dim) / static_cast<double>(a.head_dim);

  if (r.present("n_routed_experts")) {
    a.moe.num_experts = static_cast<int>(r.positive("n_routed_experts"));
    a.moe.experts_per_token = static_cast<int>(r.positive("num_experts_per_tok"));
    a.moe.expert_ffn = r.positive("moe_intermediate_size");
    a.moe.shared_experts = static_cast<int>(r.non_negative_or("n_shared_experts", 0));
    a.moe.shared_expert_ffn = a.moe.shared_experts * a.moe.expert_ffn;
    a.moe.first_dense_layers = static_cast<int>(r.non_negative_or("first_k_dense_replace", 0));
    a.moe.layer_frequency = static_cast<int>(r.positive_or("moe_layer_freq", 1));
    // V3's aux-loss-free balancing keeps one correction bias per expert (counted in the 671B).
    a.moe.router_bias = r.string_or("topk_method", a.model_type == "deepseek_v3" ? "noaux_tc" : "greedy") == "noaux_tc";
  }
  a.mtp_layers = r.non_negative_or("num_nextn_predict_layers", 0);
}

void read_gpt2(const HfReader& r, Architecture& a) {
  read_sizes(r, a, SizeKeys{"n_embd", "n_layer", "n_head", "n_positions"}, nullptr);
  a.head_dim = head_dim_of(r, a.hidden, a.heads, "n_head");
  a.ffn = r.positive_or("n_inner", 4 * a.hidden);
  a.tied_embeddings = r.flag_or("tie_word_embeddings", true);
  a.norm = NormKind::kLayerNorm;
  a.mlp = MlpKind::kPlain;
  a.linear_bias = true;
  a.learned_positions = true;
  a.rotary_fraction = 0.0;
  a.hidden_dropout = r.probability_or("resid_pdrop", 0.1);  // GPT2Config defaults
  a.attention_dropout = r.probability_or("attn_pdrop", 0.1);
}

void read_gpt_neox(const HfReader& r, Architecture& a) {
  read_sizes(r, a, SizeKeys{}, "intermediate_size");
  a.head_dim = head_dim_of(r, a.hidden, a.heads, "num_attention_heads");
  a.tied_embeddings = r.flag_or("tie_word_embeddings", false);
  a.norm = NormKind::kLayerNorm;
  a.mlp = MlpKind::kPlain;
  a.linear_bias = r.flag_or("attention_bias", true);
  a.parallel_residual = r.flag_or("use_parallel_residual", true);
  a.rope_theta = r.positive_number_or("rotary_emb_base", 10000.0);
  a.rotary_fraction = 0.25;
  if (auto pct = r.present("rotary_pct")) {
    a.rotary_fraction = pct->as_double();
    if (!(a.rotary_fraction > 0.0 && a.rotary_fraction <= 1.0)) throw pct->error("a fraction in (0, 1]");
  }
  read_rope_scaling(r, a);
  // Newer transformers name these hidden_dropout / attention_dropout.
  a.hidden_dropout = r.probability_or("hidden_dropout", r.probability_or("hidden_dropout_prob", 0.0));
  a.attention_dropout =
      r.probability_or("attention_dropout", r.probability_or("attention_probs_dropout_prob", 0.0));
}

void validate(const HfReader& r, Architecture& a) {
  if (a.layers > core::kMaxLayers)
    for (const char* key : {"num_hidden_layers", "n_layer", "num_layers"})
      if (auto n = r.present(key)) throw n->error("at most " + std::to_string(core::kMaxLayers) + " layers");
  if (a.heads % a.kv_heads != 0)
    throw r.at("num_key_value_heads")
        .error("a divisor of num_attention_heads (" + std::to_string(a.heads) + ")");
  if (a.moe.is_moe()) {
    const char* top_k = "num_experts_per_tok";
    if (a.moe.experts_per_token > a.moe.num_experts)
      throw r.at(top_k).error("at most the number of experts (" + std::to_string(a.moe.num_experts) + ")");
  }
}

}  // namespace

const std::vector<std::string>& supported_model_types() {
  static const std::vector<std::string> types{"llama",     "mistral",     "mixtral", "qwen2",  "qwen2_moe",
                                              "deepseek_v2", "deepseek_v3", "gpt2",    "gpt_neox"};
  return types;
}

Architecture parse_architecture(const core::ConfigNode& root, std::string name) {
  if (!root.is_map()) throw root.error("a JSON object (a HuggingFace config.json)");
  const HfReader r(root);
  Architecture a;
  a.name = std::move(name);
  const core::ConfigNode type_node = root.at("model_type");
  a.model_type = type_node.as_string();
  const auto& types = supported_model_types();
  if (std::find(types.begin(), types.end(), a.model_type) == types.end()) {
    std::string expected = "a supported model_type (" + core::expected_one_of(types) + ")";
    const auto near = core::closest_names(a.model_type, types, 1);
    if (!near.empty()) expected += "; did you mean '" + near.front() + "'?";
    throw type_node.error(expected);
  }
  if (a.model_type == "gpt2") {
    read_gpt2(r, a);
  } else if (a.model_type == "gpt_neox") {
    read_gpt_neox(r, a);
  } else if (a.model_type == "deepseek_v2" || a.model_type == "deepseek_v3") {
    read_deepseek(r, a);
  } else {
    read_llama_like(r, a);
    if (a.model_type == "mixtral") read_mixtral(r, a);
    if (a.model_type == "qwen2_moe") read_qwen2_moe(r, a);
  }
  validate(r, a);
  if (!(a.params_total() <= core::kMaxModelParams))
    throw root.error(fmt::format("a model of at most {:g} parameters (this config describes {:.3g})",
                                 core::kMaxModelParams, a.params_total()));
  return a;
}

Architecture load_architecture(const std::filesystem::path& config_json) {
  return parse_architecture(core::ConfigNode::load_file(config_json), config_json.stem().string());
}

std::vector<std::string> builtin_model_names(const std::filesystem::path& data_dir) {
  std::vector<std::string> names;
  const auto dir = data_dir / "models";
  if (!std::filesystem::is_directory(dir)) return names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json")
      names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::filesystem::path resolve_model_config(const std::string& name_or_path,
                                           const std::filesystem::path& data_dir) {
  const bool looks_like_path = name_or_path.find('/') != std::string::npos ||
                               (name_or_path.size() > 5 && name_or_path.ends_with(".json"));
  if (looks_like_path) {
    std::error_code ec;  // non-throwing: a name too long for a path is just not a file
    if (!std::filesystem::is_regular_file(name_or_path, ec))
      throw core::Error::flag("--model", name_or_path, "an existing config.json file");
    return name_or_path;
  }
  const auto shipped = data_dir / "models" / (name_or_path + ".json");
  std::error_code ec;
  if (std::filesystem::is_regular_file(shipped, ec)) return shipped;
  std::string expected = "a known model name or a path to a HuggingFace config.json";
  const auto near = core::closest_names(name_or_path, builtin_model_names(data_dir));
  if (!near.empty()) {
    expected += " (did you mean: ";
    for (std::size_t i = 0; i < near.size(); ++i) expected += (i ? ", " : "") + near[i];
    expected += "?)";
  }
  throw core::Error::flag("--model", name_or_path, expected);
}

Architecture load_model(const std::string& name_or_path, const std::filesystem::path& data_dir) {
  return load_architecture(resolve_model_config(name_or_path, data_dir));
}

}  // namespace xpusim::model
