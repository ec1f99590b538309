#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <vector>

#include "core/parallel.hpp"
#include "distributed/batch_ledger.hpp"
#include "report/record.hpp"

namespace xpusim::distributed {

// MPI for the life of the object (MPI_THREAD_FUNNELED: only the thread that made it calls MPI).
// Works under mpirun and as a singleton (one rank) without it.
class MpiSession {
 public:
  MpiSession(int* argc, char*** argv);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
  int rank() const { return rank_; }
  int size() const { return size_; }

 private:
  int rank_ = 0, size_ = 1;
};

// Points 0..points-1 whose results are records; `evaluate(begin, end)` returns one record per
// point of [begin, end) and may use threads. It runs on every rank, rank 0 included.
struct MpiJob {
  std::size_t points = 0;
  std::size_t batch_size = 64;
  std::function<std::vector<report::Record>(std::size_t begin, std::size_t end)> evaluate;
};

struct MpiSummary {
  int ranks = 1;
  std::size_t batches = 0;
  std::size_t reissued = 0;                         // copies of a batch beyond the first
  std::map<int, std::size_t> batches_by_rank;       // results accepted from each rank
  std::map<int, std::vector<Batch>> unreturned;     // batches a rank held and never returned
  std::vector<int> presumed_dead;                   // silent at the end for longer than any batch took
};

// Runs `job` across MPI_COMM_WORLD; call it on every rank with the same job.
// Rank 0 coordinates (hands out batches on request, work-stealing at the tail, so a slow or
// dead rank's points are re-run elsewhere) and evaluates batches on a thread of its own; it calls
// emit(point, record) in point order, exactly once per point, so its output equals a
// single-process run. Other ranks never call emit. Under Open MPI a killed rank ends the job
// unless mpirun runs with --enable-recovery; with it, the run completes, `unreturned` names what
// the dead rank held and `presumed_dead` the ranks silent at the end for longer than any batch took
// (at least 5 s), which are sent nothing more. Throws std::runtime_error (on rank 0) when a batch fails on two ranks.
MpiSummary run_distributed(const MpiSession& mpi, const MpiJob& job,
                           const std::function<void(std::size_t, const report::Record&)>& emit,
                           const core::ProgressFn& progress = {});

}  // namespace xpusim::distributed
