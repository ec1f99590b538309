#include "search/sweep.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace xpusim::search {
namespace {

scenario::FieldValue v(const std::string& flag, const std::string& text) {
  return {text, [flag, text](std::string expected) { return core::Error::flag(flag, text, std::move(expected)); }};
}

SweepAxis axis(std::string field, std::string label, std::vector<std::string> values, std::string flag) {
  SweepAxis a{std::move(field), std::move(label), {}, {}};
  for (const auto& x : values) {
    a.values.push_back(v(flag, a.field == "set" ? a.label + "=" + x : x));
    a.shown.push_back(x);
  }
  return a;
}

scenario::Scenario base() {
  scenario::Scenario s;
  s.model = "llama3-8b";
  s.system = "dgx-h100";
  s.layout.gpus = 8;
  s.layout.seq_len = 2048;
  s.layout.global_batch = 16;
  return s;
}

TEST(Sweep, GridFirstAxisSlowest) {
  const auto points = sweep_points(
      base(), {axis("system", "system", {"dgx-h100", "dgx-a100"}, "--system"), axis("gpus", "gpus", {"8", "16", "32"}, "--gpus"),
               axis("set", "memory.stacks", {"5", "6"}, "--set")});
  ASSERT_EQ(points.size(), 12u);
  EXPECT_EQ(points[0].scenario.system, "dgx-h100");
  EXPECT_EQ(points[0].scenario.layout.gpus, 8);
  EXPECT_EQ(points[1].values[2].second, "6");
  EXPECT_EQ(points[1].scenario.overrides.back().text(), "memory.stacks=6");
  EXPECT_EQ(points[2].scenario.layout.gpus, 16);
  EXPECT_EQ(points[6].scenario.system, "dgx-a100");
  EXPECT_EQ(points[11].values[0].second, "dgx-a100");
  EXPECT_EQ(points[11].values[1].first, "gpus");
}

TEST(Sweep, BadValueThrowsNamingTheFlag) {
  try {
    sweep_points(base(), {axis("gpus", "gpus", {"8", "many"}, "--gpus")});
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_NE(std::string(e.what()).find("--gpus"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("many"), std::string::npos) << e.what();
  }
  EXPECT_THROW(sweep_points(base(), {axis("nope", "nope", {"1", "2"}, "--nope")}), core::Error);
}

TEST(Sweep, EachPointIsSearchedInOrder) {
  const auto points = sweep_points(base(), {axis("gpus", "gpus", {"8", "16"}, "--gpus")});
  std::vector<long long> gpus;
  SearchOptions o;
  o.top = 1;
  run_sweep(scenario::Session(XPUSIM_SOURCE_DATA_DIR), points, o, [&](const SweepRow& row) {
    ASSERT_FALSE(row.result.results.empty());
    gpus.push_back(row.result.best.step.layout.gpus);
  });
  EXPECT_EQ(gpus, (std::vector<long long>{8, 16}));
}

}  // namespace
}  // namespace xpusim::search
