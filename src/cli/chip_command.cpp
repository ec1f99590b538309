#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <fstream>

#include "cli/commands.hpp"
#include "cli/mpi_run.hpp"
#include "core/parallel.hpp"
#include "core/error.hpp"
#include "design/chip_sweep.hpp"
#include "report/design_record.hpp"
#include "serving/engine.hpp"

namespace xpusim::cli {
namespace {

double positive_seconds(const std::string& flag, const std::string& text) {
  double v = 0;
  std::size_t used = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || !(v > 0) || !std::isfinite(v))
    throw core::Error::flag(flag, text, "a time in seconds > 0, such as 0.05");
  return v;
}

struct SweepFlags {
  std::string base;
  std::vector<std::string> vary;
  std::string train_model, gpus, seq_len = "4096", global_batch;
  std::string serve_model, slo_ttft = "2", slo_tpot = "0.05", serve_gpus = "8", input_len = "2048",
      output_len = "256", engine = "vllm";
  std::string pareto;
  std::string report_file;
  std::string cost_model;
  bool mpi = false;
  std::string mpi_batch = "1";
};

struct ParetoAxes {
  std::string y_key;  // maximised: throughput
  std::string x_key;  // cost or power, minimised
};

ParetoAxes parse_pareto(const std::string& text, bool serving) {
  const std::string y = serving ? "serve_goodput_tokens_per_s_per_chip" : "train_tokens_per_s_per_chip";
  if (text == "throughput,cost" || text == "cost,throughput") return {y, "cost_usd"};
  if (text == "throughput,power" || text == "power,throughput") return {y, "power_w"};
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
  const auto& session = ctx.session();
  if (!f.serve_model.empty()) {
    design::ServeWorkload sw;
    sw.model = f.serve_model;
    sw.engine = serving::load_engine(f.engine, session.data_dir());
    auto& w = sw.workload;
    w.slo_ttft_s = positive_seconds("--slo-ttft", f.slo_ttft);
    w.slo_tpot_s = positive_seconds("--slo-tpot", f.slo_tpot);
    w.gpus = static_cast<int>(positive_int_flag("--serve-gpus", f.serve_gpus));
    w.input_tokens = positive_int_flag("--input-len", f.input_len);
    w.output_tokens = positive_int_flag("--output-len", f.output_len);
    spec.serve = std::move(sw);
  }
  const auto pareto =
      f.pareto.empty() ? std::optional<ParetoAxes>{} : parse_pareto(f.pareto, spec.serve.has_value());
  if (pareto && !spec.train && !spec.serve)
    throw core::Error::flag("--pareto", f.pareto, "a workload to rank (--train MODEL or --serve MODEL)");
  // A bad model name fails before any work.
  if (spec.train) session.architecture(spec.train->model);
  if (spec.serve) session.architecture(spec.serve->model);
  const auto coefficients = design::CostCoefficients::load(
      f.cost_model.empty() ? session.data_dir() / "design" / "cost_model.yaml" : std::filesystem::path(f.cost_model));
  std::vector<report::Record> rows;
  if (f.mpi) {
    // Ranks compute the points' records; rank 0 gathers them in grid order and then writes as one
    // process does (the front and the report need every row).
    const auto batch = static_cast<std::size_t>(positive_int_flag("--mpi-batch", f.mpi_batch));
    const auto grid = design::checked_grid(session, spec);
    const bool writer = gather_points_mpi(
        ctx, grid.size(), batch,
        [&](std::size_t b, std::size_t e) {
          std::vector<report::Record> out(e - b);
          core::parallel_for(e - b, [&](std::size_t i) {
            out[i] = report::design_point_record(design::evaluate_point(session, spec, grid[b + i], coefficients));
          });
          return out;
        },
        "chip sweep", [&](const report::Record& r) { rows.push_back(r); });
    if (!writer) return;
  } else {
    for (const auto& p : design::run_sweep(session, spec, coefficients, ctx.progress("chip sweep")))
      rows.push_back(report::design_point_record(p));
  }
  std::vector<bool> front(rows.size(), false);
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
    std::string workload = spec.train ? fmt::format("training {} on {} GPUs, sequence {}, global batch {}",
                                                    spec.train->model, spec.train->gpus, spec.train->seq_len,
                                                    spec.train->global_batch)
                                      : "none (cost and power only)";
    if (spec.serve) {
      const auto& w = spec.serve->workload;
      workload = fmt::format("serving {} on {} GPUs with {} ({} prompt and {} output tokens, SLO TTFT {} s and TPOT "
                             "{} s; TP and closed-loop clients searched for the highest goodput)",
                             spec.serve->model, w.gpus, spec.serve->engine.name, w.input_tokens, w.output_tokens,
                             w.slo_ttft_s, w.slo_tpot_s) +
                 (spec.train ? "; also " + workload : "");
    }
    const auto page = report::design_sweep_report(rows, front, spec.axes, f.base, workload,
                                                  "xpusim " XPUSIM_VERSION " · data " + session.data_hash() + " · " +
                                                      ctx.command_line);
    std::ofstream out(f.report_file);
    if (!out) throw core::Error::flag("--report", f.report_file, "a writable file path");
    out << report::render_html(page);
  }
  bool any_feasible = false;
  for (const auto& r : rows) any_feasible = any_feasible || r["feasible"].get<bool>();
  if (ctx.format() == report::Format::kJson) {
    report::Record doc{{"evaluated", rows.size()}, {"elapsed_s", elapsed}, {"points", rows}};
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
  sweep->add_option("--serve", f->serve_model,
                    "Serving workload: model name or config.json (highest SLO goodput per point, TP and load searched)");
  sweep->add_option("--slo-ttft", f->slo_ttft, "TTFT objective of --serve, seconds (default 2)");
  sweep->add_option("--slo-tpot", f->slo_tpot, "TPOT objective of --serve, seconds (default 0.05)");
  sweep->add_option("--serve-gpus", f->serve_gpus, "GPUs serving the --serve model (default 8)");
  sweep->add_option("--input-len", f->input_len, "Prompt tokens of --serve requests (default 2048)");
  sweep->add_option("--output-len", f->output_len, "Output tokens of --serve requests (default 256)");
  sweep->add_option("--engine", f->engine, "Engine profile of --serve: vllm|sglang|trtllm|lmdeploy|gpt-fast or a YAML file")
      ->capture_default_str();
  sweep->add_option("--pareto", f->pareto, "Mark the front: throughput,cost or throughput,power");
  sweep->add_option("--report", f->report_file, "Write a self-contained HTML report (plots and table) to FILE");
  sweep->add_option("--cost-model", f->cost_model, "Area/power/cost coefficients (default data/design/cost_model.yaml)");
  sweep->add_flag("--mpi", f->mpi,
                  "Spread the design points over the ranks of `mpirun -n K xpusim chip sweep ... --mpi` "
                  "(docs/distributed.md)");
  sweep->add_option("--mpi-batch", f->mpi_batch, "Design points per batch a rank asks for (default 1)");
  ctx.add_format_option(sweep);
  sweep->callback([&ctx, f] { chip_sweep(ctx, *f); });
}

}  // namespace xpusim::cli
