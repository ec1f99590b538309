// `xpusim chip sweep --serve` at the scale: 56 design points (HBM stacks 4, 5, 6, 8 x
// HBM3/HBM3E x seven bf16 peaks) over the H100, each costed by its highest SLO goodput serving
// Llama 3 70B (chat: 2048 prompt, 256 output tokens, TTFT 2 s, TPOT 50 ms, 8 GPUs), points in
// parallel on every core as the CLI runs them. Also one point alone (one thread of that work).
#include <benchmark/benchmark.h>

#include "design/chip_sweep.hpp"
#include "serving/engine.hpp"

namespace {

using namespace xpusim;

const scenario::Session& session() {
  static const scenario::Session s;
  return s;
}

design::SweepSpec serve_spec() {
  design::SweepSpec spec;
  spec.base = "h100-sxm5-80gb";
  spec.axes = {design::parse_axis("memory.stacks=4,5,6,8"), design::parse_axis("memory.generation=hbm3,hbm3e"),
               design::parse_axis("peak_flops_per_s.bf16=200TFLOP/s,300TFLOP/s,400TFLOP/s,500TFLOP/s,650TFLOP/s,"
                                  "800TFLOP/s,989.4TFLOP/s")};
  design::ServeWorkload w;
  w.model = "llama3-70b";
  w.engine = serving::load_engine("vllm", session().data_dir());
  spec.serve = w;
  return spec;
}

void BM_ServeSweep56Points(benchmark::State& state) {
  const auto spec = serve_spec();
  const auto k = design::CostCoefficients::load(session().data_dir() / "design" / "cost_model.yaml");
  for (auto _ : state) benchmark::DoNotOptimize(design::run_sweep(session(), spec, k));
  state.SetItemsProcessed(state.iterations() * 56);
}
BENCHMARK(BM_ServeSweep56Points)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ServeOnePoint(benchmark::State& state) {
  const auto spec = serve_spec();
  const auto k = design::CostCoefficients::load(session().data_dir() / "design" / "cost_model.yaml");
  const std::vector<hardware::Override> point{{"memory.stacks", "8"}, {"memory.generation", "hbm3e"}};
  for (auto _ : state) benchmark::DoNotOptimize(design::evaluate_point(session(), spec, point, k));
}
BENCHMARK(BM_ServeOnePoint)->Unit(benchmark::kMillisecond);

}  // namespace
