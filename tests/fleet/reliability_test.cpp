#include <gtest/gtest.h>

#include <cmath>

#include "fleet/reliability.hpp"
#include "fleet/reliability_data.hpp"

namespace xpusim::fleet {
namespace {

JobTimes job(double work_s, double mtbf_s, double interval_s, double write_s, double recovery_s) {
  JobTimes j;
  j.work_s = work_s;
  j.rate_per_s = 1.0 / mtbf_s;
  j.interval_s = interval_s;
  j.write_s = write_s;
  j.recovery_s = recovery_s;
  return j;
}

TEST(YoungDaly, IsSqrtTwoWriteTimesMtbf) {
  EXPECT_DOUBLE_EQ(young_daly_interval(10, 20000), std::sqrt(2.0 * 10 * 20000));
  EXPECT_DOUBLE_EQ(young_daly_interval(0, 1000), 0.0);
  EXPECT_TRUE(std::isinf(young_daly_interval(10, INFINITY)));
}

TEST(YoungDaly, MinimisesTheExpectedTimeForSmallWrites) {
  // write << MTBF: the first-order optimum is within a few percent of the true one, so a much
  // shorter or longer interval costs more.
  const double mtbf = 3 * 3600.0, write = 30, tau = young_daly_interval(write, mtbf);
  const auto at = [&](double t) { return expected_time(job(30 * 86400.0, mtbf, t, write, 600)).expected_s; };
  EXPECT_LT(at(tau), at(tau * 0.5));
  EXPECT_LT(at(tau), at(tau * 2.0));
  // A fine scan finds no interval more than 0.1% better.
  double best = INFINITY;
  for (double t = tau * 0.3; t < tau * 3; t *= 1.01) best = std::min(best, at(t));
  EXPECT_GT(best, at(tau) * 0.999);
}

TEST(ExpectedSegmentTime, ClosedForm) {
  EXPECT_DOUBLE_EQ(expected_segment_time(100, 0, 50), 100);
  // (e^{lambda L} - 1)(1/lambda + R) with lambda L = 1.
  EXPECT_NEAR(expected_segment_time(1000, 1e-3, 200), (std::exp(1.0) - 1) * (1000 + 200), 1e-9);
  // Small lambda: L + lambda L (L/2 + R) to first order.
  const double l = 1e-7, L = 600, R = 300;
  EXPECT_NEAR(expected_segment_time(L, l, R), L + l * L * (L / 2 + R), 1e-6);
}

TEST(ExpectedTime, NoFailuresIsWorkPlusCheckpoints) {
  JobTimes j = job(1000, 1, 300, 5, 60);
  j.rate_per_s = 0;
  const auto e = expected_time(j);
  EXPECT_DOUBLE_EQ(e.checkpoints, 4);  // 300, 300, 300, 100 of work, each with a write
  EXPECT_DOUBLE_EQ(e.expected_s, 1000 + 4 * 5);
  EXPECT_DOUBLE_EQ(e.interruptions, 0);
  EXPECT_DOUBLE_EQ(e.effective_fraction, 1000.0 / 1020.0);
}

TEST(ExpectedTime, BreakdownSumsToTheExpectation) {
  const auto e = expected_time(job(10 * 86400.0, 7200, 600, 20, 400));
  EXPECT_NEAR(e.ideal_s + e.checkpoint_s + e.lost_work_s + e.recovery_s, e.expected_s, 1e-6 * e.expected_s);
  EXPECT_GT(e.lost_work_s, 0);
  // Interruptions: rate x running time (the expectation less recovery).
  EXPECT_NEAR(e.interruptions, (e.expected_s - e.recovery_s) / 7200, 1e-6 * e.interruptions);
}

TEST(MonteCarlo, MeanWithinThreePercentOfTheExpectation) {
  for (const auto& j : {job(54 * 86400.0, 10000, 240, 3, 500),    // Llama-3-like
                        job(5 * 86400.0, 1800, 1200, 60, 900),      // MTBF near the interval
                        job(2 * 86400.0, 600, 300, 10, 120)}) {     // harsh
    const auto e = expected_time(j);
    const auto mc = monte_carlo(j, 400, 7);
    EXPECT_NEAR(mc.mean_s / e.expected_s, 1.0, 0.03);
    EXPECT_NEAR(mc.mean_interruptions / e.interruptions, 1.0, 0.03);
    EXPECT_LE(mc.p10_s, mc.p50_s);
    EXPECT_LE(mc.p50_s, mc.p90_s);
    EXPECT_LT(mc.p10_s, mc.p90_s);
  }
}

TEST(MonteCarlo, DeterministicPerSeed) {
  const auto j = job(86400.0, 3000, 600, 10, 200);
  const auto a = monte_carlo(j, 50, 42), b = monte_carlo(j, 50, 42), c = monte_carlo(j, 50, 43);
  EXPECT_EQ(a.mean_s, b.mean_s);
  EXPECT_EQ(a.p90_s, b.p90_s);
  EXPECT_NE(a.mean_s, c.mean_s);
}

TEST(FailureRates, GrowLinearlyWithGpus) {
  FitWindow w;
  w.gpus = 1000;
  w.days = 10;
  w.planned = 5;
  w.counts = {40, 20, 10, 5, 25};
  w.hbm_stacks_per_gpu = 5;
  const auto r = fit_rates(w);
  EXPECT_NEAR(r.unexpected(1000) * 10 * 86400, 100, 1e-9);
  EXPECT_NEAR(r.component(Component::kHbm, 1000) * 10 * 86400, 20, 1e-9);
  EXPECT_NEAR(r.unexpected(4000), 4 * r.unexpected(1000), 1e-18);
  EXPECT_NEAR(r.total(4000) - r.unexpected(4000), 5.0 / (10 * 86400), 1e-15);  // planned: per job
  ReliabilityData d;
  d.window = w;
  d.rates = r;
  const auto eight = rates_for_gpu(d, 8);
  EXPECT_NEAR(eight.per_gpu[1], r.per_gpu[1] * 8 / 5, 1e-18);
  EXPECT_EQ(eight.per_gpu[0], r.per_gpu[0]);
}

}  // namespace
}  // namespace xpusim::fleet
