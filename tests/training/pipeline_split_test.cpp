#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "model/architecture.hpp"
#include "support/test_support.hpp"
#include "training/step_model.hpp"

namespace xpusim::training {
namespace {

StepModel make(const char* model) {
  return StepModel(model::load_model(model, XPUSIM_SOURCE_DATA_DIR), test::catalog().system("dgx-h100", "--system"));
}

// The per-micro-batch time the step model costs is the slowest stage's, and with uneven stages
// that is a middle (8-layer or 4-layer) stage, not the lighter first or last one.
void expect_slowest_stage_costed(const StepModel& m, const Layout& l) {
  const auto r = m.evaluate(l);
  ASSERT_FALSE(r.layout.dp == 0) << r.reason;
  const auto stages = m.stage_times(r.layout, m.shape_costs(r.layout));
  ASSERT_EQ(stages.size(), static_cast<std::size_t>(l.pp));
  double slowest = 0;
  for (const auto& s : stages) slowest = std::max(slowest, s.fwd_s + s.bwd_s);
  EXPECT_DOUBLE_EQ(r.stage_fwd_s + r.stage_bwd_s, slowest);
  EXPECT_GT(slowest, stages.front().fwd_s + stages.front().bwd_s);
}

TEST(PipelineSplit, Llama3On16StagesIs7Then8sThen7) {
  const auto m = make("llama3-405b");
  const Layout l = make_layout(8192, 8, 16, 1, 1, 8192, 2048, 1);
  const std::vector<int> expected{7, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 7};
  EXPECT_EQ(m.stage_layers(l), expected);
  expect_slowest_stage_costed(m, l);
}

TEST(PipelineSplit, DeepSeekV3On16StagesLightensTheEdges) {
  const auto m = make("deepseek-v3");
  Layout l = make_layout(2048, 1, 16, 1, 1, 4096, 4096, 1);
  l.ep = 64;
  // 61 layers + embedding + head = 63 units on 16 stages: 3 + 4 x 15, the first and last give
  // one unit to the embedding and the head.
  const std::vector<int> expected{2, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 3};
  EXPECT_EQ(m.stage_layers(l), expected);
  expect_slowest_stage_costed(m, l);
}

TEST(PipelineSplit, ExplicitLayersAreUsedAndChecked) {
  const auto m = make("llama3-405b");
  Layout l = make_layout(8192, 8, 16, 1, 1, 8192, 2048, 1);
  std::vector<int> heavy_first{14, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 4, 4};
  l.pipeline_layers = std::make_shared<const std::vector<int>>(heavy_first);
  EXPECT_EQ(m.stage_layers(l), heavy_first);
  const auto uneven = m.evaluate(l);
  Layout even = l;
  even.pipeline_layers = nullptr;
  // A 14-layer stage is slower than the default split's 8-layer stages.
  EXPECT_GT(uneven.stage_fwd_s + uneven.stage_bwd_s, m.evaluate(even).stage_fwd_s + m.evaluate(even).stage_bwd_s);
  l.pipeline_layers = std::make_shared<const std::vector<int>>(std::vector<int>{7, 8, 8});
  EXPECT_EQ(m.evaluate(l).reason, "pipeline layers list has 3 entries, expected pp*vpp = 16");
  l.pipeline_layers = std::make_shared<const std::vector<int>>(std::vector<int>(16, 8));
  EXPECT_EQ(m.evaluate(l).reason, "pipeline layers list sums to 128 layers, the model has 126");
  std::vector<int> zero(16, 8);
  zero[0] = 0;
  zero[1] = 14;
  l.pipeline_layers = std::make_shared<const std::vector<int>>(zero);
  EXPECT_EQ(m.evaluate(l).reason, "pipeline layers list has a chunk of 0 layers, expected at least 1");
}

TEST(PipelineSplit, MemoryIsTheLargestStageNotOnlyTheFirst) {
  // 1F1B: stage s holds p - s micro-batches in flight. With 15 layers on stage 1 and 3 on
  // stage 0, stage 1 holds more activations than the first stage although it has one fewer in flight.
  const auto m = make("llama3-8b");
  Layout l = make_layout(16, 1, 16, 1, 1, 8192, 64, 1);
  std::vector<int> split(16, 1);
  split[0] = 3;
  split[1] = 15;
  l.pipeline_layers = std::make_shared<const std::vector<int>>(split);
  const auto fit = m.check_memory(l);
  Layout light = l;
  split[1] = 1;
  split[2] = 15;  // the heavy stage moves one further from the first: one fewer micro-batch in flight
  light.pipeline_layers = std::make_shared<const std::vector<int>>(split);
  EXPECT_GT(fit.memory.activations, m.check_memory(light).memory.activations);
  EXPECT_DOUBLE_EQ(fit.memory.total(), m.evaluate(l).memory.total());
}

TEST(PipelineSplit, AutoMicroBatchIsTheFastestThatFits) {
  const auto m = make("llama3-8b");
  Layout l = make_layout(8, 1, 1, 1, 1, 4096, 256, 0);
  const auto r = m.evaluate(l);
  ASSERT_TRUE(r.feasible) << r.reason;
  EXPECT_TRUE(r.micro_batch_auto);
  EXPECT_GE(r.layout.micro_batch, 1);
  for (long long mb : {1LL, 2LL, 4LL, 8LL, 16LL, 32LL}) {
    Layout fixed = l;
    fixed.micro_batch = mb;
    const auto f = m.evaluate(fixed);
    EXPECT_FALSE(f.micro_batch_auto);
    if (f.feasible) {
      EXPECT_LE(r.step_time_s, f.step_time_s) << "micro-batch " << mb;
    }
  }
  // When none fits the reason is micro-batch 1's.
  Layout big = make_layout(8, 1, 1, 1, 1, 131072, 8, 0);
  const auto none = m.evaluate(big);
  EXPECT_FALSE(none.feasible);
  EXPECT_EQ(none.layout.micro_batch, 1);
  EXPECT_NE(none.reason.find("needs "), std::string::npos);
}

}  // namespace
}  // namespace xpusim::training
