#include <algorithm>
#include <set>

#include "cli/commands.hpp"
#include "core/parallel.hpp"
#include "report/training_record.hpp"
#include "scenario/evaluate.hpp"
#include "scenario/run_file.hpp"

namespace xpusim::cli {
namespace {

void run_file(Context& ctx, const std::string& file) {
  const auto scenarios = scenario::load_run_file(file);
  const auto& session = ctx.session();
  // Resolve every name and override first, so bad input fails before any row is written.
  for (const auto& s : scenarios) {
    scenario::resolve_architecture(session, s);
    scenario::resolve_system(session, s);
  }
  auto sink = ctx.stream_sink();
  sink->begin(ctx.run_context());
  // Evaluated in parallel a batch at a time, written in file order as each batch finishes.
  constexpr std::size_t kBatch = 256;
  const auto progress = ctx.progress("run");
  std::vector<scenario::TrainingOutcome> batch;
  bool all_feasible = true;
  std::set<std::string> warned;  // once per hardware, not per row
  for (std::size_t start = 0; start < scenarios.size(); start += kBatch) {
    const std::size_t n = std::min(kBatch, scenarios.size() - start);
    batch.assign(n, {});
    core::parallel_for(n, [&](std::size_t i) { batch[i] = scenario::evaluate(session, scenarios[start + i]); });
    for (const auto& outcome : batch) {
      if (warned.insert(outcome.hardware).second) ctx.warn_uncalibrated(outcome.hardware, outcome.uncalibrated);
      all_feasible = all_feasible && outcome.step.feasible;
      sink->row(report::training_outcome_record(outcome));
    }
    if (progress) progress(start + n, scenarios.size());
  }
  sink->end();
  if (!all_feasible) ctx.exit_code = 1;
}

}  // namespace

void add_run_command(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("run", "Evaluate every scenario of a YAML run file, one record per scenario as each finishes");
  auto file = std::make_shared<std::string>();
  cmd->add_option("FILE", *file, "Run file: one scenario, a list, or {defaults, scenarios} (docs/scenarios.md)")->required();
  ctx.add_format_option(cmd);
  cmd->callback([&ctx, file] { run_file(ctx, *file); });
}

}  // namespace xpusim::cli
