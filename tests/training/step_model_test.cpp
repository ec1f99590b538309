#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "model/architecture.hpp"
#include "support/test_support.hpp"
#include "training/step_model.hpp"

namespace xpusim::training {
namespace {

StepModel make(const char* model, const char* system) {
  return StepModel(model::load_model(model, XPUSIM_SOURCE_DATA_DIR), test::catalog().system(system, "--system"));
}

Layout layout(long long gpus, int tp, int pp, long long seq, long long gbs) {
  return make_layout(gpus, tp, pp, 1, 1, seq, gbs, 1);
}

TEST(StepModel, SeventyBWithoutModelParallelismDoesNotFit) {
  auto m = make("llama3-70b", "dgx-h100");
  const auto r = m.evaluate(layout(8, 1, 1, 4096, 64));
  EXPECT_FALSE(r.feasible);
  EXPECT_NE(r.reason.find("needs "), std::string::npos) << r.reason;
  EXPECT_NE(r.reason.find(" GiB per GPU, has 74.5 GiB"), std::string::npos) << r.reason;
  // 70.6B params x (2 bytes of weights + 2 of gradients) unsharded, Adam states over dp = 8.
  EXPECT_NEAR(r.memory.weights, 2 * 70.55e9, 1e9);
  EXPECT_NEAR(r.memory.optimizer, 12 * 70.55e9 / 8, 1e9);
}

TEST(StepModel, SeventyBWithTpAndPpFits) {
  auto m = make("llama3-70b", "dgx-h100");
  auto l = layout(64, 8, 4, 4096, 256);
  l.recompute = Recompute::kSelective;
  const auto r = m.evaluate(l);
  ASSERT_TRUE(r.feasible) << r.reason;
  EXPECT_EQ(r.layout.dp, 2);
  EXPECT_EQ(r.microbatches, 128);
  EXPECT_GT(r.mfu, 0.25);
  EXPECT_LT(r.mfu, 0.75);
  EXPECT_NEAR(r.time.total(), r.step_time_s, 1e-12);
  EXPECT_NEAR(r.tokens_per_s, 256.0 * 4096 / r.step_time_s, 1e-6);
}

struct Indivisible {
  const char* model;
  Layout layout;
  const char* reason;
};

TEST(StepModel, IndivisibleLayoutsAreInfeasibleWithReason) {
  auto base = layout(64, 8, 4, 4096, 256);
  std::vector<Indivisible> cases;
  auto heads = layout(24, 3, 1, 4096, 64);
  cases.push_back({"llama3-8b", heads, "attention heads 32 are not divisible by tp 3"});
  auto layers = base;
  layers.pp = 8;
  layers.vpp = 12;  // 82 units (layers, embedding, head) on 96 chunks
  layers.gpus = 128;
  layers.global_batch = 128;
  cases.push_back({"llama3-70b", layers, "layers 80 on pp*vpp = 96 chunks leave a chunk without layers"});
  auto gpus = base;
  gpus.gpus = 100;
  cases.push_back({"llama3-70b", gpus, "gpus 100 is not divisible by tp*pp*cp = 32"});
  auto batch = base;
  batch.global_batch = 101;
  cases.push_back({"llama3-70b", batch, "global batch 101 is not divisible by dp*micro_batch = 2"});
  auto experts = layout(48, 1, 1, 4096, 48);
  experts.ep = 3;
  cases.push_back({"mixtral-8x7b", experts, "experts 8 are not divisible by ep 3"});
  auto dense_ep = base;
  dense_ep.ep = 2;
  cases.push_back({"llama3-70b", dense_ep, "ep 2 needs a mixture-of-experts model"});
  auto dp = base;
  dp.dp = 4;
  cases.push_back({"llama3-70b", dp, "tp*pp*cp*dp = 128 does not equal gpus 64"});
  auto vpp1 = base;
  vpp1.pp = 1;
  vpp1.vpp = 2;
  vpp1.gpus = 16;
  cases.push_back({"llama3-70b", vpp1, "interleaved pipeline (vpp 2) needs pp > 1"});
  auto big = base;
  big.gpus = 1'000'000;
  cases.push_back({"llama3-70b", big, "exceeds the"});
  for (const auto& c : cases) {
    auto m = make(c.model, "dgx-h100");
    const auto r = m.evaluate(c.layout);
    EXPECT_FALSE(r.feasible) << c.reason;
    EXPECT_NE(r.reason.find(c.reason), std::string::npos) << "got: " << r.reason;
  }
}

TEST(StepModel, InterleavingDividesTheBubble) {
  auto m = make("llama3-70b", "dgx-h100");
  auto l = layout(64, 8, 4, 4096, 64);
  const auto one = m.evaluate(l);
  l.vpp = 2;
  const auto two = m.evaluate(l);
  ASSERT_TRUE(one.feasible && two.feasible);
  EXPECT_NEAR(one.time.bubble, 3 * (one.stage_fwd_s + one.stage_bwd_s), 1e-9);  // (p-1) slots
  EXPECT_NEAR(two.time.bubble, 1.5 * (two.stage_fwd_s + two.stage_bwd_s), 1e-9);  // (p-1)/v slots
  EXPECT_GT(two.memory.activations, one.memory.activations);  // 1 + (p-1)/(p*v) more in flight
}

TEST(StepModel, ZeroStagesShardStates) {
  auto m = make("llama3-8b", "dgx-h100");
  auto l = layout(64, 1, 1, 4096, 64);
  l.recompute = Recompute::kFull;
  l.zero = 0;
  const auto z0 = m.evaluate(l);
  l.zero = 1;
  const auto z1 = m.evaluate(l);
  l.zero = 2;
  const auto z2 = m.evaluate(l);
  l.zero = 3;
  const auto z3 = m.evaluate(l);
  EXPECT_NEAR(z0.memory.optimizer / z1.memory.optimizer, 64.0, 1e-9);
  EXPECT_NEAR(z1.memory.gradients / z2.memory.gradients, 64.0, 1e-9);
  EXPECT_NEAR(z2.memory.weights / z3.memory.weights, 64.0, 1e-9);
  // Mixed-precision Adam: 2 + 2 + 12 bytes per parameter without sharding (ZeRO paper).
  EXPECT_NEAR(z0.memory.weights * 8, z0.memory.weights + z0.memory.gradients + z0.memory.optimizer, 1.0);
  EXPECT_TRUE(z3.feasible);
  EXPECT_GT(z3.time.dp_comm + z3.dp_reduce_s, z1.dp_reduce_s);  // FSDP gathers every micro-batch
}

TEST(StepModel, RecomputationTradesMemoryForTime) {
  auto m = make("llama3-70b", "dgx-h100");
  auto l = layout(64, 8, 4, 4096, 256);
  const auto none = m.evaluate(l);
  l.recompute = Recompute::kFull;
  const auto full = m.evaluate(l);
  EXPECT_LT(full.memory.activations, none.memory.activations / 3);
  EXPECT_GT(full.step_time_s, none.step_time_s);
  EXPECT_GT(full.hfu, full.mfu * 1.2);  // the recomputed forward is hardware FLOPs only
  // Executed FLOPs: the causal mask skips half the attention matmuls the MFU convention counts.
  EXPECT_LT(none.hfu, none.mfu);
  EXPECT_GT(none.hfu, none.mfu * 0.8);
}

TEST(StepModel, ContextParallelExchangesKeysAndValues) {
  auto m = make("llama3-8b", "dgx-h100");
  auto l = layout(64, 4, 1, 32768, 32);
  const auto no_cp = m.evaluate(l);
  l.cp = 4;
  const auto cp = m.evaluate(l);
  ASSERT_TRUE(cp.feasible) << cp.reason;
  EXPECT_LT(cp.memory.activations, no_cp.memory.activations);
  l.framework.overlap_cp_comm = false;
  const auto exposed = m.evaluate(l);
  EXPECT_GT(exposed.time.cp_comm, 0.0);
  EXPECT_GE(exposed.time.cp_comm, cp.time.cp_comm);
}

TEST(StepModel, ExpertParallelAddsAllToAll) {
  auto m = make("mixtral-8x7b", "dgx-h100");
  auto l = layout(64, 1, 4, 4096, 256);
  l.ep = 8;
  l.recompute = Recompute::kSelective;
  const auto r = m.evaluate(l);
  ASSERT_TRUE(r.feasible) << r.reason;
  EXPECT_GT(r.time.ep_comm, 0.0);
  EXPECT_GT(r.memory.moe_buffers, 0.0);
  // Model FLOPs count the active (top-2) experts only: far fewer than 6 x 46.7B per token.
  EXPECT_LT(r.model_flops / (256.0 * 4096), 6 * 20e9);
}

TEST(StepModel, RankOrderDecidesWhichLinkTpUses) {
  auto m = make("llama3-70b", "dgx-h100");
  auto l = layout(64, 8, 4, 4096, 256);
  const auto inner = m.evaluate(l);
  l.order = {Axis::kPp, Axis::kDp, Axis::kTp, Axis::kCp, Axis::kEp};  // one TP rank per node
  const auto outer = m.evaluate(l);
  ASSERT_TRUE(outer.feasible);
  EXPECT_GT(outer.time.tp_comm, 3 * inner.time.tp_comm);
}

TEST(StepModel, Fp8IsFasterOnHopper) {
  auto m = make("llama3-70b", "dgx-h100");
  auto l = layout(64, 8, 4, 4096, 256);
  const auto bf16 = m.evaluate(l);
  l.dtype = core::Dtype::kFp8;
  const auto fp8 = m.evaluate(l);
  EXPECT_LT(fp8.time.compute, bf16.time.compute);
}

TEST(StepModel, CachedAndExplicitEvaluationsAgree) {
  auto m = make("llama3-8b", "dgx-h100");
  auto l = layout(16, 2, 1, 4096, 64);
  const auto a = m.evaluate(l);
  l.dp = a.layout.dp;
  const auto b = m.evaluate(l, m.shape_costs(l));
  EXPECT_DOUBLE_EQ(a.step_time_s, b.step_time_s);
  EXPECT_DOUBLE_EQ(a.memory.total(), b.memory.total());
}

}  // namespace
}  // namespace xpusim::training

namespace xpusim::training {
namespace {

TEST(StepModel, UnevenLayersSplitAsMegatronByDefault) {
  auto m = make("llama3-405b", "dgx-h100");
  auto l = layout(16384, 8, 16, 8192, 2048);
  l.recompute = Recompute::kFull;
  const auto r = m.evaluate(l);
  ASSERT_TRUE(r.feasible) << r.reason;
  const auto stages = m.stage_times(r.layout, m.shape_costs(r.layout));
  ASSERT_EQ(stages.size(), 16u);
  EXPECT_DOUBLE_EQ(stages[0].layers, 7);  // 8 - 1 (the embedding counts as a layer)
  EXPECT_DOUBLE_EQ(stages[1].layers, 8);
  EXPECT_DOUBLE_EQ(stages[15].layers, 7);
  double total = 0;
  for (const auto& s : stages) total += s.layers;
  EXPECT_DOUBLE_EQ(total, 126);
  // 128 units on 16 x 8 chunks: the first chunk holds only the embedding and the last only the
  // head (the Llama 3 paper's layout, Sec. 3.3.2), one layer in every other chunk.
  l.vpp = 8;
  const auto v8 = m.evaluate(l);
  EXPECT_TRUE(v8.reason.find("leave a chunk without layers") == std::string::npos) << v8.reason;
  const auto per_stage = m.stage_layers(l);
  ASSERT_EQ(per_stage.size(), 16u);
  EXPECT_EQ(per_stage.front(), 7);
  EXPECT_EQ(per_stage[1], 8);
  EXPECT_EQ(per_stage.back(), 7);
  l.vpp = 9;  // 144 chunks for 128 units: middle chunks without a layer
  EXPECT_NE(m.evaluate(l).reason.find("leave a chunk without layers"), std::string::npos);
}

// dgx-a100 with its sustained_clock_fraction replaced, as a user system file.
std::shared_ptr<const hardware::System> a100_at_clock(const std::string& fraction) {
  std::ifstream in(std::filesystem::path(XPUSIM_SOURCE_DATA_DIR) / "hardware" / "systems" / "dgx-a100.yaml");
  std::stringstream text;
  text << in.rdbuf();
  std::string yaml = text.str();
  const auto at = yaml.find("sustained_clock_fraction: {value: ");
  const auto begin = at + std::string("sustained_clock_fraction: {value: ").size();
  yaml.replace(begin, yaml.find(',', begin) - begin, fraction);
  return test::catalog().system(test::write_temp_file("clock/a100_" + fraction + ".yaml", yaml), "--system");
}

TEST(StepModel, SustainedClockFractionDividesOnlyTensorCoreKernels) {
  const auto arch = model::load_model("megatron-gpt-1.7b", XPUSIM_SOURCE_DATA_DIR);
  const Layout l = make_layout(8, 1, 1, 1, 1, 2048, 64, 4);
  const auto dense_fwd = [&](const std::string& f) {
    return StepModel(arch, a100_at_clock(f)).compute_shape_costs(l).dense.fwd_s;
  };
  const double full = dense_fwd("1.0"), half = dense_fwd("0.5"), quarter = dense_fwd("0.25");
  const double scaled = half - full;  // the tensor-core part at full clock
  EXPECT_GT(scaled, 0.5 * full);      // GEMMs dominate a layer...
  EXPECT_LT(scaled, full);            // ...but norms, activations and dropout do not scale
  EXPECT_NEAR(quarter - full, 3.0 * scaled, 1e-9 * full);
}

TEST(StepModel, SustainedClockFractionOutsideZeroToOneIsAnError) {
  const auto arch = model::load_model("megatron-gpt-1.7b", XPUSIM_SOURCE_DATA_DIR);
  for (const char* bad : {"0", "1.5"}) {
    try {
      StepModel m(arch, a100_at_clock(bad));
      ADD_FAILURE() << "expected core::Error for " << bad;
    } catch (const core::Error& e) {
      EXPECT_NE(std::string(e.what()).find("sustained_clock_fraction: expected a value in (0, 1]"), std::string::npos)
          << e.what();
    }
  }
}

}  // namespace
}  // namespace xpusim::training
