#include "distributed/batch_ledger.hpp"

#include <algorithm>
#include <stdexcept>

namespace xpusim::distributed {

BatchLedger::BatchLedger(std::size_t points, std::size_t batch_size, int max_failures)
    : points_(points), max_failures_(std::max(1, max_failures)) {
  if (batch_size == 0) throw std::invalid_argument("BatchLedger: batch size must be positive");
  for (std::size_t b = 0; b < points; b += batch_size)
    batches_.push_back(Entry{Batch{batches_.size(), b, std::min(points, b + batch_size)}, {}, {}, {}, 0, 0, false, {}});
}

std::optional<Batch> BatchLedger::assign(int rank) {
  if (finished()) return std::nullopt;
  Entry* pick = nullptr;
  // A fresh batch first, skipping none: batches go out in point order.
  while (next_unassigned_ < batches_.size() && batches_[next_unassigned_].copies > 0) ++next_unassigned_;
  if (next_unassigned_ < batches_.size()) {
    pick = &batches_[next_unassigned_++];
  } else {
    // Steal: the outstanding batch with the fewest holders, oldest first, that this rank has not
    // failed on and does not already hold.
    for (std::size_t i = next_emit_batch_; i < batches_.size(); ++i) {
      Entry& e = batches_[i];
      if (e.done || e.holders.count(rank) || e.failed_on.count(rank)) continue;
      if (pick == nullptr || e.holders.size() < pick->holders.size() ||
          (e.holders.size() == pick->holders.size() && e.serial < pick->serial))
        pick = &e;
    }
    if (pick == nullptr) return std::nullopt;
    ++reissued_;
  }
  pick->holders.insert(rank);
  ++pick->copies;
  pick->serial = ++serial_;
  return pick->batch;
}

bool BatchLedger::complete(const Batch& batch, int rank, std::vector<report::Record> records) {
  Entry& e = batches_.at(batch.id);
  e.holders.erase(rank);
  if (e.done) return false;
  if (records.size() != e.batch.end - e.batch.begin)
    throw std::logic_error("BatchLedger: batch " + std::to_string(batch.id) + " came back with " +
                           std::to_string(records.size()) + " records for " +
                           std::to_string(e.batch.end - e.batch.begin) + " points");
  e.done = true;
  e.records = std::move(records);
  return true;
}

void BatchLedger::fail(const Batch& batch, int rank, const std::string& message) {
  Entry& e = batches_.at(batch.id);
  e.holders.erase(rank);
  if (e.done) return;
  e.failed_on.insert(rank);
  e.failures.push_back("rank " + std::to_string(rank) + ": " + message);
  if (static_cast<int>(e.failures.size()) >= max_failures_ && failure_.empty()) {
    failure_ = "points " + std::to_string(e.batch.begin) + "-" + std::to_string(e.batch.end - 1) + " failed on " +
               std::to_string(e.failures.size()) + " ranks:";
    for (const auto& f : e.failures) failure_ += " [" + f + "]";
  }
}

std::vector<std::pair<std::size_t, report::Record>> BatchLedger::ready() {
  std::vector<std::pair<std::size_t, report::Record>> out;
  while (next_emit_batch_ < batches_.size() && batches_[next_emit_batch_].done) {
    Entry& e = batches_[next_emit_batch_++];
    for (std::size_t i = 0; i < e.records.size(); ++i) out.emplace_back(e.batch.begin + i, std::move(e.records[i]));
    emitted_ += e.records.size();
    e.records.clear();
    e.records.shrink_to_fit();
  }
  return out;
}

std::map<int, std::vector<Batch>> BatchLedger::unreturned() const {
  std::map<int, std::vector<Batch>> out;
  for (const auto& e : batches_)
    for (int r : e.holders) out[r].push_back(e.batch);
  return out;
}

}  // namespace xpusim::distributed
