// The fleet layer's costs: the analytical expectation of a Llama-3-sized job (16,384 H100, 88 days,
// Young-Daly interval: ~32,000 checkpoint segments), the Monte Carlo of it (100 trials, parallel),
// and one best_training_layout() enumeration (Llama 3 70B on 1,024 H100, ~180 candidates).
#include <benchmark/benchmark.h>

#include "fleet/reliability.hpp"
#include "planning/training_layout.hpp"
#include "scenario/session.hpp"

namespace {

using namespace xpusim;

fleet::JobTimes llama3_job() {
  fleet::JobTimes j;
  j.work_s = 88 * 86400.0;
  j.rate_per_s = 1.0 / 10012;
  j.write_s = 2.84;
  j.interval_s = fleet::young_daly_interval(j.write_s, 10012);
  j.recovery_s = 511;
  return j;
}

void BM_ExpectedTime(benchmark::State& state) {
  const auto j = llama3_job();
  for (auto _ : state) benchmark::DoNotOptimize(fleet::expected_time(j));
}
BENCHMARK(BM_ExpectedTime);

void BM_MonteCarlo100Trials(benchmark::State& state) {
  const auto j = llama3_job();
  for (auto _ : state) benchmark::DoNotOptimize(fleet::monte_carlo(j, 100, 1));
}
BENCHMARK(BM_MonteCarlo100Trials)->Unit(benchmark::kMillisecond);

void BM_BestTrainingLayout(benchmark::State& state) {
  static const scenario::Session session;
  const auto arch = session.architecture("llama3-70b");
  const auto system = session.system("dgx-h100", "bench");
  for (auto _ : state)
    benchmark::DoNotOptimize(planning::best_training_layout(session, arch, system, 1024, 8192, 1024));
}
BENCHMARK(BM_BestTrainingLayout)->Unit(benchmark::kMillisecond);

}  // namespace
