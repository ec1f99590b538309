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
  const auto format = ctx.format();
  if (format == report::Format::kCsv) {
    // One row per case, each naming its suite (a cell never holds a nested list).
    report::RunContext rc;
    rc.columns = {"suite", "passed", "case", "description", "unit", "published", "predicted", "signed_error", "role"};
    const auto sink = ctx.stream_sink();
    sink->begin(rc);
    for (const auto& r : out)
      for (const auto& c : r["cases"]) {
        report::Record row{{"suite", r["suite"]}, {"passed", r["passed"]}};
        row.update(c);
        sink->row(row);
      }
    sink->end();
  } else if (out.size() == 1) {
    ctx.emit(out[0]);
  } else if (format == report::Format::kTable) {
    // Each suite with its case rows, then one summary line per suite.
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
    const auto sink = ctx.stream_sink();
    sink->begin(report::RunContext{});
    for (const auto& r : out) sink->row(r);
    sink->row(report::Record{{"summary", summary}});
    sink->end();
  } else {
    ctx.emit(report::Record{{"suites", out}});
  }
  if (!all_passed) ctx.exit_code = 1;
}

}  // namespace

void add_validate_command(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("validate", "Compare predictions with published measurements");
  auto suite = std::make_shared<std::string>();
  cmd->add_option("--suite", *suite, "Suite to run (default: all)")->each([](const std::string& v) {
    if (v.empty()) throw core::Error::flag("--suite", v, "a suite name; leave the flag out to run every suite");
  });
  ctx.add_format_option(cmd);
  cmd->callback([&ctx, suite] { run_validate(ctx, *suite); });
}

}  // namespace xpusim::cli
