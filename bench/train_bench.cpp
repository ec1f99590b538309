// One `train` evaluation of Llama 3 405B on 16,384 H100s (TP8 CP2 PP16 DP64, 8K context, first and
// last stage one layer fewer as Meta ran it), with the layer costs of the micro-batch shape
// precomputed once, as a layout search does: the evaluation itself is arithmetic only.
#include <benchmark/benchmark.h>

#include "hardware/catalog.hpp"
#include "model/architecture.hpp"
#include "report/calibration_schema.hpp"
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

void BM_TrainEvaluateLlama3_405B_16K_H100(benchmark::State& state) {
  static const auto catalog = hardware::Catalog::load(XPUSIM_SOURCE_DATA_DIR, report::full_calibration_schema());
  static training::StepModel model(model::load_model("llama3-405b", XPUSIM_SOURCE_DATA_DIR),
                                   catalog.system("dgx-h100", "--system"));
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
  static const auto catalog = hardware::Catalog::load(XPUSIM_SOURCE_DATA_DIR, report::full_calibration_schema());
  static training::StepModel model(model::load_model("llama3-405b", XPUSIM_SOURCE_DATA_DIR),
                                   catalog.system("dgx-h100", "--system"));
  const auto layout = llama3_layout();
  for (auto _ : state) {
    auto costs = model.compute_shape_costs(layout);
    auto r = model.evaluate(layout, costs);
    benchmark::DoNotOptimize(r.step_time_s);
  }
}
BENCHMARK(BM_TrainEvaluateLlama3_405B_Cold);

}  // namespace
