#include "cli/commands.hpp"
#include "core/error.hpp"
#include "core/suggest.hpp"
#include "core/validation.hpp"
#include "memory/timing_set.hpp"
#include "report/validation_record.hpp"
#include "validation/registry.hpp"

namespace xpusim::cli {
namespace {

void run_validate(Context& ctx, const std::string& wanted) {
  const auto suites = validation::builtin_suites();
  if (!wanted.empty() && validation::find_suite(suites, wanted) == nullptr) {
    std::vector<std::string> names;
    for (const auto& s : suites) names.push_back(s.name);
    throw core::Error::flag("--suite", wanted,
                            names.empty() ? std::string("a validation suite (none are built in yet)")
                                          : core::expected_one_of(names));
  }
  const auto& session = ctx.session();
  const validation::SuiteInputs inputs{session.catalog(), session.timings(), session.data_dir()};
  report::Record out = report::Record::array();
  bool all_passed = true;
  for (const auto& s : suites) {
    if (!wanted.empty() && s.name != wanted) continue;
    const auto result = s.run(inputs);
    all_passed = all_passed && result.passed;
    out.push_back(report::validation_record(result));
  }
  if (out.size() == 1) {
    ctx.emit(out[0]);
  } else {
    // Several suites: people get one line per suite; JSON and CSV keep every case.
    report::Record summary = report::Record::array();
    for (const auto& r : out) {
      summary.push_back(report::Record{{"suite", r["suite"]},
                                       {"passed", r["passed"]},
                                       {"cases", r["cases"].size()},
                                       {"held_out_cases", r["held_out_cases"]},
                                       {"median_abs_error", r["median_abs_error"]},
                                       {"mean_abs_error", r["mean_abs_error"]},
                                       {"max_abs_error", r["max_abs_error"]},
                                       {"tolerance", r["tolerance"]}});
    }
    const report::Record table{{"suites", summary}};
    ctx.emit(report::Record{{"suites", out}}, &table);
  }
  if (!all_passed) ctx.exit_code = 1;
}

}  // namespace

void add_validate_command(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("validate", "Compare predictions with published measurements");
  auto suite = std::make_shared<std::string>();
  cmd->add_option("--suite", *suite, "Suite to run (default: all)");
  ctx.add_format_option(cmd);
  cmd->callback([&ctx, suite] { run_validate(ctx, *suite); });
}

}  // namespace xpusim::cli
