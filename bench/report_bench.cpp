// Rows per second of the streaming sinks for a train-like result row (32 scalar cells, a few of
// them nested), written into a stream that discards everything: the cost measured is formatting
// and the per-row flush, not the terminal or the disk.
#include <benchmark/benchmark.h>

#include <ostream>
#include <streambuf>
#include <vector>

#include "report/sink.hpp"

namespace {

using namespace xpusim;

// A streambuf that accepts and forgets every byte.
class NullBuf final : public std::streambuf {
 protected:
  int overflow(int c) override { return c; }
  std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
};

report::Record train_row(int i) {
  return report::Record{{"model", "llama3-405b"},
                        {"system", "dgx-h100"},
                        {"gpus", 16384},
                        {"tp", 8},
                        {"pp", 16},
                        {"dp", 64},
                        {"cp", 2},
                        {"ep", 1},
                        {"vpp", 4},
                        {"seq_len", 8192},
                        {"global_batch", 2048},
                        {"micro_batch", 1},
                        {"recompute", "full"},
                        {"zero", 1},
                        {"dtype", "bf16"},
                        {"feasible", true},
                        {"step_time_s", 12.3456789 + 1e-3 * i},
                        {"tokens_per_s", 1.3593e6},
                        {"mfu", 0.4123456},
                        {"model_tflops_per_gpu", 407.8},
                        {"memory_per_gpu_bytes", 7.1234e10},
                        {"time_breakdown_s",
                         {{"compute", 8.1},
                          {"tp_comm", 1.2},
                          {"pp_bubble", 0.9},
                          {"dp_comm", 0.4},
                          {"cp_comm", 0.3},
                          {"optimizer", 0.05}}},
                        {"memory_breakdown_bytes",
                         {{"weights", 1.2e10}, {"gradients", 1.2e10}, {"optimizer", 2.4e10}, {"activations", 2.3e10}}},
                        {"reason", nullptr}};
}

void run_sink(benchmark::State& state, report::Format format) {
  NullBuf buf;
  std::ostream out(&buf);
  auto sink = report::make_sink(format, out, false);
  report::RunContext ctx;
  ctx.xpusim_version = "bench";
  sink->begin(ctx);
  // Rows built ahead: the loop measures the sink, not building the record.
  std::vector<report::Record> rows;
  for (int i = 0; i < 64; ++i) rows.push_back(train_row(i));
  std::size_t i = 0;
  for (auto _ : state) {
    sink->row(rows[i++ & 63]);
  }
  sink->end();
  state.SetItemsProcessed(state.iterations());
  state.counters["cells_per_row"] = static_cast<double>(report::flatten(rows[0]).size());
}

void BM_SinkJsonlTrainRow(benchmark::State& state) { run_sink(state, report::Format::kJsonl); }
void BM_SinkCsvTrainRow(benchmark::State& state) { run_sink(state, report::Format::kCsv); }
void BM_SinkJsonTrainRow(benchmark::State& state) { run_sink(state, report::Format::kJson); }

BENCHMARK(BM_SinkJsonlTrainRow);
BENCHMARK(BM_SinkCsvTrainRow);
BENCHMARK(BM_SinkJsonTrainRow);

}  // namespace
