#include <algorithm>
#include <cstdio>
#include <set>

#include "cli/commands.hpp"
#include "cli/mpi_run.hpp"
#include "core/parallel.hpp"
#include "report/training_record.hpp"
#include "scenario/evaluate.hpp"
#include "scenario/run_file.hpp"

namespace xpusim::cli {
namespace {

struct RunFlags {
  std::string file;
  bool mpi = false;
  std::string mpi_batch = "256";
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
    run_points_mpi(ctx, scenarios.size(), static_cast<std::size_t>(batch),
                   [&](std::size_t b, std::size_t e) { return evaluate_range(session, scenarios, b, e); }, "run");
    return;
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
