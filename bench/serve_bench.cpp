// `xpusim serve` at the scale: 100,000 requests of 1,000 prompt and 250 output tokens
// arriving Poisson at 20/s on one H100 with Llama 3 8B under vLLM-style continuous batching,
// the whole simulate_serving path (step model, KV capacity, event loop, metrics) on one core.
// Reported: requests per second of host time (items_per_second).
#include <benchmark/benchmark.h>

#include "cost/collective.hpp"
#include "hardware/catalog.hpp"
#include "memory/analytical.hpp"
#include "memory/timing_set.hpp"
#include "model/architecture.hpp"
#include "scenario/calibration_schema.hpp"
#include "serving/serve.hpp"

namespace {

using namespace xpusim;

void BM_Serve100kPoisson(benchmark::State& state) {
  const std::filesystem::path data = XPUSIM_SOURCE_DATA_DIR;
  const auto catalog = hardware::Catalog::load(data, scenario::full_calibration_schema());
  const auto timings = memory::TimingCatalog::load(data);
  const auto system = catalog.system("dgx-h100", "bench");
  const auto hbm = memory::AnalyticalModel::for_memory_system(system->chip().memory(), timings);
  const cost::CostModel cost(system->chip(), &hbm);
  const cost::CollectiveModel coll(*system);
  const auto arch = model::load_model("llama3-8b", data);
  const auto engine = serving::load_engine("vllm", data);
  serving::WorkloadSpec w;
  w.num_requests = state.range(0);
  w.input.a = 1000;
  w.output.a = 250;
  w.arrival = serving::ArrivalKind::kPoisson;
  w.rate_per_s = 20;
  const auto requests = serving::generate_workload(w);
  serving::ServeSpec spec;
  spec.scheduler.max_num_seqs = engine.max_num_seqs;
  spec.scheduler.max_batched_tokens = engine.max_batched_tokens;
  spec.scheduler.block_size = engine.block_size;
  for (auto _ : state) {
    auto r = serving::simulate_serving(arch, cost, &coll, engine, spec, requests);
    benchmark::DoNotOptimize(r.ttft_s.p99);
    state.counters["iterations"] = static_cast<double>(r.iterations);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Serve100kPoisson)->Arg(100000)->Unit(benchmark::kMillisecond);

}  // namespace
