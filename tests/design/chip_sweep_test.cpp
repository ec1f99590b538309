#include "design/chip_sweep.hpp"

#include <gtest/gtest.h>

#include "design/design_fixtures.hpp"

#include "core/error.hpp"
#include "scenario/evaluate.hpp"
#include "serving/goodput.hpp"

namespace xpusim::design {
namespace {

using test::coefficients;
using test::session;

TEST(ChipSweep, ParsesAxesAndRefusesBadOnes) {
  const auto a = parse_axis("memory.stacks=4, 6,8");
  EXPECT_EQ(a.path, "memory.stacks");
  EXPECT_EQ(a.values, (std::vector<std::string>{"4", "6", "8"}));
  EXPECT_THROW(parse_axis("memory.stacks"), core::Error);
  EXPECT_THROW(parse_axis("=4"), core::Error);
  EXPECT_THROW(parse_axis("memory.stacks=4,,6"), core::Error);
  EXPECT_THROW(parse_axis("memory.stacks=4,4"), core::Error);
  EXPECT_THROW(sweep_grid({parse_axis("tdp=700W"), parse_axis("tdp=800W")}), core::Error);
}

TEST(ChipSweep, TheGridIsEveryCombinationFirstAxisSlowest) {
  const auto g = sweep_grid({parse_axis("memory.stacks=4,8"), parse_axis("memory.generation=hbm3,hbm3e,hbm2e")});
  ASSERT_EQ(g.size(), 6u);
  EXPECT_EQ(g[0][0].value, "4");
  EXPECT_EQ(g[0][1].value, "hbm3");
  EXPECT_EQ(g[1][1].value, "hbm3e");
  EXPECT_EQ(g[3][0].value, "8");
  EXPECT_EQ(g[5][1].value, "hbm2e");
}

TEST(ChipSweep, ParetoFrontKeepsOnlyUndominatedValidPoints) {
  // throughput (max), cost (min)
  const std::vector<double> t{10, 12, 11, 15, 15, 20};
  const std::vector<double> c{100, 110, 120, 150, 140, 1000};
  const std::vector<bool> valid{true, true, true, true, true, false};
  const auto f = pareto_front(t, c, false, valid);
  EXPECT_EQ(f, (std::vector<bool>{true, true, false, false, true, false}));
}

TEST(ChipSweep, APointEqualToTheCatalogChipReproducesItExactly) {
  SweepSpec spec;
  spec.base = "h100-sxm5-80gb";
  spec.train = TrainWorkload{"llama3-8b", 64, 4096, 256};
  // 700 W is the H100 SXM's own TDP: the point is the catalog chip. (memory.stacks=5 would not
  // be: it re-derives the bandwidth from the pin rate, 3.354 TB/s against the catalog's 3.35.)
  const auto p = evaluate_point(session(), spec, {{"tdp", "700 W"}}, coefficients());
  ASSERT_TRUE(p.feasible) << p.reason;
  const auto catalog = spec.train_search(session(), *spec.train, session().system("dgx-h100", "--system"));
  ASSERT_TRUE(p.train.has_value());
  EXPECT_EQ(p.train->step_time_s, catalog.step_time_s);
  EXPECT_EQ(p.train->layout.tp, catalog.layout.tp);
  const auto cost = estimate_cost(*session().chip("h100-sxm5-80gb", "--chip"), coefficients());
  EXPECT_EQ(p.cost.cost_usd, cost.cost_usd);
  EXPECT_EQ(p.cost.power_w, cost.power_w);
  // And the training figure equals what `xpusim train` gives for that layout.
  scenario::Scenario s;
  s.model = "llama3-8b";
  s.system = "dgx-h100";
  s.layout = p.train->layout;
  s.layout.dp = 0;
  EXPECT_EQ(scenario::evaluate(session(), s).step.step_time_s, p.train->step_time_s);
}

TEST(ChipSweep, ADesignThatCannotHoldTheModelIsInfeasibleWithTheReason) {
  SweepSpec spec;
  spec.base = "dgx-h100";
  spec.train = TrainWorkload{"llama3-70b", 8, 4096, 8};
  const auto p = evaluate_point(session(), spec, {{"memory.stacks", "1"}}, coefficients());
  EXPECT_FALSE(p.feasible);
  EXPECT_NE(p.reason.find("GiB"), std::string::npos) << p.reason;
  EXPECT_EQ(p.limiting_resource, "hbm_capacity");
}

TEST(ChipSweep, MoreBandwidthNeverSlowsTrainingAndTheSweepIsInGridOrder) {
  SweepSpec spec;
  spec.base = "dgx-h100";
  spec.axes = {parse_axis("memory.stacks=4,5,6,8")};
  spec.train = TrainWorkload{"llama3-8b", 64, 4096, 256};
  const auto points = run_sweep(session(), spec, coefficients());
  ASSERT_EQ(points.size(), 4u);
  for (std::size_t i = 0; i < points.size(); ++i) {
    EXPECT_EQ(points[i].params[0].value, spec.axes[0].values[i]);
    ASSERT_TRUE(points[i].feasible) << points[i].reason;
    if (i) {
      EXPECT_GE(points[i].train_tokens_per_s_per_chip, points[i - 1].train_tokens_per_s_per_chip);
      EXPECT_GT(points[i].cost.cost_usd, points[i - 1].cost.cost_usd);
    }
  }
}

TEST(ChipSweep, ABadOverrideFailsBeforeAnyWork) {
  SweepSpec spec;
  spec.base = "dgx-h100";
  spec.axes = {parse_axis("memory.stacks=4,six")};
  try {
    run_sweep(session(), spec, coefficients());
    FAIL() << "expected an error";
  } catch (const core::Error& e) {
    EXPECT_NE(std::string(e.what()).find("memory.stacks"), std::string::npos) << e.what();
  }
}

ServeWorkload chat_70b() {
  ServeWorkload w;
  w.model = "llama3-70b";
  w.engine = serving::load_engine("vllm", session().data_dir());
  return w;  // 2048 prompt, 256 output tokens, TTFT 2 s, TPOT 50 ms, 8 GPUs
}

TEST(ChipSweepServe, APointEqualToTheCatalogChipReproducesItsServingExactly) {
  SweepSpec spec;
  spec.base = "h100-sxm5-80gb";
  spec.serve = chat_70b();
  const auto p = evaluate_point(session(), spec, {{"tdp", "700 W"}}, coefficients());
  ASSERT_TRUE(p.feasible) << p.reason;
  ASSERT_TRUE(p.serve.has_value());
  // What `xpusim serve` builds for the catalog system.
  const auto system = session().system("dgx-h100", "--system");
  const auto cost = session().cost_model(system->chip_ptr());
  const cost::CollectiveModel coll(*system);
  const auto catalog = serving::best_slo_goodput(*session().architecture("llama3-70b"), *cost, &coll,
                                                 spec.serve->engine, serving::Placement{}, spec.serve->workload);
  ASSERT_TRUE(catalog.feasible);
  EXPECT_EQ(p.serve->goodput_tokens_per_s_per_gpu, catalog.goodput_tokens_per_s_per_gpu);
  EXPECT_EQ(p.serve_goodput_tokens_per_s_per_chip, catalog.goodput_tokens_per_s_per_gpu);
  EXPECT_EQ(p.serve->tp, catalog.tp);
  EXPECT_EQ(p.serve->concurrency, catalog.concurrency);
  EXPECT_EQ(p.serve->result.ttft_s.p99, catalog.result.ttft_s.p99);
  EXPECT_EQ(p.serve->result.tpot_s.p99, catalog.result.tpot_s.p99);
  EXPECT_EQ(p.limiting_resource, catalog.limiting_resource);
}

TEST(ChipSweepServe, AMemoryThatCannotHoldTheModelIsInfeasibleWithTheReason) {
  SweepSpec spec;
  spec.base = "h100-sxm5-80gb";
  spec.serve = chat_70b();
  // One 16 GB stack: 8 x 16 GB < the 141 GB of bf16 weights at any TP degree.
  const auto p = evaluate_point(session(), spec, {{"memory.stacks", "1"}}, coefficients());
  EXPECT_FALSE(p.feasible);
  EXPECT_EQ(p.limiting_resource, "hbm_capacity");
  EXPECT_NE(p.reason.find("tp 8"), std::string::npos) << p.reason;
  EXPECT_NE(p.reason.find("weights"), std::string::npos) << p.reason;
  EXPECT_EQ(p.serve_goodput_tokens_per_s_per_chip, 0);
}

TEST(ChipSweepServe, EightHbm3eStacksServeFasterThanFourHbm3Stacks) {
  SweepSpec spec;
  spec.base = "h100-sxm5-80gb";
  spec.serve = chat_70b();
  const auto small = evaluate_point(session(), spec, {{"memory.stacks", "4"}, {"memory.generation", "hbm3"}}, coefficients());
  const auto big = evaluate_point(session(), spec, {{"memory.stacks", "8"}, {"memory.generation", "hbm3e"}}, coefficients());
  ASSERT_TRUE(small.feasible && big.feasible) << small.reason << big.reason;
  EXPECT_GT(big.serve_goodput_tokens_per_s_per_chip, 1.3 * small.serve_goodput_tokens_per_s_per_chip);
  // Decode steps read the weights and KV: HBM-bound at the chosen batch on both.
  EXPECT_EQ(small.serve->decode_bound, "hbm_bandwidth");
}

}  // namespace
}  // namespace xpusim::design
