#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "core/error.hpp"
#include "model/operator.hpp"

namespace xpusim::model {
namespace {

Architecture shipped(const std::string& name) { return load_model(name, XPUSIM_SOURCE_DATA_DIR); }

const Op& find_op(const Layer& layer, const std::string& name, Pass pass = Pass::kForward) {
  for (const Op& op : layer.ops)
    if (op.name == name && op.pass == pass) return op;
  throw std::runtime_error("no op " + name + " in " + layer.name);
}

const Layer& layer_of(const Inventory& inv, const std::string& name) {
  const Layer* l = inv.find(name);
  if (!l) throw std::runtime_error("no layer " + name);
  return *l;
}

double gemm_flops(const Inventory& inv, Pass pass) {
  double sum = 0;
  for (const Layer& l : inv.layers)
    for (const Op& op : l.ops)
      if (op.pass == pass && (op.kind == OpKind::kGemm || op.kind == OpKind::kGroupedGemm))
        sum += op.flops * static_cast<double>(l.repeat);
  return sum;
}

// Parameters that no GEMM multiplies: the input embedding, norms and biases (and the router's
// correction bias).
double non_gemm_params(const Architecture& a) {
  double p = static_cast<double>(a.vocab) * a.hidden;
  if (a.learned_positions) p += static_cast<double>(a.max_seq_len) * a.hidden;
  const double norm = a.norm == NormKind::kLayerNorm ? 2.0 : 1.0;
  p += norm * a.hidden * (2 * a.layers + 1);
  if (a.mla.enabled()) p += norm * (a.mla.q_lora_rank + a.mla.kv_lora_rank) * a.layers;
  if (a.linear_bias) p += a.layers * (3.0 * a.hidden + a.hidden + a.ffn + a.hidden);
  if (a.qkv_bias && !a.linear_bias) p += a.layers * static_cast<double>((a.heads + 2 * a.kv_heads) * a.head_dim);
  if (a.moe.router_bias) p += static_cast<double>(a.moe_layers()) * a.moe.num_experts;
  return p;
}

TEST(Inventory, ParamsOnOneGpuEqualTheArchitectureCount) {
  for (const auto& name : builtin_model_names(XPUSIM_SOURCE_DATA_DIR)) {
    SCOPED_TRACE(name);
    const Architecture a = shipped(name);
    const Inventory inv = build_inventory(a, InventoryOptions{});
    EXPECT_NEAR(inv.total_params() / a.params_total(), 1.0, 1e-12);
  }
}

TEST(Inventory, ForwardGemmFlopsAreTwicePerTokenTheActiveGemmParams) {
  for (const char* name : {"llama3-8b", "llama2-70b", "qwen2-72b", "mixtral-8x7b", "deepseek-v3", "gpt2",
                           "gpt-neox-20b", "qwen2-57b-a14b", "megatron-gpt-18.4b"}) {
    SCOPED_TRACE(name);
    const Architecture a = shipped(name);
    InventoryOptions o;
    o.batch = 2;
    o.seq_len = 1024;
    const Inventory inv = build_inventory(a, o);
    const double tokens = 2048;
    // The tied head reuses the embedding matrix, so it multiplies V*h once more.
    const double head = a.tied_embeddings ? static_cast<double>(a.vocab) * a.hidden : 0;
    const double gemm_params = a.params_active() - non_gemm_params(a) + head;
    EXPECT_NEAR(gemm_flops(inv, Pass::kForward) / tokens / (2 * gemm_params), 1.0, 1e-9);
    // Backward: a dgrad and a wgrad GEMM per forward GEMM, so 6 N per token in all.
    EXPECT_NEAR(gemm_flops(inv, Pass::kBackward), 2 * gemm_flops(inv, Pass::kForward),
                1e-9 * gemm_flops(inv, Pass::kForward));
  }
}

TEST(Inventory, CausalAttentionFlopsFollowTheFlashConvention) {
  const Architecture a = shipped("llama3-8b");
  InventoryOptions o;
  o.batch = 2;
  o.seq_len = 8192;
  const Inventory inv = build_inventory(a, o);
  const Layer& dec = layer_of(inv, "decoder");
  EXPECT_EQ(dec.repeat, 32);
  const Op& fwd = find_op(dec, "attention");
  EXPECT_DOUBLE_EQ(fwd.flops, 4.0 * 2 * 8192 * 8192 * 32 * 128 / 2);
  EXPECT_DOUBLE_EQ(find_op(dec, "attention", Pass::kBackward).flops, 2.5 * fwd.flops);
  EXPECT_EQ(fwd.attention.heads, 32);
  EXPECT_EQ(fwd.attention.kv_heads, 8);
  EXPECT_EQ(fwd.attention.q_len, 8192);
  EXPECT_EQ(fwd.attention.kv_len, 8192);
  EXPECT_TRUE(fwd.attention.causal);
  // Total forward FLOPs per token: 2 N (GEMMs) + attention + the memory-bound ops (< 1%).
  const double tokens = 2.0 * 8192;
  const double gemm = gemm_flops(inv, Pass::kForward);
  const double attention = fwd.flops * 32;
  EXPECT_GT(inv.total_flops(Pass::kForward), gemm + attention);
  EXPECT_LT(inv.total_flops(Pass::kForward), 1.01 * (gemm + attention));
  EXPECT_NEAR(gemm / tokens, 2 * (a.params_total() - non_gemm_params(a)), 1.0);
}

TEST(Inventory, MegatronPaperFlopFormula) {
  // Narayanan et al. 2021 Sec. 5.1: F = 96 B s l h^2 (1 + s/(6h) + V/(16 l h)) per iteration is four
  // passes of the layers, 24 B s l h^2 (1 + s/(6h)) each with non-causal attention (twice the causal
  // pairs counted here), plus three passes of the logits GEMM (not recomputed), 2 B s h V each.
  const Architecture a = shipped("megatron-gpt-145.6b");
  InventoryOptions o;
  o.batch = 2;
  o.seq_len = 2048;
  const Inventory inv = build_inventory(a, o);
  const double attention = find_op(layer_of(inv, "decoder"), "attention").flops * a.layers;
  const double B = 2, s = 2048, l = 80, h = 12288, V = 51200;
  EXPECT_NEAR((gemm_flops(inv, Pass::kForward) + 2 * attention) /
                  (24 * B * s * l * h * h * (1 + s / (6 * h)) + 2 * B * s * h * V),
              1.0, 1e-12);
  const double iteration = gemm_flops(inv, Pass::kForward) * 3 + 2 * attention * 3 +
                           (gemm_flops(inv, Pass::kForward) - 2 * B * s * h * V + 2 * attention);  // + recompute
  EXPECT_NEAR(iteration / (96 * B * s * l * h * h * (1 + s / (6 * h) + V / (16 * l * h))), 1.0, 1e-12);
}

TEST(Inventory, AttentionPairsForDecodeWindowsAndContextParallelism) {
  AttentionShape s{1, 1, 1, 128, 128, 1, 4096, true, 0, 1};
  EXPECT_DOUBLE_EQ(attention_pairs(s), 4095.5);  // decode: one query over the context
  s.q_len = 4096;
  EXPECT_DOUBLE_EQ(attention_pairs(s), 4096.0 * 4096 / 2);
  s.causal = false;
  EXPECT_DOUBLE_EQ(attention_pairs(s), 4096.0 * 4096);
  s.causal = true;
  s.q_len = s.kv_len = 8192;
  s.window = 4096;  // Mistral: half the queries see the whole window
  EXPECT_DOUBLE_EQ(attention_pairs(s), 4096.0 * 4096 / 2 + 4096.0 * 4096);
  s.window = 0;
  s.context_parallel = 4;
  s.q_len = 2048;  // this GPU's share of 8192
  EXPECT_DOUBLE_EQ(attention_pairs(s), 8192.0 * 8192 / 2 / 4);
  EXPECT_DOUBLE_EQ(attention_flops(s, Pass::kForward), 2.0 * attention_pairs(s) * 256);
}

TEST(Inventory, GemmShapesAndBackwardTransposes) {
  const Architecture a = shipped("llama3-70b");
  InventoryOptions o;
  o.batch = 1;
  o.seq_len = 4096;
  o.tp = 8;
  const Inventory inv = build_inventory(a, o);
  const Layer& dec = layer_of(inv, "decoder");
  const Op& qkv = find_op(dec, "qkv_proj");
  EXPECT_EQ(qkv.gemm.m, 4096);
  EXPECT_EQ(qkv.gemm.k, 8192);
  EXPECT_EQ(qkv.gemm.n, (64 / 8 + 2 * 1) * 128);
  EXPECT_DOUBLE_EQ(qkv.params, 8192.0 * 1280);
  EXPECT_DOUBLE_EQ(qkv.bytes_read, (4096.0 * 8192 + 8192.0 * 1280) * 2);
  EXPECT_DOUBLE_EQ(qkv.bytes_written, 4096.0 * 1280 * 2);
  const Op& gate_up = find_op(dec, "gate_up_proj");
  EXPECT_EQ(gate_up.gemm.n, 2 * 28672 / 8);
  const Op& down = find_op(dec, "down_proj");
  EXPECT_EQ(down.gemm.k, 28672 / 8);
  EXPECT_EQ(down.gemm.n, 8192);
  const Op& out = find_op(dec, "out_proj");
  EXPECT_EQ(out.gemm.k, 8 * 128);
  const Op& dx = find_op(dec, "down_proj_dx", Pass::kBackward);
  EXPECT_EQ(dx.gemm.m, 4096);
  EXPECT_EQ(dx.gemm.n, 28672 / 8);
  EXPECT_EQ(dx.gemm.k, 8192);
  const Op& dw = find_op(dec, "down_proj_dw", Pass::kBackward);
  EXPECT_EQ(dw.gemm.m, 28672 / 8);
  EXPECT_EQ(dw.gemm.n, 8192);
  EXPECT_EQ(dw.gemm.k, 4096);
  EXPECT_DOUBLE_EQ(dw.bytes_written, down.params * 4);  // fp32 gradient
  EXPECT_EQ(dec.tp_collectives, 2);
  EXPECT_DOUBLE_EQ(dec.tp_collective_bytes, 4096.0 * 8192 * 2);
  // Backward ops mirror the forward ones, in reverse order.
  EXPECT_EQ(dec.ops.back().name, "attn_norm");
  EXPECT_EQ(dec.ops.back().pass, Pass::kBackward);
}

TEST(Inventory, TensorParallelismReplicatesKvHeadsBeyondTheirCount) {
  const Architecture a = shipped("llama3-70b");
  InventoryOptions o;
  o.tp = 16;
  o.seq_len = 1024;
  const Inventory inv = build_inventory(a, o);
  const Layer& dec = layer_of(inv, "decoder");
  EXPECT_EQ(find_op(dec, "qkv_proj").gemm.n, (4 + 2) * 128);
  EXPECT_EQ(find_op(dec, "attention").attention.kv_heads, 1);
  const Inventory tp1 = build_inventory(a, InventoryOptions{});
  const Inventory tp8 = build_inventory(a, InventoryOptions{.tp = 8});
  // Everything but the norms is split 8 ways.
  EXPECT_NEAR(tp8.total_params() * 8 / tp1.total_params(), 1.0, 2e-4);
  EXPECT_NEAR(tp8.total_flops(Pass::kForward) * 8 / tp1.total_flops(Pass::kForward), 1.0, 2e-3);
}

TEST(Inventory, MoeRoutedTokensPerExpertAndAllToAll) {
  Architecture a = shipped("mixtral-8x7b");
  InventoryOptions o;
  o.batch = 1;
  o.seq_len = 4096;
  o.ep = 4;
  const Inventory inv = build_inventory(a, o);
  const Layer& moe = layer_of(inv, "decoder_moe");
  EXPECT_EQ(moe.repeat, 32);
  const Op& up = find_op(moe, "exp_gate_up");
  EXPECT_EQ(up.kind, OpKind::kGroupedGemm);
  EXPECT_EQ(up.gemm.batch, 2);  // 8 experts over 4 EP ranks
  // 4 ranks x 4096 tokens x top-2 spread over 8 experts: 4096 rows each.
  EXPECT_EQ(up.gemm.m, 4096);
  EXPECT_EQ(up.gemm.n, 2 * 14336);
  EXPECT_EQ(up.gemm.k, 4096);
  EXPECT_DOUBLE_EQ(up.flops, 2.0 * 4096 * 2 * 2 * 14336 * 4096);
  EXPECT_DOUBLE_EQ(up.params, 2.0 * 4096 * 2 * 14336);
  const Op& dispatch = find_op(moe, "moe_dispatch");
  EXPECT_EQ(dispatch.kind, OpKind::kAllToAll);
  EXPECT_DOUBLE_EQ(dispatch.bytes_read, 4096.0 * 2 * 4096 * 2 * 3 / 4);
  find_op(moe, "moe_combine");
  find_op(moe, "moe_dispatch", Pass::kBackward);
  const Op& router = find_op(moe, "router");
  EXPECT_EQ(router.gemm.n, 8);
  EXPECT_EQ(router.gemm.k, 4096);
  // A capacity factor pads every expert's rows.
  a.moe.capacity_factor = 1.25;
  EXPECT_EQ(find_op(layer_of(build_inventory(a, o), "decoder_moe"), "exp_gate_up").gemm.m, 5120);
  // Without EP there is no all-to-all.
  o.ep = 1;
  const Inventory no_ep = build_inventory(a, o);
  for (const Op& op : layer_of(no_ep, "decoder_moe").ops) EXPECT_NE(op.kind, OpKind::kAllToAll);
}

TEST(Inventory, ExpertTensorParallelism) {
  const Architecture a = shipped("mixtral-8x7b");
  InventoryOptions o;
  o.seq_len = 4096;
  o.tp = 4;
  o.sequence_parallel = true;
  o.ep = 8;
  o.etp = 1;  // whole experts, one per GPU; each TP rank routes its 1024 tokens
  const Inventory inv = build_inventory(a, o);
  const Op& up = find_op(layer_of(inv, "decoder_moe"), "exp_gate_up");
  EXPECT_EQ(up.gemm.batch, 1);
  EXPECT_EQ(up.gemm.m, 1024 * 2);  // 8 ranks x 1024 tokens x top-2 over 8 experts
  EXPECT_EQ(up.gemm.n, 2 * 14336);
  // Default etp = tp: experts split 4 ways, the TP group's 4096 tokens gathered.
  o.etp = 0;
  o.ep = 2;
  const Inventory split = build_inventory(a, o);
  const Op& up4 = find_op(layer_of(split, "decoder_moe"), "exp_gate_up");
  EXPECT_EQ(up4.gemm.batch, 4);
  EXPECT_EQ(up4.gemm.m, 4096 * 2 * 2 / 8);
  EXPECT_EQ(up4.gemm.n, 2 * 14336 / 4);
  EXPECT_EQ(inventory_infeasibility(a, InventoryOptions{.etp = -1}), "etp -1 must be positive (0: = tp)");
  Architecture odd = a;
  odd.moe.expert_ffn = 1001;
  EXPECT_EQ(inventory_infeasibility(odd, InventoryOptions{.etp = 2}), "etp 2 does not divide the expert MLP width 1001");
}

TEST(Inventory, MoeDecodeRunsOnlyTheExpertsThatGetATokens) {
  const Architecture a = shipped("deepseek-v3");
  InventoryOptions o;
  o.batch = 1;
  o.seq_len = 1;
  o.kv_len = 4096;
  o.backward = false;
  const Inventory inv = build_inventory(a, o);
  const Op& up = find_op(layer_of(inv, "decoder_moe"), "exp_gate_up");
  EXPECT_EQ(up.gemm.batch, 8);
  EXPECT_EQ(up.gemm.m, 1);
  EXPECT_DOUBLE_EQ(up.params, 256.0 * 7168 * 2 * 2048);  // every expert is resident
  EXPECT_DOUBLE_EQ(up.bytes_read, (8.0 * 7168 + 8.0 * 7168 * 4096) * 2);
  for (const Layer& l : inv.layers)
    for (const Op& op : l.ops) EXPECT_EQ(op.pass, Pass::kForward);
}

TEST(Inventory, MlaShapes) {
  const Architecture a = shipped("deepseek-v3");
  InventoryOptions o;
  o.seq_len = 4096;
  o.tp = 8;
  const Inventory inv = build_inventory(a, o);
  EXPECT_EQ(layer_of(inv, "decoder_dense").repeat, 3);
  EXPECT_EQ(layer_of(inv, "decoder_moe").repeat, 58);
  const Layer& l = layer_of(inv, "decoder_moe");
  EXPECT_EQ(find_op(l, "q_a_proj").gemm.n, 1536);  // replicated over TP
  EXPECT_EQ(find_op(l, "q_a_proj").gemm.k, 7168);
  EXPECT_EQ(find_op(l, "q_b_proj").gemm.k, 1536);
  EXPECT_EQ(find_op(l, "q_b_proj").gemm.n, 16 * 192);
  EXPECT_EQ(find_op(l, "kv_a_proj").gemm.n, 512 + 64);
  EXPECT_EQ(find_op(l, "kv_b_proj").gemm.k, 512);
  EXPECT_EQ(find_op(l, "kv_b_proj").gemm.n, 16 * (128 + 128));
  EXPECT_EQ(find_op(l, "out_proj").gemm.k, 16 * 128);
  const AttentionShape& s = find_op(l, "attention").attention;
  EXPECT_EQ(s.heads, 16);
  EXPECT_EQ(s.head_dim, 192);
  EXPECT_EQ(s.v_head_dim, 128);
  EXPECT_DOUBLE_EQ(find_op(l, "attention").flops, 2.0 * 16 * 4096.0 * 4096 / 2 * (192 + 128));
  EXPECT_EQ(find_op(l, "shr_gate_up").gemm.n, 2 * 2048 / 8);
  EXPECT_EQ(find_op(l, "exp_gate_up").gemm.n, 2 * 2048 / 8);
  EXPECT_EQ(find_op(l, "router").gemm.n, 256);
  EXPECT_DOUBLE_EQ(find_op(l, "router_topk").params, 256);  // correction bias
}

TEST(Inventory, ContextParallelismSplitsTokensAndAttention) {
  const Architecture a = shipped("llama3-8b");
  InventoryOptions o;
  o.seq_len = 8192;
  const Inventory one = build_inventory(a, o);
  o.cp = 4;
  const Inventory four = build_inventory(a, o);
  const Layer& dec = layer_of(four, "decoder");
  EXPECT_EQ(find_op(dec, "qkv_proj").gemm.m, 2048);
  EXPECT_EQ(find_op(dec, "attention").attention.q_len, 2048);
  EXPECT_EQ(find_op(dec, "attention").attention.kv_len, 8192);
  EXPECT_DOUBLE_EQ(find_op(dec, "attention").flops * 4, find_op(layer_of(one, "decoder"), "attention").flops);
  EXPECT_DOUBLE_EQ(dec.cp_kv_bytes, 2048.0 * 8 * 256 * 2);
  EXPECT_DOUBLE_EQ(layer_of(one, "decoder").cp_kv_bytes, 0);
}

TEST(Inventory, SequenceParallelNormsRunOnATpShare) {
  const Architecture a = shipped("llama3-70b");
  InventoryOptions o;
  o.seq_len = 4096;
  o.tp = 8;
  o.sequence_parallel = true;
  const Inventory inv = build_inventory(a, o);
  const Layer& dec = layer_of(inv, "decoder");
  EXPECT_DOUBLE_EQ(find_op(dec, "attn_norm").bytes_written, 512.0 * 8192 * 2);
  EXPECT_EQ(find_op(dec, "qkv_proj").gemm.m, 4096);
}

TEST(Inventory, DecodeReadsTheKvCache) {
  const Architecture a = shipped("llama3-8b");
  InventoryOptions o;
  o.batch = 8;
  o.seq_len = 1;
  o.kv_len = 4096;
  o.backward = false;
  const Inventory inv = build_inventory(a, o);
  const Layer& dec = layer_of(inv, "decoder");
  const Op& att = find_op(dec, "attention");
  EXPECT_DOUBLE_EQ(att.flops, 4.0 * 8 * 4095.5 * 32 * 128);
  EXPECT_DOUBLE_EQ(att.bytes_read, (8.0 * 32 * 128 + 8.0 * 4096 * 8 * 256) * 2);
  EXPECT_EQ(find_op(dec, "qkv_proj").gemm.m, 8);
}

TEST(Inventory, GptFamiliesHaveTheirOwnOps) {
  const Inventory neox = build_inventory(shipped("gpt-neox-20b"), InventoryOptions{});
  const Layer& dec = layer_of(neox, "decoder");
  EXPECT_THROW(find_op(dec, "attn_resid"), std::runtime_error);  // parallel residual
  EXPECT_DOUBLE_EQ(find_op(dec, "mlp_resid").bytes_read, 3.0 * 2048 * 6144 * 2);
  EXPECT_DOUBLE_EQ(find_op(dec, "rotary").bytes_read, 0.25 * 2048 * 128 * 96 * 2);
  const Inventory gpt2 = build_inventory(shipped("gpt2"), InventoryOptions{.seq_len = 1024});
  EXPECT_EQ(find_op(layer_of(gpt2, "decoder"), "up_proj").gemm.n, 3072);
  find_op(layer_of(gpt2, "decoder"), "mlp_dropout");
  find_op(layer_of(gpt2, "embedding"), "embed_dropout");
  EXPECT_DOUBLE_EQ(find_op(layer_of(gpt2, "head"), "logits").params, 0);  // tied
  EXPECT_DOUBLE_EQ(find_op(layer_of(gpt2, "head"), "logits_dw", Pass::kBackward).bytes_written, 50257.0 * 768 * 4);
  for (const Op& op : layer_of(gpt2, "decoder").ops) EXPECT_NE(op.kind, OpKind::kRotary);
}

TEST(Inventory, EveryModelAndLayoutGivesFiniteOpsWithABackwardForEach) {
  const InventoryOptions layouts[] = {
      {}, {.batch = 2, .seq_len = 4096, .tp = 8, .sequence_parallel = true, .cp = 2},
      {.batch = 4, .seq_len = 1, .kv_len = 8192, .tp = 4, .backward = false}};
  for (const auto& name : builtin_model_names(XPUSIM_SOURCE_DATA_DIR)) {
    const Architecture a = shipped(name);
    for (InventoryOptions o : layouts) {
      if (a.moe.is_moe()) o.ep = 2;
      if (!inventory_infeasibility(a, o).empty()) continue;  // e.g. GPT-2's 12 heads over TP 8
      SCOPED_TRACE(name + " tp " + std::to_string(o.tp));
      const Inventory inv = build_inventory(a, o);
      for (const Layer& l : inv.layers) {
        std::size_t forward = 0, backward = 0, gemms = 0;
        for (const Op& op : l.ops) {
          EXPECT_TRUE(std::isfinite(op.flops) && op.flops >= 0) << op.name;
          EXPECT_GT(op.bytes_read, 0) << op.name;
          EXPECT_GT(op.bytes_written, 0) << op.name;
          EXPECT_GE(op.activation_bytes, 0) << op.name;
          (op.pass == Pass::kForward ? forward : backward) += 1;
          if (op.pass == Pass::kForward && (op.kind == OpKind::kGemm || op.kind == OpKind::kGroupedGemm)) ++gemms;
          if (op.pass == Pass::kBackward) {
            EXPECT_EQ(op.params, 0) << op.name;
          }
        }
        EXPECT_EQ(backward, o.backward ? forward + gemms : 0) << l.name;
      }
    }
  }
}

// Korthikanti et al. 2022, Sec. 4: activation bytes per layer at 16 bits with dropout.
TEST(ActivationMemory, MatchesKorthikantiWithoutFlashAttention) {
  const Architecture a = shipped("megatron-gpt-18.4b");  // h 6144, 48 heads, dropout 0.1
  const double s = 2048, b = 4, h = 6144, heads = 48;
  InventoryOptions o;
  o.batch = 4;
  o.seq_len = 2048;
  o.flash_attention = false;
  EXPECT_DOUBLE_EQ(activation_bytes_per_layer(a, o), s * b * h * 34 + 5 * heads * s * s * b);
  o.tp = 8;
  const double t = 8;
  EXPECT_DOUBLE_EQ(activation_bytes_per_layer(a, o), s * b * h * (10 + 24 / t + 5 * heads * s / (h * t)));
  o.sequence_parallel = true;
  EXPECT_DOUBLE_EQ(activation_bytes_per_layer(a, o), s * b * h / t * (34 + 5 * heads * s / h));
}

TEST(ActivationMemory, FlashAttentionKeepsOnlySoftmaxStatistics) {
  const Architecture a = shipped("megatron-gpt-18.4b");
  const double s = 2048, b = 4, h = 6144, heads = 48, t = 8;
  InventoryOptions o;
  o.batch = 4;
  o.seq_len = 2048;
  EXPECT_DOUBLE_EQ(activation_bytes_per_layer(a, o), s * b * h * 34 + 4 * heads * s * b);
  o.tp = 8;
  o.sequence_parallel = true;
  EXPECT_DOUBLE_EQ(activation_bytes_per_layer(a, o), s * b * h / t * 34 + 4 * heads * s * b / t);
}

TEST(ActivationMemory, GatedGqaModelWithoutDropout) {
  // Llama: no dropout masks; Q (h), K and V (2 h g/a), SwiGLU input 2 f and output f.
  const Architecture a = shipped("llama3-8b");
  const double s = 4096, h = 4096, f = 14336, kv = 1024;
  InventoryOptions o;
  o.seq_len = 4096;
  const double expected = s * 2 * (h + h + h + 2 * kv + h + h + h + 2 * f + f) + 4 * 32 * s;
  EXPECT_DOUBLE_EQ(activation_bytes_per_layer(a, o), expected);
}

TEST(InventoryErrors, LayoutsThatDoNotDivide) {
  const Architecture llama = shipped("llama3-70b");
  const Architecture mixtral = shipped("mixtral-8x7b");
  EXPECT_EQ(inventory_infeasibility(llama, InventoryOptions{.tp = 3}),
            "tp 3 does not divide the 64 attention heads");
  EXPECT_EQ(inventory_infeasibility(shipped("qwen2-57b-a14b"), InventoryOptions{.tp = 7}),
            "tp 7 neither divides nor is a multiple of the 4 key/value heads");
  EXPECT_EQ(inventory_infeasibility(llama, InventoryOptions{.ep = 2}),
            "ep 2 needs a mixture-of-experts model; llama3-70b is dense");
  EXPECT_EQ(inventory_infeasibility(mixtral, InventoryOptions{.ep = 3}), "ep 3 does not divide the 8 experts");
  EXPECT_EQ(inventory_infeasibility(llama, InventoryOptions{.seq_len = 1000, .cp = 16}),
            "cp 16 does not divide the sequence length 1000");
  EXPECT_EQ(inventory_infeasibility(llama, InventoryOptions{.seq_len = 12, .tp = 8, .sequence_parallel = true}),
            "sequence parallelism needs tp 8 to divide the 12 tokens of a micro-batch on one CP rank");
  EXPECT_EQ(inventory_infeasibility(llama, InventoryOptions{.seq_len = 100, .kv_len = 10}),
            "kv_len 10 is shorter than seq_len 100");
  EXPECT_EQ(inventory_infeasibility(llama, InventoryOptions{.batch = 0}),
            "batch 0, seq_len 2048 and kv_len 0 must be positive (kv_len 0: seq_len)");
  EXPECT_EQ(inventory_infeasibility(llama, InventoryOptions{.tp = 0}), "tp 0, cp 1 and ep 1 must be positive");
  EXPECT_EQ(inventory_infeasibility(shipped("gpt2"), InventoryOptions{.tp = 4}), "");
  Architecture odd = llama;
  odd.ffn = 28671;
  EXPECT_EQ(inventory_infeasibility(odd, InventoryOptions{.tp = 8}), "tp 8 does not divide the MLP width 28671");
  Architecture experts = mixtral;
  experts.moe.expert_ffn = 1001;
  EXPECT_EQ(inventory_infeasibility(experts, InventoryOptions{.tp = 2}),
            "tp 2 does not divide the expert MLP width 1001");
  Architecture shared = shipped("qwen2-57b-a14b");
  shared.moe.shared_expert_ffn = 1001;
  EXPECT_EQ(inventory_infeasibility(shared, InventoryOptions{}).size(), 0u);
  EXPECT_EQ(inventory_infeasibility(shared, InventoryOptions{.tp = 2}),
            "tp 2 does not divide the shared-expert MLP width 1001");
  try {
    build_inventory(llama, InventoryOptions{.tp = 3});
    FAIL() << "no error";
  } catch (const core::Error& e) {
    EXPECT_STREQ(e.what(), "llama3-70b: tp 3 does not divide the 64 attention heads");
  }
}

}  // namespace
}  // namespace xpusim::model
