// What rank 0 pays per row and per batch in a distributed run, without MPI: the batch ledger's
// bookkeeping and the CBOR round trip of a real train record (the MPI transfer itself is measured
// end to end by the scaling figures in docs/distributed.md).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "distributed/batch_ledger.hpp"
#include "report/training_record.hpp"
#include "scenario/evaluate.hpp"
#include "scenario/session.hpp"

namespace {

using namespace xpusim;

const report::Record& train_record() {
  static const report::Record r = [] {
    scenario::Session session;
    scenario::Scenario s;
    s.model = "llama3-70b";
    s.system = "dgx-h100";
    s.layout = training::make_layout(64, 8, 2, 1, 1, 8192, 256, 1);
    return report::training_outcome_record(scenario::evaluate(session, s));
  }();
  return r;
}

void BM_CborRoundTripPerRow(benchmark::State& state) {
  const std::size_t batch = static_cast<std::size_t>(state.range(0));
  const report::Record rows(std::vector<report::Record>(batch, train_record()));
  std::size_t bytes = 0;
  for (auto _ : state) {
    const std::vector<std::uint8_t> wire = report::Record::to_cbor(rows);
    bytes = wire.size();
    auto back = report::Record::from_cbor(wire);
    benchmark::DoNotOptimize(back);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<long long>(batch));
  state.counters["bytes_per_row"] = static_cast<double>(bytes) / static_cast<double>(batch);
}
BENCHMARK(BM_CborRoundTripPerRow)->Arg(256);

void BM_LedgerPerBatch(benchmark::State& state) {
  const std::size_t batch = 256, points = 256 * 64;
  std::vector<report::Record> rows(batch, report::Record{{"p", 1}});
  for (auto _ : state) {
    distributed::BatchLedger ledger(points, batch);
    int rank = 0;
    while (auto b = ledger.assign(rank++ % 8)) {
      ledger.complete(*b, (rank - 1) % 8, rows);
      benchmark::DoNotOptimize(ledger.ready());
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<long long>(points / batch));
}
BENCHMARK(BM_LedgerPerBatch);

}  // namespace
