#include <algorithm>
#include <cstdio>
#include <set>

#include "cli/commands.hpp"
#include "core/parallel.hpp"
#include "report/training_record.hpp"
#include "scenario/evaluate.hpp"
#include "scenario/run_file.hpp"
#ifdef XPUSIM_HAVE_MPI
#include "distributed/mpi_runner.hpp"
#endif

namespace xpusim::cli {
namespace {

struct RunFlags {
  std::string file;
  bool mpi = false;
  std::string mpi_batch = "256";
};

// Writes finished rows in file order: the sink, the exit status and the uncalibrated warnings
// (once per hardware, for people) of one run, whichever way its points were evaluated.
class RowWriter {
 public:
  explicit RowWriter(Context& ctx) : ctx_(ctx), sink_(ctx.stream_sink()) { sink_->begin(ctx.run_context()); }
  void write(const report::Record& r) {
    const auto hardware = r.value("hardware", std::string());
    if (warned_.insert(hardware).second && r.contains("uncalibrated"))
      ctx_.warn_uncalibrated(hardware, r["uncalibrated"].get<std::vector<std::string>>());
    all_feasible_ = all_feasible_ && r.value("feasible", false);
    sink_->row(r);
  }
  void finish() {
    sink_->end();
    if (!all_feasible_) ctx_.exit_code = 1;
  }

 private:
  Context& ctx_;
  std::unique_ptr<report::Sink> sink_;
  std::set<std::string> warned_;
  bool all_feasible_ = true;
};

std::vector<report::Record> evaluate_range(const scenario::Session& session,
                                           const std::vector<scenario::Scenario>& scenarios, std::size_t begin,
                                           std::size_t end) {
  std::vector<report::Record> out(end - begin);
  core::parallel_for(end - begin, [&](std::size_t i) {
    out[i] = report::training_outcome_record(scenario::evaluate(session, scenarios[begin + i]));
  });
  return out;
}

#ifdef XPUSIM_HAVE_MPI
// The command line without the MPI flags, so the recorded command is the single-process one.
std::string without_mpi_flags(const std::string& line) {
  std::string out, word;
  bool skip_next = false;
  std::size_t pos = 0;
  while (pos <= line.size()) {
    const std::size_t space = std::min(line.find(' ', pos), line.size());
    word = line.substr(pos, space - pos);
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

void run_mpi(Context& ctx, const std::vector<scenario::Scenario>& scenarios, std::size_t batch) {
  const auto& session = ctx.session();
  distributed::MpiSession mpi(nullptr, nullptr);
  distributed::MpiJob job{scenarios.size(), batch,
                          [&](std::size_t b, std::size_t e) { return evaluate_range(session, scenarios, b, e); }};
  if (mpi.rank() != 0) {
    distributed::run_distributed(mpi, job, {});
    return;
  }
  // How the points were spread is not part of the result: rank 0 writes what one process would.
  ctx.command_line = without_mpi_flags(ctx.command_line);
  RowWriter out(ctx);
  const auto summary = distributed::run_distributed(
      mpi, job, [&](std::size_t, const report::Record& r) { out.write(r); }, ctx.progress("run"));
  out.finish();
  std::string held;
  for (const auto& [rank, batches] : summary.unreturned)
    for (const auto& b : batches)
      held += "; rank " + std::to_string(rank) + " had not returned points " + std::to_string(b.begin) + "-" +
              std::to_string(b.end - 1) + " at the end (another rank computed them)";
  for (int rank : summary.presumed_dead) held += "; rank " + std::to_string(rank) + " presumed dead";
  std::fprintf(stderr, "mpi: %d ranks, %zu batches of up to %zu points, %zu re-issued%s\n", summary.ranks,
               summary.batches, batch, summary.reissued, held.c_str());
}
#endif

void run_file(Context& ctx, const RunFlags& flags) {
  const auto scenarios = scenario::load_run_file(flags.file);
  const auto& session = ctx.session();
  // Resolve every name and override first, so bad input fails before any row is written.
  for (const auto& s : scenarios) {
    scenario::resolve_architecture(session, s);
    scenario::resolve_system(session, s);
  }
  const long long batch = positive_int_flag("--mpi-batch", flags.mpi_batch);
  if (flags.mpi) {
#ifdef XPUSIM_HAVE_MPI
    run_mpi(ctx, scenarios, static_cast<std::size_t>(batch));
    return;
#else
    throw core::Error::flag("--mpi", "", "an xpusim built with MPI (install libopenmpi-dev and rebuild)");
#endif
  }
  // Evaluated in parallel a batch at a time, written in file order as each batch finishes.
  constexpr std::size_t kBatch = 256;
  const auto progress = ctx.progress("run");
  RowWriter out(ctx);
  for (std::size_t start = 0; start < scenarios.size(); start += kBatch) {
    const std::size_t end = std::min(start + kBatch, scenarios.size());
    for (const auto& r : evaluate_range(session, scenarios, start, end)) out.write(r);
    if (progress) progress(end, scenarios.size());
  }
  out.finish();
}

}  // namespace

void add_run_command(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("run", "Evaluate every scenario of a YAML run file, one record per scenario as each finishes");
  auto flags = std::make_shared<RunFlags>();
  cmd->add_option("FILE", flags->file, "Run file: one scenario, a list, or {defaults, scenarios} (docs/scenarios.md)")
      ->required();
  cmd->add_flag("--mpi", flags->mpi,
                "Spread the scenarios over the ranks of `mpirun -n K xpusim run FILE --mpi`; output equals one "
                "process's (docs/distributed.md)");
  cmd->add_option("--mpi-batch", flags->mpi_batch, "Scenarios per batch a rank asks for (default 256)");
  ctx.add_format_option(cmd);
  cmd->callback([&ctx, flags] { run_file(ctx, *flags); });
}

}  // namespace xpusim::cli
