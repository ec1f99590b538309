// One `train` evaluation of Llama 3 405B on 16,384 H100s (TP8 CP2 PP16 as Meta ran it, 8K
// context), with the layer costs of the micro-batch shape precomputed as a layout search does.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "model/architecture.hpp"
#include "report/calibration_schema.hpp"
#include "training/step_model.hpp"

namespace {

using namespace xpusim;

struct Fixture {
  hardware::Catalog catalog = hardware::Catalog::load(XPUSIM_SOURCE_DATA_DIR, report::full_calibration_schema());
  training::StepModel model{model::load_model("llama3-405b", XPUSIM_SOURCE_DATA_DIR),
                            catalog.system("dgx-h100", "--system")};
  training::Layout layout = [] {
    training::Layout l;
    l.gpus = 16384;
    l.tp = 8;
    l.cp = 2;
    l.pp = 14;  // 126 layers: 9 per stage (Meta's PP16 trims the first and last stage instead)
    l.vpp = 1;
    l.dp = 0;
    l.seq_len = 8192;
    l.global_batch = 2048;
    l.micro_batch = 1;
    l.recompute = training::Recompute::kNone;
    l.zero = 1;
    return l;
  }();
};

void BM_TrainEvaluateLlama3_405B_16K(benchmark::State& state) {
  static Fixture f;
  auto l = f.layout;
  l.gpus = 8 * 2 * 14 * 73;  // dp 73 so that tp*cp*pp*dp divides: 16,352 GPUs
  l.global_batch = 73 * 28;
  const auto& costs = f.model.shape_costs(l);
  for (auto _ : state) {
    auto r = f.model.evaluate(l, costs);
    benchmark::DoNotOptimize(r.step_time_s);
  }
}
BENCHMARK(BM_TrainEvaluateLlama3_405B_16K);

void BM_TrainEvaluateLlama3_405B_Pp9(benchmark::State& state) {
  static Fixture f;
  auto l = f.layout;
  l.pp = 9;  // 126 / 9 = 14 layers per stage; 8*2*9*113 = 16,272 GPUs
  l.gpus = 8 * 2 * 9 * 113;
  l.global_batch = 113 * 18;
  const auto& costs = f.model.shape_costs(l);
  for (auto _ : state) {
    auto r = f.model.evaluate(l, costs);
    benchmark::DoNotOptimize(r.step_time_s);
  }
}
BENCHMARK(BM_TrainEvaluateLlama3_405B_Pp9);

}  // namespace
