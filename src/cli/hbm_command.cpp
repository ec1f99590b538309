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

namespace xpusim::cli {
namespace {

// Synthetic runs past this are a typo or a hang (a billion requests take minutes).
constexpr long long kMaxRequests = 1'000'000'000;

// Flags shared by `hbm sim` and `hbm analyze`, kept as text so errors name the flag.
struct HbmFlags {
  std::string generation = "hbm3";
  std::string speed_gbps;
  std::string stacks = "1";
  std::string pattern = "stream";
  std::string read_ratio = "1.0";
  std::string requests = "1000000";
  std::string request_bytes = "64";
  std::string stride = "4096";
  std::string issue_rate;
  std::string trace;
  std::string mapping = memory::AddressMapping::default_name();
  std::string page_policy = "open";
  std::string refresh = "per-bank";
  std::string seed = "1";
  bool check = false;
};

void add_pattern_flags(CLI::App* cmd, HbmFlags& f) {
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

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

struct Setup {
  const memory::TimingSet* set = nullptr;
  int stacks = 1;
  memory::ControllerConfig cfg;
  memory::AccessPattern pattern;
};

Setup resolve(const HbmFlags& f, const memory::TimingCatalog& catalog) {
  Setup s;
  const std::string gen = lower(f.generation);
  if (f.speed_gbps.empty()) {
    for (const auto& t : catalog.sets())
      if (t.generation == gen && (s.set == nullptr || t.pin_rate_bits_per_s > s.set->pin_rate_bits_per_s)) s.set = &t;
    if (s.set == nullptr) s.set = &catalog.closest(gen, 0);  // throws, naming the known generations
  } else {
    s.set = &catalog.closest(gen, positive_number_flag("--speed-gbps", f.speed_gbps) * 1e9);
    // Only speeds with a timing set are simulated: a nearby one would be a different part.
    const double asked = positive_number_flag("--speed-gbps", f.speed_gbps) * 1e9;
    if (std::fabs(s.set->pin_rate_bits_per_s / asked - 1.0) > 0.01) {
      std::vector<std::string> speeds;
      for (const auto& t : catalog.sets())
        if (t.generation == gen) speeds.push_back(fmt::format("{:g}", t.pin_rate_bits_per_s / 1e9));
      throw core::Error::flag("--speed-gbps", f.speed_gbps,
                              "a pin rate with a " + gen + " timing set (Gb/s): " + core::expected_one_of(speeds));
    }
  }
  const long long stacks = positive_int_flag("--stacks", f.stacks);
  if (stacks > 64) throw core::Error::flag("--stacks", f.stacks, "at most 64 stacks");
  s.stacks = static_cast<int>(stacks);

  const std::string pat = lower(f.pattern);
  if (pat == "stream" || pat == "sequential") s.pattern.kind = memory::PatternKind::kStream;
  else if (pat == "random") s.pattern.kind = memory::PatternKind::kRandom;
  else if (pat == "strided") s.pattern.kind = memory::PatternKind::kStrided;
  else throw core::Error::flag("--pattern", f.pattern, "one of: stream, random, strided");

  double ratio = -1;
  try {
    std::size_t used = 0;
    ratio = std::stod(f.read_ratio, &used);
    if (used != f.read_ratio.size()) ratio = -1;
  } catch (const std::exception&) {
    ratio = -1;
  }
  if (!(ratio >= 0.0 && ratio <= 1.0)) throw core::Error::flag("--read-ratio", f.read_ratio, "a number from 0 to 1");
  s.pattern.read_fraction = ratio;
  const long long bytes = positive_int_flag("--request-bytes", f.request_bytes);
  if (bytes > 1024) throw core::Error::flag("--request-bytes", f.request_bytes, "at most 1024 bytes");
  s.pattern.request_bytes = static_cast<int>(bytes);
  s.pattern.stride_bytes = positive_int_flag("--stride", f.stride);
  if (!f.issue_rate.empty()) {
    double rate = 0;
    if (!core::parse_quantity(f.issue_rate, core::Dimension::kBytesPerSecond, &rate) || !(rate > 0) ||
        !std::isfinite(rate))
      throw core::Error::flag("--issue-rate", f.issue_rate, "a positive bandwidth such as \"400 GB/s\"");
    s.pattern.issue_rate_bytes_per_s = rate;
  }

  const std::string page = lower(f.page_policy);
  if (page == "open") s.cfg.page_policy = memory::PagePolicy::kOpen;
  else if (page == "closed") s.cfg.page_policy = memory::PagePolicy::kClosed;
  else throw core::Error::flag("--page-policy", f.page_policy, "one of: open, closed");
  const std::string ref = lower(f.refresh);
  if (ref == "per-bank") s.cfg.refresh = memory::RefreshMode::kPerBank;
  else if (ref == "all-bank") s.cfg.refresh = memory::RefreshMode::kAllBank;
  else throw core::Error::flag("--refresh", f.refresh, "one of: per-bank, all-bank");
  s.cfg.mapping = lower(f.mapping);
  memory::AddressMapping::parse(s.cfg.mapping, *s.set, s.stacks, "--mapping");  // validates the flag
  return s;
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

void hbm_sim(Context& ctx, const HbmFlags& f) {
  const Setup s = resolve(f, timing_catalog(ctx));
  memory::Simulator sim(*s.set, s.stacks, s.cfg);
  sim.record_commands(f.check);
  std::unique_ptr<memory::RequestSource> source;
  if (!f.trace.empty()) {
    source = std::make_unique<memory::TraceSource>(f.trace, s.pattern.request_bytes, s.set->clock_hz());
  } else {
    const long long n = positive_int_flag("--requests", f.requests);
    if (n > kMaxRequests)
      throw core::Error::flag("--requests", f.requests,
                              fmt::format("at most {:g} requests (about 7 million are simulated per second)",
                                          static_cast<double>(kMaxRequests)));
    if (s.pattern.issue_rate_bytes_per_s > 0) {
      // Idle memory time is simulated refresh by refresh, so the offered load must arrive within
      // the span a trace may have.
      const double span = static_cast<double>(n) * s.pattern.request_bytes / s.pattern.issue_rate_bytes_per_s;
      const double max_span = static_cast<double>(memory::TraceSource::kMaxTraceCycles) / s.set->clock_hz();
      if (!(span <= max_span))
        throw core::Error::flag("--issue-rate", f.issue_rate,
                                fmt::format("a rate at which the {} requests arrive within {} memory cycles "
                                            "({:.3g} s), i.e. at least {}",
                                            n, memory::TraceSource::kMaxTraceCycles, max_span,
                                            core::format_quantity(static_cast<double>(n) * s.pattern.request_bytes / max_span,
                                                                  core::Dimension::kBytesPerSecond)));
    }
    const long long seed = positive_int_flag("--seed", f.seed);
    source = std::make_unique<memory::SyntheticSource>(s.pattern, static_cast<std::uint64_t>(n),
                                                       sim.mapping().capacity_bytes(), s.set->clock_hz(),
                                                       static_cast<std::uint64_t>(seed));
  }
  const auto result = sim.run(*source, ctx.progress("hbm sim"));
  report::Record rec = report::hbm_sim_record(result);
  // Unloaded latency of the same pattern (one request alone), beside the loaded one.
  if (f.trace.empty()) rec["latency"]["unloaded_s"] = memory::AnalyticalModel(*s.set, s.stacks, s.cfg).estimate(s.pattern).unloaded_latency_s;
  const auto setup = report::hbm_setup_record(*s.set, s.stacks, s.cfg, &s.pattern,
                                              f.trace.empty() ? nullptr : f.trace.c_str());
  for (const auto& [k, v] : setup.items()) rec[k] = v;
  if (f.check) {
    const auto check = memory::check_timing(*s.set, sim.mapping().pcs(), sim.command_log());
    rec["check"] = report::hbm_check_record(check);
    if (!check.ok()) ctx.exit_code = 1;
  }
  const auto table = table_view(rec);
  ctx.emit(rec, &table);
}

void hbm_analyze(Context& ctx, const HbmFlags& f) {
  const Setup s = resolve(f, timing_catalog(ctx));
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
  auto flags = std::make_shared<HbmFlags>();

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
