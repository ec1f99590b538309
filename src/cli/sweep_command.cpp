#include <fmt/format.h>
#include <fstream>
#include <map>

#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "cli/train_search.hpp"
#include "core/error.hpp"
#include "report/search_record.hpp"
#include "report/sweep_plot.hpp"
#include "report/training_record.hpp"
#include "scenario/run_spec.hpp"
#include "search/sweep.hpp"

namespace xpusim::cli {
namespace {

// The run-spec flags of a sweep: every non-switch field takes a comma-separated list; a field
// given one value is fixed for every point, one given several is a grid axis. Switches apply
// to every point as given.
struct SweepFlags {
  std::map<std::string, std::string> text;
  std::map<std::string, bool> switches;
  std::vector<std::string> sets;
  std::map<std::string, CLI::Option*> options;
  std::string plot;
  SearchFlags search;
};

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const auto end = text.find(',', start);
    out.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return out;
    start = end + 1;
  }
}

scenario::FieldValue value_of(const std::string& flag, const std::string& text) {
  return {text, [flag, text](std::string expected) { return core::Error::flag(flag, text, std::move(expected)); }};
}

void run_sweep(Context& ctx, const SweepFlags& flags) {
  scenario::Scenario base;
  std::vector<search::SweepAxis> axes;
  std::set<std::string> given;
  for (const auto& f : scenario::training_fields()) {
    const CLI::Option* opt = flags.options.at(f.name);
    if (opt->count() == 0) continue;
    given.insert(f.name);
    if (f.type == scenario::FieldType::kBool) {
      f.apply(value_of(f.flag, f.negated_flag ? "false" : "true"), base);
    } else if (f.type == scenario::FieldType::kOverrides) {
      for (const auto& set : flags.sets) {
        const auto eq = set.find('=');
        const auto values = split(eq == std::string::npos ? set : set.substr(eq + 1));
        if (eq == std::string::npos || values.size() == 1) {
          f.apply(value_of(f.flag, set), base);
          continue;
        }
        search::SweepAxis axis{f.name, set.substr(0, eq), {}, {}};
        for (const auto& v : values) {
          axis.values.push_back(value_of(f.flag, set.substr(0, eq) + "=" + v));
          axis.shown.push_back(v);
        }
        axes.push_back(std::move(axis));
      }
    } else {
      const auto values = split(flags.text.at(f.name));
      if (values.size() == 1) {
        f.apply(value_of(f.flag, values[0]), base);
        continue;
      }
      search::SweepAxis axis{f.name, f.name, {}, {}};
      for (const auto& v : values) {
        axis.values.push_back(value_of(f.flag, v));
        axis.shown.push_back(v);
      }
      axes.push_back(std::move(axis));
    }
  }
  if (axes.empty())
    throw core::Error::flag("--gpus", flags.text.at("gpus"),
                            "a comma-separated list on at least one run-spec flag or --set (e.g. --gpus 1024,2048,4096) "
                            "to sweep over");
  auto opts = flags.search.options(given);
  const auto points = search::sweep_points(base, axes);
  const auto& session = ctx.session();
  for (const auto& p : points) {  // every name and override resolved before the first row
    scenario::resolve_architecture(session, p.scenario);
    scenario::resolve_system(session, p.scenario);
  }
  std::ofstream plot_file;
  if (!flags.plot.empty()) {
    plot_file.open(flags.plot);
    if (!plot_file) throw core::Error::flag("--plot", flags.plot, "a writable file path (an .svg)");
  }
  InterruptGuard guard;
  opts.stop = guard.stop();
  auto sink = ctx.stream_sink();
  sink->begin(ctx.run_context());
  std::vector<report::SweepPlotPoint> plotted;
  bool all_feasible = true;
  std::set<std::string> warned;
  search::run_sweep(
      session, points, opts,
      [&](const search::SweepRow& row) {
        const auto& r = row.result;
        if (warned.insert(r.best.hardware).second) ctx.warn_uncalibrated(r.best.hardware, r.best.uncalibrated);
        report::Record rec = report::Record::object();
        report::Record point = report::Record::object();
        for (const auto& [label, value] : row.point->values) point[label] = value;
        rec["point"] = point;
        rec["evaluated"] = r.evaluated;
        rec["pruned"] = r.pruned();
        rec["feasible_layouts"] = r.feasible;
        rec["search_elapsed_s"] = r.elapsed_s;
        rec["layout"] = r.results.empty() ? "" : report::layout_label(r.best.step.layout);
        rec.update(report::training_outcome_record(r.best));
        sink->row(rec);
        all_feasible = all_feasible && !r.results.empty();
        report::SweepPlotPoint pp;
        pp.values = row.point->values;
        pp.feasible = !r.results.empty();
        pp.tokens_per_s_per_gpu = r.best.step.tokens_per_s / static_cast<double>(r.best.step.layout.gpus);
        pp.mfu = r.best.step.mfu;
        const auto& l = r.best.step.layout;
        pp.note = fmt::format("tp{} pp{}{}{}", l.tp, l.pp, l.cp > 1 ? fmt::format(" cp{}", l.cp) : std::string(),
                              l.ep > 1 ? fmt::format(" ep{}", l.ep) : std::string());
        plotted.push_back(std::move(pp));
      },
      rate_progress("sweep", "points"));
  sink->end();
  if (plot_file.is_open()) {
    const auto& first = points.front().scenario;
    const std::string title = fmt::format("{}: best layout per point, seq {} tokens, global batch {}",
                                          first.model, first.layout.seq_len, first.layout.global_batch);
    plot_file << report::render_sweep_svg(report::sweep_plot(plotted, title));
  }
  if (guard.interrupted()) {
    ctx.exit_code = kInterruptedExit;
  } else if (!all_feasible) {
    ctx.exit_code = 1;
  }
}

}  // namespace

void add_sweep_command(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand(
      "sweep", "Search the best layout at every point of a grid over run-spec and hardware fields, one row per point");
  auto flags = std::make_shared<SweepFlags>();
  for (const auto& f : scenario::training_fields()) {
    CLI::Option* opt = nullptr;
    const std::string help = f.description + (f.type == scenario::FieldType::kBool ? "" : " (comma list: swept)");
    if (f.type == scenario::FieldType::kBool) {
      opt = cmd->add_flag(f.flag, flags->switches[f.name], help);
    } else if (f.type == scenario::FieldType::kOverrides) {
      opt = cmd->add_option(f.flag, flags->sets, help + ", e.g. memory.stacks=5,6,8");
    } else {
      opt = cmd->add_option(f.flag, flags->text[f.name], help);
    }
    if (f.required) opt->required();
    flags->options[f.name] = opt;
  }
  flags->search.add_to(cmd, false);
  cmd->add_option("--plot", flags->plot, "Write an SVG of throughput per GPU and MFU against the swept value");
  ctx.add_format_option(cmd);
  cmd->callback([&ctx, flags] { run_sweep(ctx, *flags); });
}

}  // namespace xpusim::cli
