#include "scenario/evaluate.hpp"

#include <gtest/gtest.h>

#include "core/parallel.hpp"
#include "scenario/run_file.hpp"
#include "scenario/run_spec.hpp"
#include "hardware/hardware_fixtures.hpp"
#include "support/test_support.hpp"

namespace xpusim::scenario {
namespace {

const Session& session() {
  static const Session s(XPUSIM_SOURCE_DATA_DIR);
  return s;
}

std::vector<Scenario> many_scenarios() {
  std::vector<Scenario> out;
  const std::vector<std::string> models{"llama3-70b", "mixtral-8x7b", "llama3-8b"};
  const std::vector<std::vector<hardware::Override>> hw{{}, {hardware::parse_override("memory.stacks=6")}};
  for (const auto& m : models)
    for (const auto& o : hw)
      for (int tp : {1, 2, 4, 8})
        for (int pp : {1, 2, 4})
          for (int mb : {1, 2})
            for (auto rc : {training::Recompute::kNone, training::Recompute::kSelective, training::Recompute::kFull})
              for (int zero : {1, 3})
                for (long long seq : {2048LL, 4096LL})
                  for (int cp : {1, 2})
                    for (long long gbs : {128LL, 256LL, 512LL}) {
                    Scenario s;
                    s.model = m;
                    s.system = "dgx-h100";
                    s.overrides = o;
                    s.layout = training::make_layout(64, tp, pp, cp, 1, seq, gbs, mb);
                    s.layout.recompute = rc;
                    s.layout.zero = zero;
                    out.push_back(s);
                    }
  return out;
}

TEST(Evaluate, ParallelBatchEqualsSerialLoop) {
  const auto scenarios = many_scenarios();
  ASSERT_GE(scenarios.size(), 10000u);
  std::vector<TrainingOutcome> parallel(scenarios.size());
  core::parallel_for(scenarios.size(), [&](std::size_t i) { parallel[i] = evaluate(session(), scenarios[i]); });
  const Session fresh(XPUSIM_SOURCE_DATA_DIR);
  std::size_t feasible = 0, infeasible = 0;
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    const auto serial = evaluate(fresh, scenarios[i]);
    const auto& p = parallel[i];
    ASSERT_EQ(p.step.feasible, serial.step.feasible) << i;
    ASSERT_EQ(p.step.reason, serial.step.reason) << i;
    ASSERT_EQ(p.step.step_time_s, serial.step.step_time_s) << i;
    ASSERT_EQ(p.step.tokens_per_s, serial.step.tokens_per_s) << i;
    ASSERT_EQ(p.step.memory.total(), serial.step.memory.total()) << i;
    ASSERT_EQ(p.hardware, serial.hardware) << i;
    (serial.step.feasible ? feasible : infeasible)++;
  }
  EXPECT_GT(feasible, 100u);
  EXPECT_GT(infeasible, 100u);
}

TEST(Evaluate, MemoryPrecheckAgreesWithEvaluate) {
  for (const auto& s : many_scenarios()) {
    if (s.layout.seq_len != 4096 || s.layout.zero != 1) continue;
    const auto fit = check_memory(session(), s);
    const auto full = evaluate(session(), s);
    ASSERT_EQ(fit.fits, full.step.feasible) << full.step.reason;
    if (fit.fits) {
      ASSERT_EQ(fit.memory.total(), full.step.memory.total());
    }
  }
}

TEST(Evaluate, OverridesAreRecordedAndUncalibratedListed) {
  Scenario s;
  s.model = "llama3-70b";
  s.system = "dgx-h100";
  s.overrides = {hardware::parse_override("memory.stacks=6")};
  s.layout = training::make_layout(64, 8, 4, 1, 1, 4096, 256, 1);
  const auto o = evaluate(session(), s);
  EXPECT_EQ(o.hardware, "dgx-h100 with memory.stacks=6");
  EXPECT_NEAR(o.step.memory_capacity_bytes, 96e9, 1e3);
  // dgx-h100 leaves some parameters at code defaults; each is named with its scope.
  for (const auto& name : o.uncalibrated) EXPECT_TRUE(name.rfind("chip.", 0) == 0 || name.rfind("system.", 0) == 0) << name;
  // A chip with no calibration block reports every chip parameter.
  const auto v100 = session().chip("v100-sxm2-32gb", "--chip");
  EXPECT_EQ(uncalibrated_parameters(*v100).size(), v100->calibration().values().size());
}

TEST(Evaluate, ScenarioFromCodeUsesTheGivenObjects) {
  Scenario s;
  s.architecture = session().architecture("llama3-8b");
  s.system_spec = session().system("dgx-h100", "--system");
  s.layout = training::make_layout(8, 1, 1, 1, 1, 4096, 64, 1);
  const auto o = evaluate(session(), s);
  EXPECT_EQ(o.model, "llama3-8b");
  EXPECT_EQ(o.system, "dgx-h100");
}

TEST(RunSpec, EveryFieldHasFlagDescriptionAndParser) {
  for (const auto& f : training_fields()) {
    EXPECT_EQ(f.flag.rfind("--", 0), 0u) << f.name;
    EXPECT_FALSE(f.description.empty()) << f.name;
    EXPECT_TRUE(static_cast<bool>(f.apply)) << f.name;
    EXPECT_EQ(find_field(f.name), &f);
  }
  EXPECT_EQ(find_field("nope"), nullptr);
}

TEST(RunFile, DefaultsAndListsParse) {
  const auto root = core::ConfigNode::parse(
      "defaults: {model: llama3-70b, system: dgx-h100, seq_len: 4096, global_batch: 256, recompute: full}\n"
      "scenarios:\n"
      "  - {name: a, gpus: 64, tp: 8}\n"
      "  - {name: b, gpus: 64, tp: 4, recompute: none, set: [memory.stacks=6], sequence_parallel: false}\n",
      "r.yaml");
  const auto list = parse_run_file(root);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "a");
  EXPECT_EQ(list[0].layout.tp, 8);
  EXPECT_EQ(list[0].layout.recompute, training::Recompute::kFull);
  EXPECT_EQ(list[1].layout.recompute, training::Recompute::kNone);
  EXPECT_FALSE(list[1].layout.sequence_parallel);
  ASSERT_EQ(list[1].overrides.size(), 1u);
  EXPECT_EQ(list[1].overrides[0].text(), "memory.stacks=6");
  EXPECT_EQ(test::error_of([] { parse_run_file(core::ConfigNode::parse("[]", "e.yaml")); }).rfind("e.yaml:1", 0), 0u);
}

}  // namespace
}  // namespace xpusim::scenario
