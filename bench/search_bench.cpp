// Full layout searches (`xpusim train --search`) of the three jobs, cold (a fresh
// session, so every shape cost is computed). items_per_second is layouts timed per second; with
// Arg(1) (one thread) that is the rate per core. Real time on 2 threads is what the README quotes.
#include <benchmark/benchmark.h>

#include "scenario/session.hpp"
#include "search/search.hpp"

namespace {

using namespace xpusim;

scenario::Scenario job(const char* model, long long gpus, long long seq, long long batch) {
  scenario::Scenario s;
  s.model = model;
  s.system = "dgx-h100";
  s.layout.gpus = gpus;
  s.layout.seq_len = seq;
  s.layout.global_batch = batch;
  return s;
}

void run(benchmark::State& state, const scenario::Scenario& s) {
  search::SearchOptions o;
  o.threads = static_cast<std::size_t>(state.range(0));
  std::size_t evaluated = 0;
  for (auto _ : state) {
    // A fresh session each time so the shape costs are cold, as in a first `xpusim train
    // --search`; its loading (catalog, timing sets) is timed too, about 10 ms.
    const scenario::Session fresh(XPUSIM_SOURCE_DATA_DIR);
    const auto r = search::search_layouts(fresh, s, o);
    evaluated = r.evaluated;
    state.counters["enumerated"] = static_cast<double>(r.enumerated);
    state.counters["pruned"] = static_cast<double>(r.pruned());
    state.counters["evaluated"] = static_cast<double>(r.evaluated);
    state.counters["search_s"] = r.elapsed_s;
  }
  state.SetItemsProcessed(static_cast<long long>(evaluated) * state.iterations());
}

// Llama 3 405B on 16,384 H100s, 8K context, global batch 2048, bf16 (the first case).
void BM_SearchLlama3_405B_16K(benchmark::State& state) { run(state, job("llama3-405b", 16384, 8192, 2048)); }
BENCHMARK(BM_SearchLlama3_405B_16K)->Arg(1)->Arg(2)->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);

// Mixtral 8x22B on 2,048 H100s, 4K context, global batch 1024 (EP and expert TP in the search).
void BM_SearchMixtral8x22B_2K(benchmark::State& state) { run(state, job("mixtral-8x22b", 2048, 4096, 1024)); }
BENCHMARK(BM_SearchMixtral8x22B_2K)->Arg(2)->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);

// DeepSeek-V3 on 2,048 H100s, 4K context, its published global batch of 15,360 sequences.
void BM_SearchDeepSeekV3_2K(benchmark::State& state) { run(state, job("deepseek-v3", 2048, 4096, 15360)); }
BENCHMARK(BM_SearchDeepSeekV3_2K)->Arg(2)->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
