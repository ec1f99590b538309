#include "scenario/hbm_query.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fmt/format.h>
#include <memory>

#include "core/error.hpp"
#include "core/flag_text.hpp"
#include "core/suggest.hpp"
#include "core/units.hpp"
#include "memory/request_source.hpp"

namespace xpusim::scenario {

const std::vector<std::pair<const char*, std::string HbmQuery::*>>& hbm_fields() {
  using Q = HbmQuery;
  static const std::vector<std::pair<const char*, std::string Q::*>> fields = {
      {"generation", &Q::generation}, {"speed_gbps", &Q::speed_gbps}, {"stacks", &Q::stacks},
      {"pattern", &Q::pattern},       {"read_ratio", &Q::read_ratio}, {"requests", &Q::requests},
      {"request_bytes", &Q::request_bytes}, {"stride", &Q::stride}, {"issue_rate", &Q::issue_rate},
      {"trace", &Q::trace},           {"mapping", &Q::mapping},       {"page_policy", &Q::page_policy},
      {"refresh", &Q::refresh},       {"seed", &Q::seed},
  };
  return fields;
}

HbmSetup resolve_hbm(const memory::TimingCatalog& catalog, const HbmQuery& f) {
  HbmSetup s;
  const std::string gen = core::lowercase(f.generation);
  if (f.speed_gbps.empty()) {
    for (const auto& t : catalog.sets())
      if (t.generation == gen && (s.set == nullptr || t.pin_rate_bits_per_s > s.set->pin_rate_bits_per_s)) s.set = &t;
    if (s.set == nullptr) s.set = &catalog.closest(gen, 0);  // throws, naming the known generations
  } else {
    s.set = &catalog.closest(gen, core::positive_number_flag("--speed-gbps", f.speed_gbps) * 1e9);
    // Only speeds with a timing set are simulated: a nearby one would be a different part.
    const double asked = core::positive_number_flag("--speed-gbps", f.speed_gbps) * 1e9;
    if (std::fabs(s.set->pin_rate_bits_per_s / asked - 1.0) > 0.01) {
      std::vector<std::string> speeds;
      for (const auto& t : catalog.sets())
        if (t.generation == gen) speeds.push_back(fmt::format("{:g}", t.pin_rate_bits_per_s / 1e9));
      throw core::Error::flag("--speed-gbps", f.speed_gbps,
                              "a pin rate with a " + gen + " timing set (Gb/s): " + core::expected_one_of(speeds));
    }
  }
  const long long stacks = core::positive_int_flag("--stacks", f.stacks);
  if (stacks > 64) throw core::Error::flag("--stacks", f.stacks, "at most 64 stacks");
  s.stacks = static_cast<int>(stacks);

  const std::string pat = core::lowercase(f.pattern);
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
  const long long bytes = core::positive_int_flag("--request-bytes", f.request_bytes);
  if (bytes > 1024) throw core::Error::flag("--request-bytes", f.request_bytes, "at most 1024 bytes");
  s.pattern.request_bytes = static_cast<int>(bytes);
  s.pattern.stride_bytes = core::positive_int_flag("--stride", f.stride);
  if (!f.issue_rate.empty()) {
    double rate = 0;
    if (!core::parse_quantity(f.issue_rate, core::Dimension::kBytesPerSecond, &rate) || !(rate > 0) ||
        !std::isfinite(rate))
      throw core::Error::flag("--issue-rate", f.issue_rate, "a positive bandwidth such as \"400 GB/s\"");
    s.pattern.issue_rate_bytes_per_s = rate;
  }

  const std::string page = core::lowercase(f.page_policy);
  if (page == "open") s.cfg.page_policy = memory::PagePolicy::kOpen;
  else if (page == "closed") s.cfg.page_policy = memory::PagePolicy::kClosed;
  else throw core::Error::flag("--page-policy", f.page_policy, "one of: open, closed");
  const std::string ref = core::lowercase(f.refresh);
  if (ref == "per-bank") s.cfg.refresh = memory::RefreshMode::kPerBank;
  else if (ref == "all-bank") s.cfg.refresh = memory::RefreshMode::kAllBank;
  else throw core::Error::flag("--refresh", f.refresh, "one of: per-bank, all-bank");
  s.cfg.mapping = core::lowercase(f.mapping);
  memory::AddressMapping::parse(s.cfg.mapping, *s.set, s.stacks, "--mapping");  // validates the flag
  return s;
}

HbmRun simulate_hbm(const memory::TimingCatalog& catalog, const HbmQuery& f, const core::ProgressFn& progress) {
  HbmRun run;
  run.setup = resolve_hbm(catalog, f);
  const HbmSetup& s = run.setup;
  memory::Simulator sim(*s.set, s.stacks, s.cfg);
  sim.record_commands(f.check);
  std::unique_ptr<memory::RequestSource> source;
  if (!f.trace.empty()) {
    source = std::make_unique<memory::TraceSource>(f.trace, s.pattern.request_bytes, s.set->clock_hz());
  } else {
    const long long n = core::positive_int_flag("--requests", f.requests);
    if (n > kMaxHbmRequests)
      throw core::Error::flag("--requests", f.requests,
                              fmt::format("at most {:g} requests (about 7 million are simulated per second)",
                                          static_cast<double>(kMaxHbmRequests)));
    if (s.pattern.issue_rate_bytes_per_s > 0) {
      // Each gap longer than a refresh round still costs one simulated round, so a load that
      // spreads the requests over more than 2^30 cycles is a typo (and would take hours).
      const double span = static_cast<double>(n) * s.pattern.request_bytes / s.pattern.issue_rate_bytes_per_s;
      const double max_span = static_cast<double>(kMaxSyntheticSpanCycles) / s.set->clock_hz();
      if (!(span <= max_span))
        throw core::Error::flag("--issue-rate", f.issue_rate,
                                fmt::format("a rate at which the {} requests arrive within {} memory cycles "
                                            "({:.3g} s), i.e. at least {}",
                                            n, kMaxSyntheticSpanCycles, max_span,
                                            core::format_quantity(static_cast<double>(n) * s.pattern.request_bytes / max_span,
                                                                  core::Dimension::kBytesPerSecond)));
    }
    const long long seed = core::positive_int_flag("--seed", f.seed);
    source = std::make_unique<memory::SyntheticSource>(s.pattern, static_cast<std::uint64_t>(n),
                                                       sim.mapping().capacity_bytes(), s.set->clock_hz(),
                                                       static_cast<std::uint64_t>(seed));
  }
  run.result = sim.run(*source, progress);
  if (f.trace.empty()) run.unloaded_latency_s = memory::AnalyticalModel(*s.set, s.stacks, s.cfg).estimate(s.pattern).unloaded_latency_s;
  if (f.check) run.check = memory::check_timing(*s.set, sim.mapping().pcs(), sim.command_log());
  return run;
}

}  // namespace xpusim::scenario
