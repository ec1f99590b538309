#include <functional>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "core/suggest.hpp"
#include "core/validation.hpp"
#include "cost/collective_validation.hpp"
#include "training/megatron_validation.hpp"
#include "training/published_runs.hpp"
#include "cost/kernel_validation.hpp"
#include "report/validation_record.hpp"

namespace xpusim::cli {
namespace {

// A validation suite the CLI can run: published numbers vs predictions.
struct SuiteEntry {
  std::string name;
  std::string description;
  std::function<core::ValidationSuite(Context&)> run;
};

// Explicit registry (DESIGN.md: no static-initialiser registration). Each modelling layer adds
// its suites here.
std::vector<SuiteEntry> builtin_suites() {
  std::vector<SuiteEntry> suites;
  suites.push_back({"kernels", "GEMM, attention and memory kernels vs the operator cost model",
                    [](Context& ctx) { return cost::kernels_suite(ctx.catalog(), ctx.data_dir()); }});
  suites.push_back({"megatron2021", "Megatron-LM 2021 Table 1 GPT runs on Selene vs the training step model",
                    [](Context& ctx) { return training::megatron2021_suite(ctx.catalog(), ctx.data_dir()); }});
  suites.push_back({"collectives", "nccl-tests bus bandwidths vs the collective model on the link hierarchy",
                    [](Context& ctx) { return cost::collectives_suite(ctx.catalog(), ctx.data_dir()); }});
  suites.push_back({"llama3", "Llama 3 405B on 8K-16K H100s (held out) vs the training step model",
                    [](Context& ctx) { return training::llama3_suite(ctx.catalog(), ctx.data_dir()); }});
  suites.push_back({"nemo-h100", "Megatron-Bridge DGX-H100 FP8 Llama runs (held out) vs the training step model",
                    [](Context& ctx) { return training::nemo_h100_suite(ctx.catalog(), ctx.data_dir()); }});
  return suites;
}

void run_validate(Context& ctx, const std::string& wanted) {
  const auto suites = builtin_suites();
  std::vector<std::string> names;
  for (const auto& s : suites) names.push_back(s.name);
  report::Record out = report::Record::array();
  bool all_passed = true;
  bool found = false;
  for (const auto& s : suites) {
    if (!wanted.empty() && s.name != wanted) continue;
    found = true;
    const auto result = s.run(ctx);
    all_passed = all_passed && result.passed;
    out.push_back(report::validation_record(result));
  }
  if (!found) {
    throw core::Error::flag("--suite", wanted,
                            names.empty() ? std::string("a validation suite (none are built in yet)")
                                          : core::expected_one_of(names));
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
