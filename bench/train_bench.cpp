// One `train` evaluation of Llama 3 405B on 16,384 H100s (TP8 CP2 PP16 DP64, 8K context, first and
// last stage one layer fewer as Meta ran it), with the layer costs of the micro-batch shape
// precomputed once, as a layout search does: the evaluation itself is arithmetic only. Beside it:
// the path `xpusim train` runs (HBM timing catalog), the memory pre-check a search prunes with,
// and a 10,000-layout batch on one shared StepModel, serial and with parallel_for.
#include <benchmark/benchmark.h>

#include <vector>

#include "core/parallel.hpp"
#include "hardware/catalog.hpp"
#include "memory/timing_set.hpp"
#include "model/architecture.hpp"
#include "scenario/calibration_schema.hpp"
#include "training/step_model.hpp"

namespace {

using namespace xpusim;

training::Layout llama3_layout() {
  training::Layout l;
  l.gpus = 16384;
  l.tp = 8;
  l.cp = 2;
  l.pp = 16;
  l.vpp = 4;
  l.trim_edge_stages = true;
  l.seq_len = 8192;
  l.global_batch = 2048;
  l.micro_batch = 1;
  l.recompute = training::Recompute::kFull;
  l.zero = 1;
  return l;
}

const hardware::Catalog& catalog() {
  static const auto c = hardware::Catalog::load(XPUSIM_SOURCE_DATA_DIR, scenario::full_calibration_schema());
  return c;
}

// Without the HBM timing catalog (flat stream efficiency), as before.
const training::StepModel& flat_model() {
  static const training::StepModel m(model::load_model("llama3-405b", XPUSIM_SOURCE_DATA_DIR),
                                     catalog().system("dgx-h100", "--system"));
  return m;
}

// As `xpusim train` builds it: memory-bound kernels through the analytical HBM model.
const training::StepModel& hbm_model() {
  static const auto timings = memory::TimingCatalog::load(XPUSIM_SOURCE_DATA_DIR);
  static const training::StepModel m(model::load_model("llama3-405b", XPUSIM_SOURCE_DATA_DIR),
                                     catalog().system("dgx-h100", "--system"), &timings);
  return m;
}

void BM_TrainEvaluateLlama3_405B_16K_H100(benchmark::State& state) {
  const auto& model = flat_model();
  const auto layout = llama3_layout();
  const auto& costs = model.shape_costs(layout);
  if (!model.evaluate(layout, costs).feasible) state.SkipWithError("layout infeasible");
  for (auto _ : state) {
    auto r = model.evaluate(layout, costs);
    benchmark::DoNotOptimize(r.step_time_s);
  }
}
BENCHMARK(BM_TrainEvaluateLlama3_405B_16K_H100);

// The same with the shape costs built on every call (a cold evaluation: inventory + cost model).
void BM_TrainEvaluateLlama3_405B_Cold(benchmark::State& state) {
  const auto& model = flat_model();
  const auto layout = llama3_layout();
  for (auto _ : state) {
    auto costs = model.compute_shape_costs(layout);
    auto r = model.evaluate(layout, costs);
    benchmark::DoNotOptimize(r.step_time_s);
  }
}
BENCHMARK(BM_TrainEvaluateLlama3_405B_Cold);

// evaluate(layout) with the shape found in the cache: the lookup (shared lock) plus the arithmetic.
void BM_TrainEvaluateLlama3_405B_CacheHit(benchmark::State& state) {
  const auto& model = flat_model();
  const auto layout = llama3_layout();
  for (auto _ : state) {
    auto r = model.evaluate(layout);
    benchmark::DoNotOptimize(r.step_time_s);
  }
}
BENCHMARK(BM_TrainEvaluateLlama3_405B_CacheHit);

// The path users run: HBM timing catalog, shape costs cached.
void BM_TrainEvaluateLlama3_405B_Hbm(benchmark::State& state) {
  const auto& model = hbm_model();
  const auto layout = llama3_layout();
  const auto& costs = model.shape_costs(layout);
  for (auto _ : state) {
    auto r = model.evaluate(layout, costs);
    benchmark::DoNotOptimize(r.step_time_s);
  }
}
BENCHMARK(BM_TrainEvaluateLlama3_405B_Hbm);

// The path users run from scratch: the shape costs through the analytical HBM model.
void BM_TrainEvaluateLlama3_405B_HbmCold(benchmark::State& state) {
  const auto& model = hbm_model();
  const auto layout = llama3_layout();
  for (auto _ : state) {
    auto costs = model.compute_shape_costs(layout);
    auto r = model.evaluate(layout, costs);
    benchmark::DoNotOptimize(r.step_time_s);
  }
}
BENCHMARK(BM_TrainEvaluateLlama3_405B_HbmCold);

// What every `xpusim train` pays before the first evaluation.
void BM_TimingCatalogLoad(benchmark::State& state) {
  for (auto _ : state) {
    auto t = memory::TimingCatalog::load(XPUSIM_SOURCE_DATA_DIR);
    benchmark::DoNotOptimize(&t);
  }
}
BENCHMARK(BM_TimingCatalogLoad)->Unit(benchmark::kMillisecond);

// What `xpusim train` does after loading: build the StepModel (cost model with the HBM model of
// the chip) and evaluate one layout, shape costs included.
void BM_TrainBuildAndEvaluateLlama3_405B_Hbm(benchmark::State& state) {
  static const auto timings = memory::TimingCatalog::load(XPUSIM_SOURCE_DATA_DIR);
  static const auto arch = model::load_model("llama3-405b", XPUSIM_SOURCE_DATA_DIR);
  const auto system = catalog().system("dgx-h100", "--system");
  const auto layout = llama3_layout();
  for (auto _ : state) {
    const training::StepModel m(arch, system, &timings);
    auto r = m.evaluate(layout);
    benchmark::DoNotOptimize(r.step_time_s);
  }
}
BENCHMARK(BM_TrainBuildAndEvaluateLlama3_405B_Hbm)->Unit(benchmark::kMicrosecond);

// The memory pre-check of one layout: structural check and memory accounting only.
void BM_TrainCheckMemoryLlama3_405B(benchmark::State& state) {
  const auto& model = flat_model();
  const auto layout = llama3_layout();
  if (!model.check_memory(layout).fits) state.SkipWithError("layout does not fit");
  for (auto _ : state) {
    auto f = model.check_memory(layout);
    benchmark::DoNotOptimize(f.memory);
  }
}
BENCHMARK(BM_TrainCheckMemoryLlama3_405B);

// 10,000 layouts of Llama 3 405B on up to 16,384 GPUs: tp, pp, vpp, cp, micro-batch, recompute,
// ZeRO, dtype and edge trimming varied, shape costs warmed once so the batch measures evaluation.
std::vector<training::Layout> batch_layouts() {
  std::vector<training::Layout> out;
  for (int tp : {4, 8})
    for (int pp : {8, 16})
      for (int vpp : {1, 2, 4})
        for (int cp : {1, 2, 4})
          for (long long mb : {1, 2})
            for (auto rc : {training::Recompute::kNone, training::Recompute::kSelective, training::Recompute::kFull})
              for (int zero : {0, 1, 2, 3})
                for (auto dtype : {core::Dtype::kBf16, core::Dtype::kFp8})
                  for (int dp : {16, 32, 64, 128})
                    for (bool trim : {true, false}) {
                      auto l = llama3_layout();
                      l.trim_edge_stages = trim;
                      l.tp = tp;
                      l.pp = pp;
                      l.vpp = vpp;
                      l.cp = cp;
                      l.dp = dp;
                      l.gpus = static_cast<long long>(tp) * pp * cp * dp;
                      l.micro_batch = mb;
                      l.recompute = rc;
                      l.zero = zero;
                      l.dtype = dtype;
                      out.push_back(l);
                    }
  out.resize(10000);  // of 13,824
  return out;
}

const std::vector<training::Layout>& warm_batch() {
  static const auto layouts = [] {
    auto v = batch_layouts();
    for (const auto& l : v) flat_model().evaluate(l);  // fill the shape-cost cache
    return v;
  }();
  return layouts;
}

void BM_TrainBatch10kSerial(benchmark::State& state) {
  const auto& layouts = warm_batch();
  std::vector<double> out(layouts.size());
  for (auto _ : state) {
    for (std::size_t i = 0; i < layouts.size(); ++i) out[i] = flat_model().evaluate(layouts[i]).step_time_s;
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<long long>(state.iterations() * layouts.size()));
}
BENCHMARK(BM_TrainBatch10kSerial)->Unit(benchmark::kMillisecond);

void BM_TrainBatch10kParallel(benchmark::State& state) {
  const auto& layouts = warm_batch();
  std::vector<double> out(layouts.size());
  for (auto _ : state) {
    core::parallel_for(layouts.size(), [&](std::size_t i) { out[i] = flat_model().evaluate(layouts[i]).step_time_s; });
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<long long>(state.iterations() * layouts.size()));
}
BENCHMARK(BM_TrainBatch10kParallel)->Unit(benchmark::kMillisecond)->UseRealTime();

// The same batch through the memory pre-check only.
void BM_TrainBatch10kCheckMemory(benchmark::State& state) {
  const auto& layouts = warm_batch();
  std::vector<char> out(layouts.size());
  for (auto _ : state) {
    for (std::size_t i = 0; i < layouts.size(); ++i) out[i] = flat_model().check_memory(layouts[i]).fits;
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<long long>(state.iterations() * layouts.size()));
}
BENCHMARK(BM_TrainBatch10kCheckMemory)->Unit(benchmark::kMillisecond);

}  // namespace
