#include "model/architecture.hpp"

namespace xpusim::model {
namespace {

// Parameters are counted in double: exact for integers below 2^53, far above any model.
double norm_params(const Architecture& a, double width) {
  return a.norm == NormKind::kLayerNorm ? 2.0 * width : width;  // LayerNorm has a bias
}

double attention_params(const Architecture& a) {
  const double h = static_cast<double>(a.hidden);
  const double heads = static_cast<double>(a.heads);
  if (a.mla.enabled()) {
    const MlaSpec& m = a.mla;
    const double qk_dim = m.qk_nope_head_dim + m.qk_rope_head_dim;
    const double q = m.q_lora_rank > 0
                         ? h * m.q_lora_rank + norm_params(a, m.q_lora_rank) + m.q_lora_rank * heads * qk_dim
                         : h * heads * qk_dim;
    const double kv = h * (m.kv_lora_rank + m.qk_rope_head_dim) + norm_params(a, m.kv_lora_rank) +
                      static_cast<double>(m.kv_lora_rank) * heads * (m.qk_nope_head_dim + m.v_head_dim);
    return q + kv + heads * m.v_head_dim * h;
  }
  const double qkv_width = static_cast<double>((a.heads + 2 * a.kv_heads) * a.head_dim);
  double p = h * qkv_width + heads * a.head_dim * h;
  if (a.qkv_bias || a.linear_bias) p += qkv_width;
  if (a.out_proj_bias || a.linear_bias) p += h;
  return p;
}

double dense_mlp_params(const Architecture& a, double width, bool bias) {
  const double h = static_cast<double>(a.hidden);
  if (a.mlp == MlpKind::kGated) return 3.0 * h * width + (bias ? 2.0 * width + h : 0.0);
  return 2.0 * h * width + (bias ? width + h : 0.0);
}

double moe_params(const Architecture& a, int routed_experts_counted) {
  const MoeSpec& m = a.moe;
  const double h = static_cast<double>(a.hidden);
  double p = h * m.num_experts + (m.router_bias ? m.num_experts : 0);
  p += routed_experts_counted * dense_mlp_params(a, static_cast<double>(m.expert_ffn), false);
  if (m.shared_expert_ffn > 0) p += dense_mlp_params(a, static_cast<double>(m.shared_expert_ffn), false);
  if (m.shared_expert_gate) p += h;
  return p;
}

double decoder_layer_params(const Architecture& a, long long layer, bool active_only) {
  double p = 2.0 * norm_params(a, static_cast<double>(a.hidden)) + attention_params(a);
  if (a.is_moe_layer(layer)) {
    p += moe_params(a, active_only ? a.moe.experts_per_token : a.moe.num_experts);
  } else {
    p += dense_mlp_params(a, static_cast<double>(a.ffn), a.mlp_bias || a.linear_bias);
  }
  return p;
}

double non_decoder_params(const Architecture& a) {
  return a.params_embedding() + norm_params(a, static_cast<double>(a.hidden));  // + final norm
}

}  // namespace

bool Architecture::is_moe_layer(long long layer) const {
  if (!moe.is_moe() || layer < moe.first_dense_layers) return false;
  return (layer + moe.layer_offset) % moe.layer_frequency == 0;
}

long long Architecture::moe_layers() const {
  long long n = 0;
  for (long long l = 0; l < layers; ++l) n += is_moe_layer(l) ? 1 : 0;
  return n;
}

double Architecture::params_decoder_layer(long long layer) const {
  return decoder_layer_params(*this, layer, false);
}

double Architecture::params_decoder_layer_active(long long layer) const {
  return decoder_layer_params(*this, layer, true);
}

double Architecture::kv_cache_elements_per_token() const {
  const double per_layer = mla.enabled() ? static_cast<double>(mla.kv_lora_rank + mla.qk_rope_head_dim)
                                         : 2.0 * static_cast<double>(kv_heads * head_dim);
  return per_layer * static_cast<double>(layers);
}

double Architecture::params_embedding() const {
  const double h = static_cast<double>(hidden);
  double p = static_cast<double>(vocab) * h;
  if (learned_positions) p += static_cast<double>(max_seq_len) * h;
  if (!tied_embeddings) p += static_cast<double>(vocab) * h;
  return p;
}

double Architecture::params_total() const {
  double p = non_decoder_params(*this);
  for (long long l = 0; l < layers; ++l) p += params_decoder_layer(l);
  return p;
}

double Architecture::params_active() const {
  double p = non_decoder_params(*this);
  for (long long l = 0; l < layers; ++l) p += params_decoder_layer_active(l);
  return p;
}

}  // namespace xpusim::model
