#include <fmt/format.h>

#include <chrono>
#include <fstream>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "design/chip_sweep.hpp"
#include "report/design_record.hpp"

namespace xpusim::cli {
namespace {

struct SweepFlags {
  std::string base;
  std::vector<std::string> vary;
  std::string train_model, gpus, seq_len = "4096", global_batch;
  std::string pareto;
  std::string report_file;
  std::string cost_model;
};

struct ParetoAxes {
  std::string y_key;  // maximised: throughput
  std::string x_key;  // cost or power, minimised
};

ParetoAxes parse_pareto(const std::string& text) {
  if (text == "throughput,cost" || text == "cost,throughput") return {"train_tokens_per_s_per_chip", "cost_usd"};
  if (text == "throughput,power" || text == "power,throughput") return {"train_tokens_per_s_per_chip", "power_w"};
  throw core::Error::flag("--pareto", text, "throughput,cost or throughput,power");
}

void chip_sweep(Context& ctx, const SweepFlags& f) {
  const auto start = std::chrono::steady_clock::now();
  if (f.vary.empty()) throw core::Error::flag("--vary", "", "at least one PATH=V1,V2,... (e.g. memory.stacks=4,6,8)");
  design::SweepSpec spec;
  spec.base = f.base;
  for (const auto& v : f.vary) spec.axes.push_back(design::parse_axis(v));
  if (!f.train_model.empty()) {
    if (f.gpus.empty()) throw core::Error::flag("--gpus", "", "a GPU count for the --train workload");
    if (f.global_batch.empty()) throw core::Error::flag("--global-batch", "", "sequences per step for --train");
    spec.train = design::TrainWorkload{f.train_model, positive_int_flag("--gpus", f.gpus),
                                       positive_int_flag("--seq-len", f.seq_len),
                                       positive_int_flag("--global-batch", f.global_batch)};
  }
  const auto pareto = f.pareto.empty() ? std::optional<ParetoAxes>{} : parse_pareto(f.pareto);
  if (pareto && !spec.train) throw core::Error::flag("--pareto", f.pareto, "a workload to rank (--train MODEL)");
  const auto& session = ctx.session();
  if (spec.train) session.architecture(spec.train->model);  // a bad model name fails before any work
  const auto coefficients = design::CostCoefficients::load(
      f.cost_model.empty() ? session.data_dir() / "design" / "cost_model.yaml" : std::filesystem::path(f.cost_model));
  const auto points = design::run_sweep(session, spec, coefficients, ctx.progress("chip sweep"));

  std::vector<report::Record> rows;
  for (const auto& p : points) rows.push_back(report::design_point_record(p));
  std::vector<bool> front(points.size(), false);
  if (pareto) {
    std::vector<double> a, b;
    std::vector<bool> valid;
    for (const auto& r : rows) {
      valid.push_back(r["feasible"].get<bool>() && r[pareto->y_key].is_number());
      a.push_back(valid.back() ? r[pareto->y_key].get<double>() : 0.0);
      b.push_back(r[pareto->x_key].get<double>());
    }
    front = design::pareto_front(a, b, false, valid);
    for (std::size_t i = 0; i < rows.size(); ++i) rows[i]["pareto"] = static_cast<bool>(front[i]);
  }
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!f.report_file.empty()) {
    const std::string workload = spec.train ? fmt::format("training {} on {} GPUs, sequence {}, global batch {}",
                                                          spec.train->model, spec.train->gpus, spec.train->seq_len,
                                                          spec.train->global_batch)
                                            : "none (cost and power only)";
    const auto page = report::design_sweep_report(points, front, spec.axes, f.base, workload,
                                                  "xpusim " XPUSIM_VERSION " · data " + session.data_hash() + " · " +
                                                      ctx.command_line);
    std::ofstream out(f.report_file);
    if (!out) throw core::Error::flag("--report", f.report_file, "a writable file path");
    out << report::render_html(page);
  }
  bool any_feasible = false;
  for (const auto& p : points) any_feasible = any_feasible || p.feasible;
  if (ctx.format() == report::Format::kJson) {
    report::Record doc{{"evaluated", points.size()}, {"elapsed_s", elapsed}, {"points", rows}};
    ctx.emit(doc);
  } else {
    auto sink = ctx.stream_sink();
    sink->begin(ctx.run_context());
    for (const auto& r : rows) sink->row(r);
    sink->end();
  }
  if (!any_feasible) ctx.exit_code = 1;
}

}  // namespace

void add_chip_command(CLI::App& app, Context& ctx) {
  auto* chip = app.add_subcommand("chip", "Custom accelerator design: sweep design points of a base chip");
  chip->require_subcommand(1);
  auto f = std::make_shared<SweepFlags>();
  auto* sweep = chip->add_subcommand("sweep", "Vary catalog fields of a base design and evaluate each point");
  sweep->add_option("--base", f->base, "Base system (dgx-h100, a YAML file) or a catalog chip (h100-sxm5-80gb)")
      ->required();
  sweep->add_option("--vary", f->vary,
                    "PATH=V1,V2,... (repeatable): memory.stacks=4,6,8, memory.generation=hbm3,hbm3e, "
                    "peak_flops_per_s.bf16=800TFLOP/s,..., l2_cache, compute_units, tdp, node.scale_up.domain_size");
  sweep->add_option("--train", f->train_model, "Training workload: model name or config.json (best layout per point)");
  sweep->add_option("--gpus", f->gpus, "GPUs of the training workload");
  sweep->add_option("--seq-len", f->seq_len, "Sequence length of the training workload (default 4096)");
  sweep->add_option("--global-batch", f->global_batch, "Sequences per step of the training workload");
  sweep->add_option("--pareto", f->pareto, "Mark the front: throughput,cost or throughput,power");
  sweep->add_option("--report", f->report_file, "Write a self-contained HTML report (plots and table) to FILE");
  sweep->add_option("--cost-model", f->cost_model, "Area/power/cost coefficients (default data/design/cost_model.yaml)");
  ctx.add_format_option(sweep);
  sweep->callback([&ctx, f] { chip_sweep(ctx, *f); });
}

}  // namespace xpusim::cli
