#include <algorithm>
#include <fstream>
#include <variant>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "report/serving_record.hpp"
#include "serving/search.hpp"
#include "scenario/serve_query.hpp"
#include "serving/serve.hpp"
#include "validation/inference_suite.hpp"

namespace xpusim::cli {
namespace {

// The query plus what only the command has: output choices and the other modes.
struct ServeOptions {
  scenario::ServeQuery q;
  std::string trace;
  int top = 10;
  bool search = false, calibrate = false;
};

// `--calibrate`: refits the engine profiles on the calibration rows of the inference suite and
// prints the values to write into data/engines/*.yaml.
void run_calibrate(Context& ctx) {
  const auto& session = ctx.session();
  const auto rows = validation::load_inference_rows(session.data_dir() / "validation" / "inference_calibration.csv");
  const auto engines = validation::fit_engine_overheads(rows, session.catalog(), session.timings(), session.data_dir());
  report::Record rec;
  report::Record list = report::Record::array();
  for (const auto& e : engines)
    list.push_back({{"engine", e.name},
                    {"device_efficiency", e.device_efficiency},
                    {"attention_efficiency", e.attention_efficiency},
                    {"step_overhead_s", e.step_overhead_s},
                    {"per_seq_overhead_s", e.per_seq_overhead_s},
                    {"graph_kernel_gap_s", e.graph_kernel_gap_s},
                    {"dequant_elements_per_sm_cycle", e.dequant_elements_per_sm_cycle},
                    {"compute_efficiency", e.compute_efficiency},
                    {"compute_efficiency_fp8", e.compute_efficiency_fp8},
                    {"custom_allreduce_latency_s", e.custom_allreduce_latency_s},
                    {"allreduce_min_latency_s", e.allreduce_min_latency_s}});
  rec["calibration_rows"] = std::count_if(rows.rows.begin(), rows.rows.end(), [](const auto& r) { return r.calibration; });
  rec["engines"] = list;
  ctx.emit(rec);
}

void run_serve(Context& ctx, ServeOptions& o) {
  if (o.calibrate) return run_calibrate(ctx);
  o.q.keep_trace = !o.trace.empty();
  const scenario::ServeSetup setup = scenario::resolve_serve(ctx.session(), o.q);
  const auto& [system, arch, cost, collectives, engine, spec, requests] = setup;

  if (o.search) {
    const auto cands = serving::search_serving(*arch, *cost, collectives.get(), engine, spec, requests, ctx.progress("search"));
    ctx.emit(report::serving_search_record(cands, static_cast<std::size_t>(std::max(0, o.top)), spec, engine, o.q.model,
                                           system->label()));
    if (cands.empty() || !cands.front().result.feasible) ctx.exit_code = 1;
    return;
  }

  const auto result = serving::simulate_serving(*arch, *cost, collectives.get(), engine, spec, requests);
  if (!o.trace.empty()) {
    std::ofstream out(o.trace);
    if (!out) throw core::Error::flag("--trace", o.trace, "a writable file path");
    out << report::serving_trace(result).dump() << "\n";
  }
  ctx.emit(report::serving_record(result, spec, engine, o.q.model, system->label()));
  if (!result.feasible) ctx.exit_code = 1;
}

}  // namespace

void add_serve_command(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("serve", "Simulate LLM serving: TTFT, TPOT, throughput and goodput of an engine under load");
  auto o = std::make_shared<ServeOptions>();
  for (const auto& f : scenario::serve_fields()) {
    std::visit(
        [&](auto m) {
          auto* opt = cmd->add_option(f.flag(), o->q.*m, f.help);
          if (f.show_default) opt->capture_default_str();
        },
        f.member);
  }
  cmd->add_option("--trace", o->trace, "Write a Perfetto timeline of iterations and KV occupancy to FILE");
  cmd->add_flag("--search", o->search, "Search TP, replicas and batch limits for the best goodput per GPU under the SLO");
  cmd->add_flag("--calibrate", o->calibrate,
                "Refit the engine profiles on the inference suite's calibration rows and print the values");
  cmd->add_option("--top", o->top, "Candidates shown by --search")->capture_default_str();
  ctx.add_format_option(cmd);
  cmd->callback([&ctx, o] { run_serve(ctx, *o); });
}

}  // namespace xpusim::cli
