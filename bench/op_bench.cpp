#include <benchmark/benchmark.h>

#include "cost/hbm_model.hpp"
#include "cost/inventory_cost.hpp"
#include "cost/op_cost.hpp"
#include "hardware/catalog.hpp"
#include "memory/analytical.hpp"
#include "model/architecture.hpp"
#include "scenario/calibration_schema.hpp"

namespace {

using namespace xpusim;

// The H100 cost model as the CLI builds it: catalog calibration + the memory layer's HBM model.
const cost::CostModel& h100() {
  static const auto catalog = hardware::Catalog::load(XPUSIM_SOURCE_DATA_DIR, scenario::full_calibration_schema());
  static const auto timings = memory::TimingCatalog::load(XPUSIM_SOURCE_DATA_DIR);
  static const auto chip = catalog.find_chip("h100-sxm5-80gb");
  static const auto hbm = cost::hbm_model_for(*chip, timings);
  static const cost::CostModel model(*chip, &hbm);
  return model;
}

void BM_GemmQuery(benchmark::State& state) {
  const auto& m = h100();
  const model::GemmShape s{8192, 8192, 8192, 1};
  for (auto _ : state) benchmark::DoNotOptimize(m.gemm(s, core::Dtype::kBf16));
}
BENCHMARK(BM_GemmQuery);

void BM_AttentionCausalQuery(benchmark::State& state) {
  const auto& m = h100();
  model::AttentionShape a;
  a.batch = 1;
  a.heads = 16;
  a.kv_heads = 1;
  a.head_dim = a.v_head_dim = 128;
  a.q_len = a.kv_len = 8192;
  for (auto _ : state) benchmark::DoNotOptimize(m.attention(a, core::Dtype::kBf16, true));
}
BENCHMARK(BM_AttentionCausalQuery);

// `op model` costing of a full Llama 3.1 405B forward + backward inventory (one micro-batch of
// 8192 tokens, TP 8 with SP): every op of every layer type costed once, layers multiplied.
void BM_CostInventoryLlama405B(benchmark::State& state) {
  const auto& m = h100();
  model::InventoryOptions o;
  o.seq_len = 8192;
  o.tp = 8;
  o.sequence_parallel = true;
  static const auto arch = model::load_model("llama3-405b", XPUSIM_SOURCE_DATA_DIR);
  const auto inv = model::build_inventory(arch, o);
  std::size_t ops = 0;
  for (const auto& l : inv.layers) ops += l.ops.size();
  cost::InventoryCost out;
  for (auto _ : state) {
    cost::cost_inventory(m, inv, core::Dtype::kBf16, out);
    benchmark::DoNotOptimize(out.forward_s);
  }
  state.counters["ops"] = static_cast<double>(ops);
}
BENCHMARK(BM_CostInventoryLlama405B)->Unit(benchmark::kMicrosecond);

}  // namespace
