#include <gtest/gtest.h>

#include "training/memory.hpp"

#include <vector>

namespace xpusim::training {
namespace {

// GPT as in Korthikanti et al. 2022: MHA, plain 4h GELU MLP, LayerNorm, dropout.
model::Architecture gpt(long long h, long long a) {
  model::Architecture arch;
  arch.name = "gpt-test";
  arch.model_type = "gpt2";
  arch.hidden = h;
  arch.heads = a;
  arch.kv_heads = a;
  arch.head_dim = h / a;
  arch.ffn = 4 * h;
  arch.layers = 24;
  arch.vocab = 51200;
  arch.norm = model::NormKind::kLayerNorm;
  arch.mlp = model::MlpKind::kPlain;
  return arch;
}

ActivationShape korthikanti(long long b, long long s, int t, bool sp) {
  ActivationShape shape;
  shape.micro_batch = b;
  shape.seq_len = s;
  shape.tp = t;
  shape.sp = sp;
  shape.flash = false;
  shape.dropout = true;
  return shape;
}

TEST(ActivationMemory, MatchesKorthikantiWithoutParallelism) {
  const auto arch = gpt(4096, 32);
  const double s = 2048, b = 2, h = 4096, a = 32;
  // Eq. 1: s*b*h*(34 + 5*a*s/h)
  EXPECT_DOUBLE_EQ(layer_activation_bytes(arch, false, korthikanti(2, 2048, 1, false)),
                   s * b * h * (34 + 5 * a * s / h));
}

TEST(ActivationMemory, MatchesKorthikantiWithTensorParallel) {
  const auto arch = gpt(12288, 96);
  const double s = 2048, b = 1, h = 12288, a = 96, t = 8;
  // Eq. 2: s*b*h*(10 + 24/t + 5*a*s/(h*t))
  EXPECT_NEAR(layer_activation_bytes(arch, false, korthikanti(1, 2048, 8, false)),
              s * b * h * (10 + 24 / t + 5 * a * s / (h * t)), 1.0);
}

TEST(ActivationMemory, MatchesKorthikantiWithSequenceParallel) {
  const auto arch = gpt(12288, 96);
  const double s = 2048, b = 1, h = 12288, a = 96, t = 8;
  // Eq. 4: s*b*h/t*(34 + 5*a*s/h)
  EXPECT_NEAR(layer_activation_bytes(arch, false, korthikanti(1, 2048, 8, true)),
              s * b * h / t * (34 + 5 * a * s / h), 1.0);
  // Selective recomputation keeps 34*s*b*h/t (Sec. 4.2).
  EXPECT_NEAR(layer_activation_bytes_selective(arch, false, korthikanti(1, 2048, 8, true)), s * b * h / t * 34, 1.0);
  // Full recomputation keeps the layer input, 2*s*b*h, sharded by SP.
  EXPECT_DOUBLE_EQ(layer_checkpoint_bytes(arch, korthikanti(1, 2048, 8, true)), 2 * s * b * h / t);
}

TEST(ActivationMemory, ContextParallelDividesBySequenceShards) {
  const auto arch = gpt(4096, 32);
  auto one = korthikanti(1, 8192, 8, true);
  one.flash = true;
  auto two = one;
  two.cp = 2;
  EXPECT_DOUBLE_EQ(layer_activation_bytes(arch, false, two), layer_activation_bytes(arch, false, one) / 2);
}

TEST(ActivationMemory, FlashAttentionDropsScoreMatrices) {
  const auto arch = gpt(4096, 32);
  auto shape = korthikanti(1, 4096, 1, false);
  const double unfused = layer_activation_bytes(arch, false, shape);
  shape.flash = true;
  const double flash = layer_activation_bytes(arch, false, shape);
  EXPECT_LT(flash, unfused / 2);  // 5*a*s/h = 160 of 194 bytes per s*b*h at s = 4096
}

TEST(InflightMicrobatches, OneFOneBHoldsPipelineDepth) {
  EXPECT_DOUBLE_EQ(inflight_stage_microbatches(8, 1, 64), 8.0);
  EXPECT_DOUBLE_EQ(inflight_stage_microbatches(8, 1, 4), 4.0);  // fewer micro-batches than stages
  EXPECT_DOUBLE_EQ(inflight_stage_microbatches(1, 1, 64), 1.0);
}

TEST(InflightMicrobatches, InterleavedAddsKorthikantiFactor) {
  // p * (1 + (p-1)/(p*v)) stage-micro-batches (Korthikanti Sec. 4.2.3).
  const double p = 8, v = 4;
  EXPECT_DOUBLE_EQ(inflight_stage_microbatches(8, 4, 64), p * (1 + (p - 1) / (p * v)));
}

// The schedule walk agrees with the closed forms on even chunks: 1F1B holds min(p - s, m)
// micro-batches, interleaved the 2*(p-s-1) + (v-1)*p + 1 chunks of its warm-up.
TEST(InflightMicrobatches, ScheduleWalkMatchesClosedFormsOnEvenChunks) {
  const std::vector<double> one{1.0}, four(4, 1.0);
  EXPECT_DOUBLE_EQ(stage_peak_activation_bytes(8, 1, 64, 0, one), 8.0);
  EXPECT_DOUBLE_EQ(stage_peak_activation_bytes(8, 1, 64, 5, one), 3.0);
  EXPECT_DOUBLE_EQ(stage_peak_activation_bytes(8, 1, 4, 0, one), 4.0);
  for (int s : {0, 3, 7})
    EXPECT_DOUBLE_EQ(stage_peak_activation_bytes(8, 4, 64, s, four), 4.0 * stage_inflight_microbatches(8, 4, 64, s));
  // Fewer chunk forwards than the warm-up: everything is in flight.
  EXPECT_DOUBLE_EQ(stage_peak_activation_bytes(8, 4, 2, 0, four), 8.0);
}

// By hand, Llama 3 405B on 16 stages x 8 chunks of one layer, the first chunk of stage 0 only the
// embedding (Grattafiori et al. 2024 Sec. 3.3.2), 32 micro-batches: stage 0's warm-up of
// 2*15 + 7*16 = 142 forwards plus one runs chunk 0 (no layer) 16 + 15 times and chunks 1..7 16
// times each: 112 layers' activations, where the chunk average would say 143 * 7/8 = 125.1. Stage
// 1 (eight one-layer chunks) holds 2*14 + 7*16 + 1 = 141.
TEST(InflightMicrobatches, EmbeddingOnlyChunkHoldsNoLayer) {
  std::vector<double> first(8, 1.0), middle(8, 1.0);
  first[0] = 0.0;
  EXPECT_DOUBLE_EQ(stage_peak_activation_bytes(16, 8, 32, 0, first), 112.0);
  EXPECT_DOUBLE_EQ(stage_peak_activation_bytes(16, 8, 32, 1, middle), 141.0);
  EXPECT_LT(stage_peak_activation_bytes(16, 8, 32, 0, first), 143.0 * 7.0 / 8.0);
}

}  // namespace
}  // namespace xpusim::training
