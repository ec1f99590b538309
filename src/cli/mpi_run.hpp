#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "cli/context.hpp"
#include "report/record.hpp"

namespace xpusim::cli {

// Writes finished rows in order: the sink, the exit status (1 when a row is not feasible) and the
// uncalibrated warnings (once per hardware, for people), however the rows were computed.
class RowWriter {
 public:
  explicit RowWriter(Context& ctx);
  void write(const report::Record& row);
  void finish();

 private:
  Context& ctx_;
  std::unique_ptr<report::Sink> sink_;
  std::set<std::string> warned_;
  bool all_feasible_ = true;
};

// Rows [begin, end) of a command's points, one record each (may use threads).
using RangeEvaluator = std::function<std::vector<report::Record>(std::size_t begin, std::size_t end)>;

// Whether this xpusim was built with MPI.
bool have_mpi();

// Spreads `points` over the ranks of mpirun in batches of `batch`. Rank 0 writes every row in
// point order through a RowWriter (with the MPI flags left out of the recorded command: the
// output is what one process writes), hands each to `also` (a plot, say) and puts a summary on
// stderr; it returns true. Other ranks only compute and return false. Throws core::Error naming
// --mpi when this build has no MPI.
// The same for a command that needs every row before it writes (chip sweep: its Pareto front):
// rank 0 receives each record in point order through `emit` and writes nothing itself.
bool gather_points_mpi(Context& ctx, std::size_t points, std::size_t batch, const RangeEvaluator& evaluate,
                       const std::string& progress_label, const std::function<void(const report::Record&)>& emit);
bool run_points_mpi(Context& ctx, std::size_t points, std::size_t batch, const RangeEvaluator& evaluate,
                    const std::string& progress_label,
                    const std::function<void(const report::Record&)>& also = {});

}  // namespace xpusim::cli
