#include <algorithm>
#include <cctype>
#include <cmath>
#include <fmt/format.h>
#include <memory>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "core/suggest.hpp"
#include "core/units.hpp"
#include "memory/analytical.hpp"
#include "memory/checker.hpp"
#include "memory/request_source.hpp"
#include "memory/simulator.hpp"
#include "report/hbm_record.hpp"
#include "scenario/hbm_query.hpp"

namespace xpusim::cli {
namespace {

void add_pattern_flags(CLI::App* cmd, scenario::HbmQuery& f) {
  cmd->add_option("--generation", f.generation, "HBM generation: hbm2, hbm2e, hbm3, hbm3e (default hbm3)");
  cmd->add_option("--speed-gbps", f.speed_gbps, "Pin rate in Gb/s of a speed grade with a timing set (default: fastest)");
  cmd->add_option("--stacks", f.stacks, "Number of HBM stacks (default 1)");
  cmd->add_option("--pattern", f.pattern, "Access pattern: stream|random|strided (default stream)");
  cmd->add_option("--read-ratio", f.read_ratio, "Fraction of requests that are reads, 0..1 (default 1.0)");
  cmd->add_option("--request-bytes", f.request_bytes, "Bytes per request (default 64)");
  cmd->add_option("--stride", f.stride, "Bytes between consecutive requests for --pattern strided (default 4096)");
  cmd->add_option("--issue-rate", f.issue_rate, "Offered load, e.g. \"400 GB/s\" (default: as fast as memory accepts)");
  cmd->add_option("--mapping", f.mapping, "Address mapping, high to low bits, e.g. ro-ba-co-bg-pc-ch[+xor]");
  cmd->add_option("--page-policy", f.page_policy, "Row-buffer policy: open|closed (default open)");
  cmd->add_option("--refresh", f.refresh, "Refresh: per-bank|all-bank (default per-bank)");
}

const memory::TimingCatalog& timing_catalog(Context& ctx) {
  static std::unique_ptr<memory::TimingCatalog> catalog;
  if (!catalog) catalog = std::make_unique<memory::TimingCatalog>(memory::TimingCatalog::load(ctx.data_dir()));
  return *catalog;
}

report::Record table_view(const report::Record& full) {
  report::Record t;
  for (const char* k : {"timing_set", "timing_set_estimate", "stacks", "pattern", "simulated_requests", "bandwidth_bytes_per_s",
                        "peak_bandwidth_bytes_per_s", "efficiency", "avg_latency_s", "p99_latency_s", "row_hit_rate",
                        "bound"})
    if (full.contains(k)) t[k] = full[k];
  if (full.contains("latency")) {
    for (const auto& [k, v] : full["latency"].items()) t["latency_" + k] = v;
  }
  if (full.contains("note")) t["note"] = full["note"];
  if (full.contains("check")) t["check_violations"] = full["check"]["violations"];
  return t;
}

void hbm_sim(Context& ctx, const scenario::HbmQuery& f) {
  const scenario::HbmRun run = scenario::simulate_hbm(timing_catalog(ctx), f, ctx.progress("hbm sim"));
  const report::Record rec = report::hbm_run_record(run, f.trace);
  if (run.check && !run.check->ok()) ctx.exit_code = 1;
  const auto table = table_view(rec);
  ctx.emit(rec, &table);
}
void hbm_analyze(Context& ctx, const scenario::HbmQuery& f) {
  const scenario::HbmSetup s = scenario::resolve_hbm(timing_catalog(ctx), f);
  const memory::AnalyticalModel model(*s.set, s.stacks, s.cfg);
  report::Record rec = report::hbm_estimate_record(model.estimate(s.pattern));
  rec["random_act_bound_bytes_per_s"] = model.random_act_bound_bytes_per_s(s.pattern.request_bytes);
  const auto setup = report::hbm_setup_record(*s.set, s.stacks, s.cfg, &s.pattern, nullptr);
  for (const auto& [k, v] : setup.items()) rec[k] = v;
  const auto table = table_view(rec);
  ctx.emit(rec, &table);
}

}  // namespace

void add_hbm_command(CLI::App& app, Context& ctx) {
  auto* hbm = app.add_subcommand("hbm", "HBM memory: cycle-level simulation and analytical bandwidth/latency");
  hbm->require_subcommand(1);
  auto flags = std::make_shared<scenario::HbmQuery>();

  auto* sim = hbm->add_subcommand("sim", "Simulate an access pattern or a trace cycle by cycle");
  add_pattern_flags(sim, *flags);
  sim->add_option("--requests", flags->requests, "Number of synthetic requests, at most 1e9 (default 1000000)");
  sim->add_option("--trace", flags->trace,
                  "Trace file (or /dev/stdin), streamed in bounded memory: lines '<cycle-or-time> <R|W> <hex address>' "
                  "or 'LD|ST <hex address>'");
  sim->add_option("--seed", flags->seed, "Random seed for the random pattern and the read/write mix (default 1)");
  sim->add_flag("--check", flags->check, "Replay the issued commands against every timing rule; exit 1 on a violation (keeps the command log: memory grows with the run)");
  ctx.add_format_option(sim);
  sim->callback([&ctx, flags] { hbm_sim(ctx, *flags); });

  auto* analyze = hbm->add_subcommand("analyze", "Analytical bandwidth and latency of an access pattern");
  add_pattern_flags(analyze, *flags);
  ctx.add_format_option(analyze);
  analyze->callback([&ctx, flags] { hbm_analyze(ctx, *flags); });
}

}  // namespace xpusim::cli
