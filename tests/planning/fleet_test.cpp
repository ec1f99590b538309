#include <gtest/gtest.h>

#include <cmath>

#include "planning/fleet_run.hpp"
#include "planning/fleet_value.hpp"
#include "planning/training_layout.hpp"
#include "support/test_support.hpp"

namespace xpusim::planning {
namespace {

const scenario::Session& session() {
  static const scenario::Session s;
  return s;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const core::Error& e) {
    return e.what();
  }
  return "";
}

FleetValue value_of(const std::string& inventory_text, std::vector<std::string> models = {},
                    std::vector<hardware::Override> overrides = {}) {
  FleetValueRequest r;
  r.inventory = test::write_temp_file("inv.yaml", inventory_text);
  r.models = std::move(models);
  r.overrides = std::move(overrides);
  return value_fleet(session(), r);
}

TEST(FleetValue, H100sAloneAreWorthTheirCountByEveryMeasure) {
  const auto v = value_of("name: h\nsystems:\n  - {system: dgx-h100, gpus: 1000}\n  - {system: dgx-h100, nodes: 3}\n");
  EXPECT_DOUBLE_EQ(v.peak_bf16, 1024);
  EXPECT_DOUBLE_EQ(v.training, 1024);
  ASSERT_TRUE(v.serving) << v.serving_reason;
  EXPECT_DOUBLE_EQ(*v.serving, 1024);
  for (const auto& l : v.lines) {
    EXPECT_DOUBLE_EQ(l.peak_bf16_per_gpu, 1.0);
    EXPECT_DOUBLE_EQ(l.training_per_gpu, 1.0);
    ASSERT_TRUE(l.serving.per_gpu);
    EXPECT_DOUBLE_EQ(*l.serving.per_gpu, 1.0);
  }
}

TEST(FleetValue, MeasuresPartWaysOnOtherGenerations) {
  const auto v = value_of("name: m\nsystems:\n  - {system: hgx-h200, gpus: 1024}\n  - {system: dgx-a100, gpus: 1024}\n");
  const auto& h200 = v.lines[0];
  const auto& a100 = v.lines[1];
  EXPECT_DOUBLE_EQ(h200.peak_bf16_per_gpu, 1.0);  // same compute as H100
  EXPECT_GT(h200.training_per_gpu, 1.05);         // its bandwidth and memory are worth something
  ASSERT_TRUE(h200.serving.per_gpu) << h200.serving.reason;
  EXPECT_GT(*h200.serving.per_gpu, 1.15);  // 1.43x the bandwidth, 1.76x the memory: more clients per TPOT
  ASSERT_TRUE(a100.serving.per_gpu) << a100.serving.reason;
  EXPECT_LT(*a100.serving.per_gpu, 0.5);
  ASSERT_TRUE(v.serving);
  EXPECT_DOUBLE_EQ(*v.serving, 1024 * (*h200.serving.per_gpu + *a100.serving.per_gpu));
  EXPECT_LT(a100.peak_bf16_per_gpu, 0.33);
  EXPECT_GT(std::fabs(a100.training_per_gpu / a100.peak_bf16_per_gpu - 1), 0.05);
  // HBM by generation: H200 HBM3e, A100 HBM2e.
  EXPECT_EQ(v.hbm_by_generation.size(), 2u);
  EXPECT_EQ(v.hbm_by_vendor.count("unknown"), 1u);
}

TEST(FleetValue, ModelFlagChangesTheWorkloads) {
  const std::string inv = "name: m\nsystems:\n  - {system: dgx-a100, gpus: 64}\n";
  const auto a = value_of(inv, {"llama3-8b"});
  ASSERT_EQ(a.training_workloads.size(), 1u);
  EXPECT_EQ(a.training_workloads[0].model, "llama3-8b");
  const auto b = value_of(inv, {"mixtral-8x7b"});
  EXPECT_NE(a.training, b.training);
  EXPECT_NE(error_of([&] { value_of(inv, {"no-such-model"}); }).find("--model"), std::string::npos);
}

TEST(FleetValue, CostsAndLabelledAssumptions) {
  const auto v = value_of(
      "name: c\npue: {value: 1.2, source: \"assumption: test\"}\nelectricity_usd_per_kwh: 0.1\ndepreciation_years: 4\n"
      "systems:\n  - {system: dgx-h100, gpus: 800, price_per_gpu: {value: \"25000 USD\", source: \"assumption: p\"}}\n");
  const auto& l = v.lines[0];
  EXPECT_DOUBLE_EQ(l.cost.it_power_w, 800 * 10200.0 / 8);
  EXPECT_DOUBLE_EQ(l.cost.facility_power_w, 1.2 * 800 * 10200.0 / 8);
  EXPECT_DOUBLE_EQ(v.capex_usd, 800 * 25000.0);
  EXPECT_DOUBLE_EQ(v.depreciation_usd_per_year, 800 * 25000.0 / 4);
  EXPECT_NEAR(v.opex_usd_per_year, 1.2 * 800 * 1275.0 / 1000 * 8760 * 0.1, 1e-6);
  ASSERT_TRUE(v.usd_per_million_training_tokens);
  bool labelled = false;
  for (const auto& a : v.assumptions) labelled = labelled || (a.field == "systems[0].price_per_gpu" && a.source == "assumption: p");
  EXPECT_TRUE(labelled);
  // Defaults are labelled as defaults.
  const auto d = value_of("name: d\nsystems:\n  - {system: dgx-h100, gpus: 8}\n");
  EXPECT_EQ(d.costs.pue, 1.58);
  EXPECT_EQ(d.costs.pue_source.rfind("default:", 0), 0u);
  EXPECT_FALSE(d.usd_per_million_training_tokens);  // no price
}

TEST(FleetValue, OverridesDeriveTheSystem) {
  const auto v = value_of("name: o\nsystems:\n  - {system: hgx-h200, gpus: 8, set: [memory.stacks=8]}\n");
  EXPECT_EQ(v.lines[0].hbm.stacks, 64);
  EXPECT_NE(v.lines[0].hardware.find("memory.stacks=8"), std::string::npos);
  const auto g = value_of("name: o\nsystems:\n  - {system: hgx-h200, gpus: 8}\n", {}, {{"memory.stacks", "4"}});
  EXPECT_EQ(g.lines[0].hbm.stacks, 32);
  EXPECT_NE(error_of([&] { value_of("name: o\nsystems:\n  - {system: hgx-h200, gpus: 8, set: [memory.stack=8]}\n"); })
                .find("systems[0].set"),
            std::string::npos);
}

TEST(FleetValue, InputErrors) {
  FleetValueRequest r;
  r.inventory = "/no/such/inventory.yaml";
  EXPECT_EQ(error_of([&] { value_fleet(session(), r); }),
            "--inventory: expected an existing inventory YAML file, got \"/no/such/inventory.yaml\"");
}

FleetRunRequest small_run() {
  FleetRunRequest r;
  r.scenario.model = "llama3-8b";
  r.scenario.system = "dgx-h100";
  r.scenario.layout.gpus = 256;
  r.scenario.layout.seq_len = 4096;
  r.scenario.layout.global_batch = 512;
  r.tokens = 1e12;
  r.trials = 300;
  return r;
}

TEST(FleetRun, MonteCarloAgreesWithTheExpectation) {
  const auto res = run_fleet(session(), small_run());
  ASSERT_TRUE(res.outcome.step.feasible) << res.outcome.step.reason;
  EXPECT_TRUE(res.layout_searched);
  EXPECT_NEAR(res.monte_carlo.mean_s / res.expectation.expected_s, 1.0, 0.03);
  EXPECT_GT(res.expectation.expected_s, res.expectation.ideal_s);
  EXPECT_NEAR(res.expectation.ideal_s, 1e12 / res.outcome.step.tokens_per_s, 1e-6 * res.expectation.ideal_s);
  EXPECT_TRUE(res.interval_young_daly);
  EXPECT_NEAR(res.job.interval_s, fleet::young_daly_interval(res.job.write_s, 1 / res.job.rate_per_s), 1e-9);
  // The searched layout is the fastest the seam finds.
  const auto best = best_training_layout(session(), session().architecture("llama3-8b"),
                                         session().system("dgx-h100", "t"), 256, 4096, 512);
  EXPECT_EQ(best.step_time_s, res.outcome.step.step_time_s);
}

TEST(FleetRun, GivenLayoutIntervalAndSweep) {
  auto r = small_run();
  r.layout_given = true;
  r.scenario.layout.tp = 2;
  r.interval_s = 1800;
  r.sweep_gpus = {64, 256, 1024};
  const auto res = run_fleet(session(), r);
  ASSERT_TRUE(res.outcome.step.feasible);
  EXPECT_EQ(res.outcome.step.layout.tp, 2);
  EXPECT_FALSE(res.interval_young_daly);
  EXPECT_EQ(res.job.interval_s, 1800);
  ASSERT_EQ(res.sweep.size(), 3u);
  EXPECT_GT(res.sweep[0].ideal_s, res.sweep[2].ideal_s);  // more GPUs, less time
  EXPECT_GT(res.sweep[0].effective_fraction, res.sweep[2].effective_fraction);  // more failures
}

TEST(FleetRun, InfeasibleIsAResultAndBadInputThrows) {
  auto r = small_run();
  r.scenario.model = "llama3-405b";
  r.scenario.layout.gpus = 8;
  const auto res = run_fleet(session(), r);
  EXPECT_FALSE(res.outcome.step.feasible);
  EXPECT_FALSE(res.outcome.step.reason.empty());
  r = small_run();
  r.tokens = 0;
  EXPECT_NE(error_of([&] { run_fleet(session(), r); }).find("--tokens"), std::string::npos);
  r = small_run();
  r.trials = 0;
  EXPECT_NE(error_of([&] { run_fleet(session(), r); }).find("--trials"), std::string::npos);
}

TEST(FleetValue, ASystemThatCannotHoldTheServingModelHasNoServingValue) {
  // One 16 GB stack per H100: 8 x 16 GB cannot hold Llama 3 70B's 141 GB of bf16 weights.
  const auto v = value_of("name: s\nsystems:\n  - {system: dgx-h100, gpus: 8, set: [memory.stacks=1]}\n");
  ASSERT_EQ(v.lines.size(), 1u);
  EXPECT_FALSE(v.lines[0].serving.per_gpu);
  EXPECT_NE(v.lines[0].serving.reason.find("chat-70b"), std::string::npos) << v.lines[0].serving.reason;
  EXPECT_FALSE(v.serving);
  EXPECT_FALSE(v.serving_reason.empty());
}

}  // namespace
}  // namespace xpusim::planning
