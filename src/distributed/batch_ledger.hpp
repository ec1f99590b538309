#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "report/record.hpp"

namespace xpusim::distributed {

// A batch of consecutive points [begin, end), the unit a rank asks for and returns.
struct Batch {
  std::size_t id = 0;
  std::size_t begin = 0, end = 0;
};

// The coordinator's book of a distributed run, without any messaging (so it is tested without
// MPI): which batches are unassigned, which rank holds which copy, which results are back, and
// which rows may be written next in point order.
//
// Contract:
// - Batches are handed out in point order; when none is unassigned, a rank that asks gets a
//   copy of the outstanding batch with the fewest holders, oldest first (work stealing by
//   request: a slow or dead rank's batch is re-run by an idle one, and the first result wins).
// - A batch that fails on a rank is handed to another; after `max_failures` failures of one
//   batch the run has failed (failed() names the batch, ranks and messages).
// - ready() returns the results of the lowest points in order, each point exactly once.
class BatchLedger {
 public:
  BatchLedger(std::size_t points, std::size_t batch_size, int max_failures = 2);

  // The next batch for `rank`, or nothing when every point is back (or the run has failed).
  std::optional<Batch> assign(int rank);
  // A rank's results for a batch it held (one record per point). Returns false when the batch
  // was already back from another rank (the copy is dropped).
  bool complete(const Batch& batch, int rank, std::vector<report::Record> records);
  // Whether the batch's results are still needed (no copy has come back yet).
  bool wanted(const Batch& batch) const { return !batches_.at(batch.id).done; }
  // A rank no longer holds its copy (it came back after another copy did).
  void release(const Batch& batch, int rank) { batches_.at(batch.id).holders.erase(rank); }
  // A rank could not evaluate a batch (an exception on that rank).
  void fail(const Batch& batch, int rank, const std::string& message);

  // Rows now writable in point order (point index, record); each returned once.
  std::vector<std::pair<std::size_t, report::Record>> ready();

  bool finished() const { return emitted_ == points_ || failed(); }
  bool failed() const { return !failure_.empty(); }
  const std::string& failure() const { return failure_; }
  std::size_t points() const { return points_; }
  std::size_t emitted() const { return emitted_; }
  std::size_t batches() const { return batches_.size(); }
  // Copies handed out beyond the first of each batch.
  std::size_t reissued() const { return reissued_; }
  // Ranks that still hold a batch that came back from someone else (or never came back): the
  // ranks that died or fell behind, with the points they held.
  std::map<int, std::vector<Batch>> unreturned() const;

 private:
  struct Entry {
    Batch batch;
    std::set<int> holders;  // ranks working on a copy now
    std::set<int> failed_on;
    std::vector<std::string> failures;
    int copies = 0;       // copies ever handed out
    std::size_t serial = 0;  // when it was last handed out, for oldest-first stealing
    bool done = false;
    std::vector<report::Record> records;
  };
  std::size_t points_;
  int max_failures_;
  std::vector<Entry> batches_;
  std::size_t next_unassigned_ = 0;
  std::size_t next_emit_batch_ = 0;
  std::size_t emitted_ = 0;
  std::size_t reissued_ = 0;
  std::size_t serial_ = 0;
  std::string failure_;
};

}  // namespace xpusim::distributed
