#include <benchmark/benchmark.h>

#include <string_view>

#include "model/operator.hpp"

namespace {

using xpusim::model::Architecture;
using xpusim::model::InventoryOptions;

const Architecture& model(const char* name) {
  static const Architecture llama = xpusim::model::load_model("llama3-405b", XPUSIM_SOURCE_DATA_DIR);
  static const Architecture deepseek = xpusim::model::load_model("deepseek-v3", XPUSIM_SOURCE_DATA_DIR);
  return std::string_view(name) == "llama3-405b" ? llama : deepseek;
}

// One micro-batch of Llama 3.1 405B on one GPU: TP 8 with SP, sequence 8192.
InventoryOptions llama_options() {
  InventoryOptions o;
  o.seq_len = 8192;
  o.tp = 8;
  o.sequence_parallel = true;
  return o;
}

// The full forward + backward inventory.
void BM_BuildInventoryLlama405B(benchmark::State& state) {
  const Architecture& a = model("llama3-405b");
  const InventoryOptions o = llama_options();
  for (auto _ : state) benchmark::DoNotOptimize(xpusim::model::build_inventory(a, o));
}
BENCHMARK(BM_BuildInventoryLlama405B);

void BM_BuildInventoryDeepSeekV3(benchmark::State& state) {
  const Architecture& a = model("deepseek-v3");
  InventoryOptions o;
  o.seq_len = 4096;
  o.ep = 64;
  for (auto _ : state) benchmark::DoNotOptimize(xpusim::model::build_inventory(a, o));
}
BENCHMARK(BM_BuildInventoryDeepSeekV3);

void BM_ActivationBytesPerLayer(benchmark::State& state) {
  const Architecture& a = model("llama3-405b");
  const InventoryOptions o = llama_options();
  for (auto _ : state) benchmark::DoNotOptimize(xpusim::model::activation_bytes_per_layer(a, o));
}
BENCHMARK(BM_ActivationBytesPerLayer);

}  // namespace
