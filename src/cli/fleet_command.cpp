#include <fstream>
#include <map>
#include <set>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "core/units.hpp"
#include "planning/fleet_run.hpp"
#include "planning/fleet_value.hpp"
#include "report/fleet_chart.hpp"
#include "report/fleet_record.hpp"
#include "scenario/run_spec.hpp"

namespace xpusim::cli {
namespace {

// The run-spec flags of `xpusim train` (scenario::training_fields()), except that --seq-len and
// --global-batch have defaults here, plus the failure-model flags.
struct FleetRunOptions {
  std::map<std::string, std::string> text;
  std::map<std::string, bool> switches;
  std::vector<std::string> sets;
  std::map<std::string, CLI::Option*> options;
  std::string tokens, interval, restart, storage, trials = "1000", seed = "1", plot, plot_gpus;
};

const std::set<std::string> kJobFields{"model", "system", "set", "gpus", "seq_len", "global_batch"};

void add_run_options(CLI::App* cmd, FleetRunOptions& o) {
  for (const auto& f : scenario::training_fields()) {
    std::string help = f.description;
    if (f.type == scenario::FieldType::kChoice) {
      help += ": ";
      for (std::size_t i = 0; i < f.choices.size(); ++i) help += (i ? "|" : "") + f.choices[i];
    }
    if (f.name == "seq_len") help += " (default 4096)";
    if (f.name == "global_batch") help += " (default 16M tokens per step / seq-len)";
    if (!kJobFields.count(f.name)) help += "; giving any layout flag uses the run-spec layout instead of the best one";
    CLI::Option* opt = nullptr;
    if (f.type == scenario::FieldType::kBool) opt = cmd->add_flag(f.flag, o.switches[f.name], help);
    else if (f.type == scenario::FieldType::kOverrides) opt = cmd->add_option(f.flag, o.sets, help);
    else opt = cmd->add_option(f.flag, o.text[f.name], help);
    if (f.required && f.name != "seq_len" && f.name != "global_batch") opt->required();
    o.options[f.name] = opt;
  }
  cmd->add_option("--tokens", o.tokens, "Training tokens of the job, e.g. 15e12")->required();
  cmd->add_option("--checkpoint-interval", o.interval, "Seconds of training between checkpoints (default: Young-Daly)");
  cmd->add_option("--restart", o.restart, "Restart overhead per interruption in seconds, besides the restore (default: data/fleets/reliability.yaml)");
  cmd->add_option("--storage-bandwidth", o.storage, "Checkpoint write and restore bandwidth, e.g. \"2 TB/s\"");
  cmd->add_option("--trials", o.trials, "Monte Carlo trials (default 1000)");
  cmd->add_option("--seed", o.seed, "Monte Carlo seed (default 1)");
  cmd->add_option("--plot", o.plot, "Write an SVG chart of ideal and expected time to train against GPU count to FILE");
  cmd->add_option("--plot-gpus", o.plot_gpus,
                  "Comma-separated GPU counts of the chart (default: gpus x 1/8 ... x 16, powers of two)");
}

planning::FleetRunRequest run_request(const FleetRunOptions& o) {
  planning::FleetRunRequest r;
  r.scenario = scenario::run_spec_defaults();  // what train starts from: megatron-core, automatic micro-batch
  scenario::Scenario& s = r.scenario;
  for (const auto& f : scenario::training_fields()) {
    const CLI::Option* opt = o.options.at(f.name);
    if (opt->count() == 0) continue;
    if (!kJobFields.count(f.name)) r.layout_given = true;
    const auto value = [&f](std::string text) {
      return scenario::FieldValue{text, [flag = f.flag, text](std::string expected) {
                                    return core::Error::flag(flag, text, std::move(expected));
                                  }};
    };
    if (f.type == scenario::FieldType::kBool) f.apply(value(f.negated_flag ? "false" : "true"), s);
    else if (f.type == scenario::FieldType::kOverrides)
      for (const auto& t : o.sets) f.apply(value(t), s);
    else f.apply(value(o.text.at(f.name)), s);
  }
  if (o.options.at("seq_len")->count() == 0) s.layout.seq_len = 4096;
  if (o.options.at("global_batch")->count() == 0) s.layout.global_batch = planning::default_global_batch(s.layout.seq_len);
  r.tokens = positive_number_flag("--tokens", o.tokens);
  if (!o.interval.empty()) r.interval_s = positive_number_flag("--checkpoint-interval", o.interval);
  if (!o.restart.empty()) {
    double v = 0;
    if (!core::parse_quantity(o.restart, core::Dimension::kDimensionless, &v) || v < 0)
      throw core::Error::flag("--restart", o.restart, "seconds >= 0, e.g. 300");
    r.restart_s = v;
  }
  if (!o.storage.empty()) {
    double v = 0;
    if (!core::parse_quantity(o.storage, core::Dimension::kBytesPerSecond, &v) || !(v > 0))
      throw core::Error::flag("--storage-bandwidth", o.storage, "a positive bandwidth, e.g. \"2 TB/s\"");
    r.storage_bytes_per_s = v;
  }
  r.trials = static_cast<int>(std::min<long long>(positive_int_flag("--trials", o.trials), 1000000));
  std::size_t used = 0;
  try {
    r.seed = std::stoull(o.seed, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != o.seed.size() || o.seed.empty() || o.seed.front() == '-')
    throw core::Error::flag("--seed", o.seed, "a non-negative integer");
  if (!o.plot_gpus.empty() && o.plot.empty())
    throw core::Error::flag("--plot-gpus", o.plot_gpus, "--plot FILE.svg as well (the counts are the chart's)");
  if (!o.plot.empty()) {
    if (o.plot_gpus.empty()) {
      for (long long n = std::max<long long>(8, s.layout.gpus / 8); n <= s.layout.gpus * 16; n *= 2)
        r.sweep_gpus.push_back(n);
    } else {
      std::size_t start = 0;
      while (start <= o.plot_gpus.size()) {
        const auto comma = o.plot_gpus.find(',', start);
        const auto item = o.plot_gpus.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        try {
          r.sweep_gpus.push_back(positive_int_flag("--plot-gpus", item));
        } catch (const core::Error&) {
          throw core::Error::flag("--plot-gpus", o.plot_gpus, "comma-separated positive GPU counts, e.g. 1024,2048,4096");
        }
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
      std::sort(r.sweep_gpus.begin(), r.sweep_gpus.end());
    }
  }
  return r;
}

void run_fleet_run(Context& ctx, const FleetRunOptions& o) {
  const auto request = run_request(o);
  std::ofstream plot;
  if (!o.plot.empty()) {
    plot.open(o.plot);
    if (!plot) throw core::Error::flag("--plot", o.plot, "a writable file path");
  }
  const auto result = planning::run_fleet(ctx.session(), request, ctx.progress("monte carlo"));
  if (plot.is_open()) plot << report::time_to_train_svg(result);
  ctx.warn_uncalibrated(result.outcome.hardware, result.outcome.uncalibrated);
  ctx.emit(report::fleet_run_record(result));
  if (!result.outcome.step.feasible) ctx.exit_code = 1;
}

struct FleetValueOptions {
  std::string inventory, reference = "dgx-h100";
  std::vector<std::string> sets, models;
};

void run_fleet_value(Context& ctx, const FleetValueOptions& o) {
  planning::FleetValueRequest r;
  r.inventory = o.inventory;
  r.overrides = hardware::parse_overrides(o.sets);
  r.models = o.models;
  r.reference_system = o.reference;
  const auto value = planning::value_fleet(ctx.session(), r);
  for (const auto& line : value.lines) ctx.warn_uncalibrated(line.hardware, line.uncalibrated);
  const auto record = report::fleet_value_record(value);
  const auto table = report::fleet_value_table(value);
  ctx.emit(record, &table);
}

}  // namespace

void add_fleet_command(CLI::App& app, Context& ctx) {
  auto* fleet = app.add_subcommand("fleet", "Fleet planning: time to train with failures, H100-equivalents of an inventory");
  fleet->require_subcommand(1);

  auto* run = fleet->add_subcommand("run", "Expected time to train with failures, checkpoints and restarts (analytical and Monte Carlo)");
  auto run_options = std::make_shared<FleetRunOptions>();
  add_run_options(run, *run_options);
  ctx.add_format_option(run);
  run->callback([&ctx, run_options] { run_fleet_run(ctx, *run_options); });

  auto* value = fleet->add_subcommand("value", "H100-equivalents (peak_bf16, training, serving), HBM, power and cost of an inventory");
  auto value_options = std::make_shared<FleetValueOptions>();
  value->add_option("--inventory", value_options->inventory, "Inventory YAML file (data/fleets/*.yaml)")->required();
  value->add_option("--set", value_options->sets, "Override a hardware field of every system, e.g. memory.stacks=8 (repeatable)");
  value->add_option("--model", value_options->models, "Replace the reference training models (repeatable)");
  value->add_option("--reference", value_options->reference, "The system one H100-equivalent is (default dgx-h100)");
  ctx.add_format_option(value);
  value->callback([&ctx, value_options] { run_fleet_value(ctx, *value_options); });
}

}  // namespace xpusim::cli
