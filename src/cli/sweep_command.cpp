#include <fmt/format.h>
#include <fstream>
#include <map>

#include "cli/commands.hpp"
#include "cli/mpi_run.hpp"
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
  bool mpi = false;
  std::string mpi_batch = "1";
};

// One sweep row: the point's values, the search's counts and the best layout's train record.
report::Record sweep_record(const search::SweepPoint& point, const search::SearchResult& r) {
  report::Record rec = report::Record::object();
  report::Record values = report::Record::object();
  for (const auto& [label, value] : point.values) values[label] = value;
  rec["point"] = values;
  rec["evaluated"] = r.evaluated;
  rec["pruned"] = r.pruned();
  rec["feasible_layouts"] = r.feasible;
  rec["search_elapsed_s"] = r.elapsed_s;
  rec["layout"] = r.results.empty() ? "" : report::layout_label(r.best.step.layout);
  rec.update(report::training_outcome_record(r.best));
  return rec;
}

// What the plot needs of a row, read back from the row itself (so a row from another rank plots
// the same).
report::SweepPlotPoint plot_point(const report::Record& rec) {
  report::SweepPlotPoint pp;
  for (const auto& [label, value] : rec["point"].items()) pp.values.emplace_back(label, value.get<std::string>());
  pp.feasible = rec.value("feasible", false);
  const double gpus = rec.value("gpus", 0.0);
  pp.tokens_per_s_per_gpu = gpus > 0 && rec["tokens_per_s"].is_number() ? rec["tokens_per_s"].get<double>() / gpus : 0;
  pp.mfu = rec["mfu"].is_number() ? rec["mfu"].get<double>() : 0;
  const auto& par = rec["parallelism"];
  const auto get = [&](const char* k) { return par.contains(k) && par[k].is_number() ? par[k].get<long long>() : 1LL; };
  pp.note = fmt::format("tp{} pp{}{}{}", get("tp"), get("pp"), get("cp") > 1 ? fmt::format(" cp{}", get("cp")) : std::string(),
                        get("ep") > 1 ? fmt::format(" ep{}", get("ep")) : std::string());
  return pp;
}

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
  std::vector<report::SweepPlotPoint> plotted;
  const auto write_plot = [&] {
    if (!plot_file.is_open()) return;
    const auto& first = points.front().scenario;
    const std::string title = fmt::format("{}: best layout per point, seq {} tokens, global batch {}",
                                          first.model, first.layout.seq_len, first.layout.global_batch);
    plot_file << report::render_sweep_svg(report::sweep_plot(plotted, title));
  };
  if (flags.mpi) {
    const auto batch = static_cast<std::size_t>(positive_int_flag("--mpi-batch", flags.mpi_batch));
    const bool writer = run_points_mpi(
        ctx, points.size(), batch,
        [&](std::size_t b, std::size_t e) {
          std::vector<report::Record> rows;
          for (std::size_t i = b; i < e; ++i) rows.push_back(sweep_record(points[i], search::search_layouts(session, points[i].scenario, opts)));
          return rows;
        },
        "sweep", [&](const report::Record& r) { plotted.push_back(plot_point(r)); });
    if (writer) write_plot();
    return;
  }
  InterruptGuard guard;
  opts.stop = guard.stop();
  RowWriter out(ctx);
  search::run_sweep(
      session, points, opts,
      [&](const search::SweepRow& row) {
        const auto rec = sweep_record(*row.point, row.result);
        out.write(rec);
        plotted.push_back(plot_point(rec));
      },
      rate_progress("sweep", "points"));
  out.finish();
  write_plot();
  if (guard.interrupted()) ctx.exit_code = kInterruptedExit;
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
  cmd->add_flag("--mpi", flags->mpi,
                "Spread the points over the ranks of `mpirun -n K xpusim sweep ... --mpi` (docs/distributed.md)");
  cmd->add_option("--mpi-batch", flags->mpi_batch, "Points per batch a rank asks for (default 1)");
  ctx.add_format_option(cmd);
  cmd->callback([&ctx, flags] { run_sweep(ctx, *flags); });
}

}  // namespace xpusim::cli
