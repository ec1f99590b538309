// Speed of the HBM simulator (issue 8 target: >= 5 million 64-byte requests per second of host
// time on one core, stream and random) and of the analytical model the cost layer calls.
#include <benchmark/benchmark.h>

#include "memory/analytical.hpp"
#include "memory/simulator.hpp"

namespace {

using namespace xpusim::memory;

const TimingSet& hbm3() {
  static const TimingCatalog c = TimingCatalog::load(XPUSIM_SOURCE_DATA_DIR);
  return c.closest("hbm3", 6.4e9);
}

void run_sim(benchmark::State& state, const AccessPattern& p) {
  const auto requests = static_cast<std::uint64_t>(state.range(0));
  Simulator sim(hbm3(), 1);
  double efficiency = 0;
  for (auto _ : state) {
    SyntheticSource src(p, requests, sim.mapping().capacity_bytes(), hbm3().clock_hz(), 1);
    const auto r = sim.run(src);
    efficiency = r.efficiency;
    benchmark::DoNotOptimize(r.cycles);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(requests));
  state.counters["efficiency"] = efficiency;
}

void BM_HbmSimStream(benchmark::State& state) { run_sim(state, AccessPattern::stream()); }
void BM_HbmSimRandom(benchmark::State& state) { run_sim(state, AccessPattern::random()); }
void BM_HbmSimRandomMixed(benchmark::State& state) { run_sim(state, AccessPattern::random(0.7)); }

void run_estimate(benchmark::State& state, const AccessPattern& p) {
  const AnalyticalModel m(hbm3(), 1);
  for (auto _ : state) benchmark::DoNotOptimize(m.estimate(p));
  state.SetItemsProcessed(state.iterations());
}

void BM_HbmAnalyticalStream(benchmark::State& state) { run_estimate(state, AccessPattern::stream(0.7)); }
void BM_HbmAnalyticalRandom(benchmark::State& state) { run_estimate(state, AccessPattern::random()); }
void BM_HbmAnalyticalStrided(benchmark::State& state) { run_estimate(state, AccessPattern::strided(4096)); }

}  // namespace

BENCHMARK(BM_HbmSimStream)->Arg(1000000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HbmSimRandom)->Arg(1000000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HbmSimRandomMixed)->Arg(1000000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HbmAnalyticalStream)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_HbmAnalyticalRandom)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_HbmAnalyticalStrided)->Unit(benchmark::kMicrosecond);
