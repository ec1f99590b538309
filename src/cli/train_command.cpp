#include <fstream>

#include "cli/commands.hpp"
#include "cli/run_spec_options.hpp"
#include "cli/train_search.hpp"
#include "core/error.hpp"
#include "report/trace.hpp"
#include "report/training_record.hpp"
#include "scenario/evaluate.hpp"

namespace xpusim::cli {
namespace {

void run_train(Context& ctx, const RunSpecOptions& options, const std::string& trace) {
  const scenario::Scenario s = options.scenario();
  const auto& session = ctx.session();
  const auto outcome = scenario::evaluate(session, s);
  if (!trace.empty()) {
    std::ofstream out(trace);
    if (!out) throw core::Error::flag("--trace", trace, "a writable file path");
    const auto model = session.step_model(scenario::resolve_architecture(session, s),
                                          scenario::resolve_system(session, s));
    out << report::training_trace(*model, outcome.step).dump() << "\n";
  }
  ctx.warn_uncalibrated(outcome.hardware, outcome.uncalibrated);
  ctx.emit(report::training_outcome_record(outcome));
  if (!outcome.step.feasible) ctx.exit_code = 1;
}

}  // namespace

void add_train_command(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("train", "Predict step time, throughput, MFU and memory of a training layout");
  auto options = std::make_shared<RunSpecOptions>();
  auto trace = std::make_shared<std::string>();
  auto search = std::make_shared<SearchFlags>();
  options->add_to(cmd);
  cmd->add_option("--trace", *trace, "Write a Perfetto/Chrome JSON trace of one step to FILE");
  search->add_to(cmd, true);
  ctx.add_format_option(cmd);
  cmd->callback([&ctx, cmd, options, trace, search] {
    search->require_search(cmd);
    if (search->search) {
      if (!trace->empty()) throw core::Error::flag("--trace", *trace, "no --search with it (a trace is of one layout)");
      return run_train_search(ctx, *options, *search);
    }
    run_train(ctx, *options, *trace);
  });
}

}  // namespace xpusim::cli
