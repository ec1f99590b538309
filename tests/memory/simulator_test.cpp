#include <gtest/gtest.h>

#include <cstdio>

#include "memory/checker.hpp"
#include "memory/simulator.hpp"

namespace xpusim::memory {
namespace {

const TimingCatalog& catalog() {
  static const TimingCatalog c = TimingCatalog::load(XPUSIM_SOURCE_DATA_DIR);
  return c;
}

struct Run {
  SimResult result;
  CheckReport check;
};

Run simulate(const TimingSet& set, const AccessPattern& p, std::uint64_t n, ControllerConfig cfg = {}, int stacks = 1) {
  Simulator sim(set, stacks, cfg);
  sim.record_commands(true);
  SyntheticSource src(p, n, sim.mapping().capacity_bytes(), set.clock_hz(), 1);
  Run r{sim.run(src), {}};
  r.check = check_timing(set, sim.mapping().pcs(), sim.command_log());
  return r;
}

std::string first_violation(const CheckReport& c) { return c.first.empty() ? "" : c.first.front().detail; }

TEST(Simulator, Hbm3StreamReadsReachAtLeast85PercentOfPeak) {
  const auto& set = catalog().closest("hbm3", 6.4e9);
  const auto r = simulate(set, AccessPattern::stream(), 200000);
  EXPECT_EQ(r.result.simulated_requests, 200000u);
  EXPECT_GE(r.result.efficiency, 0.85) << r.result.bandwidth_bytes_per_s;
  EXPECT_LE(r.result.efficiency, 1.0);
  EXPECT_GT(r.result.row_hit_rate, 0.9);
  EXPECT_TRUE(r.check.ok()) << first_violation(r.check);
  std::printf("stream eff %.4f lat %.1f ns p99 %.1f ns hit %.3f act %llu rd %llu ref %llu\n", r.result.efficiency,
              r.result.avg_latency_s * 1e9, r.result.p99_latency_s * 1e9, r.result.row_hit_rate,
              (unsigned long long)r.result.commands.act, (unsigned long long)r.result.commands.rd,
              (unsigned long long)r.result.commands.ref);
}

TEST(Simulator, Hbm3RandomReadsWithinTenPercentOfActRateBound) {
  const auto& set = catalog().closest("hbm3", 6.4e9);
  const auto r = simulate(set, AccessPattern::random(), 200000);
  const AnalyticalModel model(set, 1);
  const double bound = model.random_act_bound_bytes_per_s(64);
  std::printf("random eff %.4f bw %.1f GB/s bound %.1f GB/s lat %.1f ns hit %.3f\n", r.result.efficiency,
              r.result.bandwidth_bytes_per_s / 1e9, bound / 1e9, r.result.avg_latency_s * 1e9, r.result.row_hit_rate);
  EXPECT_NEAR(r.result.bandwidth_bytes_per_s / bound, 1.0, 0.10);
  EXPECT_TRUE(r.check.ok()) << first_violation(r.check);
}

}  // namespace
}  // namespace xpusim::memory
