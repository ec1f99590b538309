#include "cli/mpi_run.hpp"

#include <algorithm>
#include <cstdio>

#include "cli/commands.hpp"
#include "core/error.hpp"
#ifdef XPUSIM_HAVE_MPI
#include "distributed/mpi_runner.hpp"
#endif

namespace xpusim::cli {

RowWriter::RowWriter(Context& ctx) : ctx_(ctx), sink_(ctx.stream_sink()) { sink_->begin(ctx.run_context()); }

void RowWriter::write(const report::Record& r) {
  const auto hardware = r.value("hardware", std::string());
  if (warned_.insert(hardware).second && r.contains("uncalibrated") && r["uncalibrated"].is_array())
    ctx_.warn_uncalibrated(hardware, r["uncalibrated"].get<std::vector<std::string>>());
  all_feasible_ = all_feasible_ && r.value("feasible", false);
  sink_->row(r);
}

void RowWriter::finish() {
  sink_->end();
  if (!all_feasible_) ctx_.exit_code = 1;
}

bool have_mpi() {
#ifdef XPUSIM_HAVE_MPI
  return true;
#else
  return false;
#endif
}

namespace {

#ifdef XPUSIM_HAVE_MPI
// The command line without the MPI flags, so the recorded command is the single-process one.
std::string without_mpi_flags(const std::string& line) {
  std::string out;
  bool skip_next = false;
  std::size_t pos = 0;
  while (pos <= line.size()) {
    const std::size_t space = std::min(line.find(' ', pos), line.size());
    const std::string word = line.substr(pos, space - pos);
    pos = space + 1;
    if (skip_next) {
      skip_next = false;
      continue;
    }
    if (word == "--mpi" || word.rfind("--mpi-batch=", 0) == 0) continue;
    if (word == "--mpi-batch") {
      skip_next = true;
      continue;
    }
    out += (out.empty() ? "" : " ") + word;
  }
  return out;
}
#endif

}  // namespace

bool gather_points_mpi([[maybe_unused]] Context& ctx, [[maybe_unused]] std::size_t points,
                       [[maybe_unused]] std::size_t batch, [[maybe_unused]] const RangeEvaluator& evaluate,
                       [[maybe_unused]] const std::string& progress_label,
                       [[maybe_unused]] const std::function<void(const report::Record&)>& emit) {
#ifdef XPUSIM_HAVE_MPI
  distributed::MpiSession mpi(nullptr, nullptr);
  distributed::MpiJob job{points, batch, evaluate};
  if (mpi.rank() != 0) {
    distributed::run_distributed(mpi, job, {});
    return false;
  }
  ctx.command_line = without_mpi_flags(ctx.command_line);
  const auto summary = distributed::run_distributed(
      mpi, job, [&](std::size_t, const report::Record& r) { emit(r); }, ctx.progress(progress_label));
  std::string held;
  for (const auto& [rank, batches] : summary.unreturned)
    for (const auto& b : batches)
      held += "; rank " + std::to_string(rank) + " had not returned points " + std::to_string(b.begin) + "-" +
              std::to_string(b.end - 1) + " at the end (another rank computed them)";
  for (int rank : summary.presumed_dead) held += "; rank " + std::to_string(rank) + " presumed dead";
  std::fprintf(stderr, "mpi: %d ranks, %zu batches of up to %zu points, %zu re-issued%s\n", summary.ranks,
               summary.batches, batch, summary.reissued, held.c_str());
  return true;
#else
  throw core::Error::flag("--mpi", "", "an xpusim built with MPI (install libopenmpi-dev and rebuild)");
#endif
}

bool run_points_mpi(Context& ctx, std::size_t points, std::size_t batch, const RangeEvaluator& evaluate,
                    const std::string& progress_label, const std::function<void(const report::Record&)>& also) {
  // The writer starts once the command line has lost its MPI flags (rank 0, inside the gather).
  std::unique_ptr<RowWriter> out;
  const bool writer = gather_points_mpi(ctx, points, batch, evaluate, progress_label, [&](const report::Record& r) {
    if (!out) out = std::make_unique<RowWriter>(ctx);
    out->write(r);
    if (also) also(r);
  });
  if (!writer) return false;
  if (!out) out = std::make_unique<RowWriter>(ctx);
  out->finish();
  return true;
}

}  // namespace xpusim::cli
