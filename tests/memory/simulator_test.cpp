#include <gtest/gtest.h>

#include <cstdio>

#include "core/error.hpp"
#include "memory/checker.hpp"
#include "memory/simulator.hpp"
#include "support/test_support.hpp"

namespace xpusim::memory {
namespace {

const TimingCatalog& catalog() {
  static const TimingCatalog c = TimingCatalog::load(XPUSIM_SOURCE_DATA_DIR);
  return c;
}

struct Run {
  SimResult result;
  CheckReport check;
  std::vector<CommandRecord> log;
};

Run simulate(const TimingSet& set, const AccessPattern& p, std::uint64_t n, ControllerConfig cfg = {}, int stacks = 1) {
  Simulator sim(set, stacks, cfg);
  sim.record_commands(true);
  SyntheticSource src(p, n, sim.mapping().capacity_bytes(), set.clock_hz(), 1);
  Run r{sim.run(src), {}, {}};
  r.check = check_timing(set, sim.mapping().pcs(), sim.command_log());
  r.log = sim.command_log();
  return r;
}

std::string first_violation(const CheckReport& c) { return c.first.empty() ? "" : c.first.front().detail; }

const TimingSet& hbm3() { return catalog().closest("hbm3", 6.4e9); }

TEST(Simulator, Hbm3StreamReadsReachAtLeast85PercentOfPeak) {
  const auto r = simulate(hbm3(), AccessPattern::stream(), 200000);
  EXPECT_EQ(r.result.simulated_requests, 200000u);
  EXPECT_NEAR(r.result.peak_bandwidth_bytes_per_s, 819.2e9, 1e6);
  EXPECT_GE(r.result.efficiency, 0.85) << r.result.bandwidth_bytes_per_s;
  EXPECT_LE(r.result.efficiency, 1.0);
  EXPECT_GT(r.result.row_hit_rate, 0.9);
  EXPECT_EQ(r.result.commands.rd, 400000u);  // two 32-byte bursts per 64-byte request
  EXPECT_GT(r.result.commands.refpb, 0u);
  EXPECT_TRUE(r.check.ok()) << first_violation(r.check);
}

TEST(Simulator, Hbm3RandomReadsWithinTenPercentOfActRateBound) {
  for (auto refresh : {RefreshMode::kPerBank, RefreshMode::kAllBank}) {
    ControllerConfig cfg;
    cfg.refresh = refresh;
    const auto r = simulate(hbm3(), AccessPattern::random(), 200000, cfg);
    const double bound = AnalyticalModel(hbm3(), 1, cfg).random_act_bound_bytes_per_s(64);
    EXPECT_NEAR(r.result.bandwidth_bytes_per_s / bound, 1.0, 0.10) << refresh_mode_name(refresh);
    EXPECT_LE(r.result.bandwidth_bytes_per_s, bound * 1.001) << "the ACT-rate bound is an upper bound";
    EXPECT_LT(r.result.row_hit_rate, 0.01);
    EXPECT_TRUE(r.check.ok()) << first_violation(r.check);
  }
}

TEST(Simulator, BoundArithmeticMatchesDocs) {
  // docs/hbm.md: HBM3 6.4 Gb/s, per PC min(4/tFAW, 1/tRRD_S, banks/tRC) = min(4/24, 1/4, 32/72)
  // = 1/6 ACT per cycle; 64 B per ACT at 1.6 GHz over 32 PCs = 546.1 GB/s; per-bank refresh
  // leaves 1 - tRREFD/tREFIpb = 1 - 8/195 of the ACT slots: 523.7 GB/s.
  const double bound = AnalyticalModel(hbm3(), 1).random_act_bound_bytes_per_s(64);
  EXPECT_NEAR(bound, 64.0 / 6.0 * 1.6e9 * 32 * (1.0 - 8.0 / 195.0), 1e6);
  // HBM2 2.0 Gb/s: the channel's row bus carries ACT (2 clocks) + PRE (1 clock) for each request
  // of both PCs, less one REFpb (1 clock) per PC every tREFIpb = 244: per PC (1 - 2/244) / 6 ACTs
  // per clock (tFAW allows 4/16 x (1 - 8/244)); 64 B x 1 GHz x 16 PCs = 169.97 GB/s, 0.664 of 256.
  const AnalyticalModel hbm2(catalog().closest("hbm2", 2.0e9), 1);
  EXPECT_NEAR(hbm2.random_act_bound_bytes_per_s(64), 64.0 * (1.0 - 2.0 / 244.0) / 6.0 * 1e9 * 16, 1e6);
  EXPECT_NEAR(hbm2.row_bus_acts_per_cycle(), (1.0 - 2.0 / 244.0) / 6.0, 1e-12);
  // Closed page: RDA precharges itself, no PRE on the row bus: (1 - 2/244) / 4, tFAW binds.
  ControllerConfig closed;
  closed.page_policy = PagePolicy::kClosed;
  EXPECT_NEAR(AnalyticalModel(catalog().closest("hbm2", 2.0e9), 1, closed).random_act_bound_bytes_per_s(64),
              64.0 * 0.25 * (1.0 - 8.0 / 244.0) * 1e9 * 16, 1e6);
}

// Issue 22's targets: the shared row bus caps HBM2 random reads, HBM3 hides it; each run within
// 5% of the bound docs/hbm.md derives, and streams keep >= 0.95 of peak.
TEST(Simulator, SharedCommandBusBoundsPerGeneration) {
  struct Case {
    const char* gen;
    double gbps;
    double lo, hi;
  };
  for (const Case& c : {Case{"hbm2", 2.0, 0.60, 0.70}, Case{"hbm3", 6.4, 0.60, 0.66}}) {
    const auto& set = catalog().closest(c.gen, c.gbps * 1e9);
    const AnalyticalModel m(set, 1);
    const auto r = simulate(set, AccessPattern::random(), 200000);
    EXPECT_GE(r.result.efficiency, c.lo) << c.gen;
    EXPECT_LE(r.result.efficiency, c.hi) << c.gen;
    const double bound = m.random_act_bound_bytes_per_s(64);
    EXPECT_NEAR(r.result.bandwidth_bytes_per_s / bound, 1.0, 0.05) << c.gen;
    EXPECT_LE(r.result.bandwidth_bytes_per_s, bound * 1.001) << c.gen << ": the bound is an upper bound";
    EXPECT_TRUE(r.check.ok()) << first_violation(r.check);
    // Stream: the data bus and the column bus (one command per clock for two PCs that each need
    // one every tCCD_S = 2 clocks) both allow the full peak.
    const auto st = simulate(set, AccessPattern::stream(), 200000);
    EXPECT_GE(st.result.efficiency, 0.95) << c.gen;
    EXPECT_TRUE(st.check.ok()) << first_violation(st.check);
  }
  // Without the shared row bus HBM2 would reach tFAW's 4/16 ACTs per clock (0.93 of peak, the
  // figure before issue 22): the bus, not tFAW, is what binds.
  const auto& hbm2 = catalog().closest("hbm2", 2.0e9);
  EXPECT_LT(AnalyticalModel(hbm2, 1).row_bus_acts_per_cycle(), 4.0 / hbm2.t.nFAW);
}

TEST(Simulator, CheckerFindsNoViolationForAnyGenerationOrPattern) {
  const std::vector<AccessPattern> patterns = {
      AccessPattern::stream(), AccessPattern::random(), AccessPattern::strided(4096),
      AccessPattern::stream(0.6), AccessPattern::random(0.5), AccessPattern::random(0.0, 128),
      AccessPattern::stream(1.0, 32)};
  for (const auto& set : catalog().sets()) {
    for (auto page : {PagePolicy::kOpen, PagePolicy::kClosed}) {
      for (std::size_t i = 0; i < patterns.size(); ++i) {
        ControllerConfig cfg;
        cfg.page_policy = page;
        cfg.refresh = i % 2 ? RefreshMode::kAllBank : RefreshMode::kPerBank;
        if (i == 2) cfg.mapping = "ro-ba-co-bg-pc-ch+xor";
        const auto r = simulate(set, patterns[i], 12000, cfg);
        EXPECT_EQ(r.result.simulated_requests, 12000u);
        EXPECT_TRUE(r.check.ok()) << set.name << " " << page_policy_name(page) << " pattern " << i << ": "
                                  << first_violation(r.check);
        EXPECT_GT(r.check.commands_checked, 12000u);
      }
    }
  }
}

TEST(Simulator, CheckerFindsNoViolationWithTwoStacksAndOtherMappings) {
  for (const auto& mapping : AddressMapping::named_mappings()) {
    ControllerConfig cfg;
    cfg.mapping = mapping;
    const auto r = simulate(hbm3(), AccessPattern::random(0.7), 20000, cfg, 2);
    EXPECT_TRUE(r.check.ok()) << mapping << ": " << first_violation(r.check);
    EXPECT_NEAR(r.result.peak_bandwidth_bytes_per_s, 2 * 819.2e9, 1e6);
  }
}

// The checker must be able to fail: break a real command stream in targeted ways.
TEST(Checker, CatchesDeliberatelyBrokenCommandStreams) {
  const auto& set = hbm3();
  const auto& t = set.t;
  const auto run = simulate(set, AccessPattern::random(0.5), 4000);
  ASSERT_TRUE(run.check.ok());
  const int pcs = 32;
  const auto expect_caught = [&](std::vector<CommandRecord> log, const std::string& rule) {
    const auto rep = check_timing(set, pcs, log);
    EXPECT_FALSE(rep.ok()) << rule;
    bool named = false;
    for (const auto& v : rep.first) named = named || v.constraint == rule;
    EXPECT_TRUE(named) << rule << ": first was " << (rep.first.empty() ? "" : rep.first[0].constraint);
  };
  // Hand-made streams, each breaking one rule by one cycle.
  using C = Command;
  expect_caught({{100, 0, 5, 0, C::kAct}, {100 + static_cast<std::uint64_t>(t.nRCDRD) - 1, 0, 5, 0, C::kRd}}, "tRCD_RD");
  expect_caught({{100, 0, 5, 0, C::kAct}, {100 + static_cast<std::uint64_t>(t.nRRDS) - 1, 0, 5, 4, C::kAct}}, "tRRD_S");
  expect_caught({{100, 0, 5, 0, C::kAct}, {100 + static_cast<std::uint64_t>(t.nRRDL) - 1, 0, 5, 1, C::kAct}}, "tRRD_L");
  {
    std::vector<CommandRecord> log;
    for (int i = 0; i < 4; ++i) log.push_back({100 + static_cast<std::uint64_t>(i * t.nRRDS), 0, 1, static_cast<std::uint8_t>(4 * i), C::kAct});
    log.push_back({100 + static_cast<std::uint64_t>(t.nFAW) - 1, 0, 1, 16, C::kAct});
    expect_caught(log, "tFAW");
  }
  expect_caught({{100, 0, 5, 0, C::kAct}, {100 + static_cast<std::uint64_t>(t.nRAS) - 1, 0, 0, 0, C::kPre}}, "tRAS");
  expect_caught({{100, 0, 5, 0, C::kAct}, {200, 0, 0, 0, C::kPre}, {200 + static_cast<std::uint64_t>(t.nRP) - 1, 0, 6, 0, C::kAct}}, "tRP");
  expect_caught({{100, 0, 5, 0, C::kAct}, {200, 0, 5, 0, C::kRd}, {200 + static_cast<std::uint64_t>(t.nCCDL) - 1, 0, 5, 0, C::kRd}}, "tCCD_L");
  expect_caught({{100, 0, 5, 0, C::kAct}, {200, 0, 5, 0, C::kWr}, {210, 0, 5, 0, C::kRd}}, "tWTR_L");
  expect_caught({{100, 0, 5, 0, C::kAct}, {200, 0, 5, 0, C::kRd}, {200 + static_cast<std::uint64_t>(t.nRTW) - 1, 0, 5, 0, C::kWr}}, "tRTW");
  expect_caught({{100, 0, 5, 0, C::kAct}, {200, 0, 5, 0, C::kWr}, {220, 0, 0, 0, C::kPre}}, "tWR");
  expect_caught({{100, 0, 5, 0, C::kRd}}, "state");                                    // RD to a closed bank
  expect_caught({{100, 0, 5, 0, C::kAct}, {200, 0, 6, 0, C::kRd}}, "state");           // wrong row
  expect_caught({{100, 0, 5, 0, C::kAct}, {500, 0, 0, 0, C::kRef}}, "state");          // REF with a bank open
  expect_caught({{100, 0, 0, 0, C::kRef}, {100 + static_cast<std::uint64_t>(t.nRFC) - 1, 0, 5, 3, C::kAct}}, "tRFC");
  expect_caught({{100, 0, 5, 0, C::kAct}, {100 + 10ull * static_cast<std::uint64_t>(t.nREFI), 0, 5, 1, C::kAct}}, "tREFI");

  // The shared command buses: PCs 0 and 1 are one channel, PCs 0 and 2 are not.
  expect_caught({{100, 0, 5, 0, C::kAct}, {100, 1, 5, 0, C::kAct}}, "row_bus");  // ACT holds 1.5 clocks
  expect_caught({{100, 0, 5, 0, C::kAct}, {200, 1, 5, 0, C::kAct}, {300, 0, 5, 0, C::kRd}, {300, 1, 5, 0, C::kRd}},
                "column_bus");
  EXPECT_TRUE(check_timing(set, pcs, {{100, 0, 5, 0, C::kAct}, {100, 2, 5, 0, C::kAct}}).ok()) << "other channel";
  // Two half-clock PREs fit in one clock (HBM3); an ACT right after an ACT's 1.5 clocks does too.
  EXPECT_EQ(check_timing(set, pcs, {{100, 0, 5, 0, C::kAct}, {100, 1, 5, 0, C::kAct}, {200, 0, 0, 0, C::kPre}}).violations, 1u);
  EXPECT_TRUE(check_timing(set, pcs, {{100, 0, 5, 0, C::kAct}, {101, 1, 5, 0, C::kAct}}).ok());
  EXPECT_TRUE(check_timing(set, pcs, {{100, 0, 5, 0, C::kAct}, {101, 1, 5, 0, C::kAct}, {200, 0, 0, 0, C::kPre},
                                      {200, 1, 0, 0, C::kPre}}).ok());
  // A log out of cycle order within a channel cannot be checked for bus conflicts.
  expect_caught({{100, 0, 5, 0, C::kAct}, {99, 1, 5, 0, C::kAct}}, "order");
  {
    // HBM2: ACT holds the row bus for 2 clocks, so an ACT of the other PC one clock later conflicts.
    const auto& h2 = catalog().closest("hbm2", 2.0e9);
    const auto rep = check_timing(h2, 16, {{100, 0, 5, 0, C::kAct}, {101, 1, 5, 0, C::kAct}});
    ASSERT_EQ(rep.violations, 1u);
    EXPECT_EQ(rep.first[0].constraint, "row_bus");
    EXPECT_TRUE(check_timing(h2, 16, {{100, 0, 5, 0, C::kAct}, {102, 1, 5, 0, C::kAct}}).ok());
  }
  {
    // A real stream with one command moved onto a clock where the other PC of its channel holds
    // the row bus (and the log re-sorted, as a scheduler bug would emit it).
    auto log = run.log;
    bool done = false;
    for (std::size_t i = 1; i < log.size() && !done; ++i) {
      if (log[i].cmd != C::kAct || log[i].pc / 2 != log[i - 1].pc / 2 || log[i].pc == log[i - 1].pc) continue;
      if (log[i - 1].cmd != C::kAct || log[i].cycle != log[i - 1].cycle + 1) continue;
      log[i].cycle = log[i - 1].cycle;
      done = true;
    }
    ASSERT_TRUE(done) << "no back-to-back ACTs of one channel's two PCs in the run";
    expect_caught(log, "row_bus");
  }

  // And a real stream with one command moved a cycle early.
  auto log = run.log;
  std::size_t moved = 0;
  for (std::size_t i = 1; i < log.size() && !moved; ++i) {
    if (log[i].cmd == C::kRd && log[i - 1].cmd == C::kAct && log[i - 1].pc == log[i].pc && log[i - 1].bank == log[i].bank &&
        log[i].cycle == log[i - 1].cycle + static_cast<std::uint64_t>(t.nRCDRD)) {
      --log[i].cycle;
      moved = i;
    }
  }
  if (moved) expect_caught(log, "tRCD_RD");
}

TEST(Simulator, IssueRateBelowPeakIsDeliveredWithNearUnloadedLatency) {
  auto p = AccessPattern::stream();
  p.issue_rate_bytes_per_s = 200e9;
  const auto r = simulate(hbm3(), p, 50000);
  EXPECT_NEAR(r.result.bandwidth_bytes_per_s, 200e9, 0.03 * 200e9);
  const auto& t = hbm3().t;
  const double unloaded = (t.nRCDRD + t.nCL + 2 * t.nBL) * hbm3().clock_period_s;
  EXPECT_LT(r.result.avg_latency_s, 2.0 * unloaded);
  EXPECT_GE(r.result.avg_latency_s, (t.nCL + 2 * t.nBL) * hbm3().clock_period_s);
  EXPECT_TRUE(r.check.ok()) << first_violation(r.check);
}

TEST(Simulator, DeterministicForASeed) {
  const auto a = simulate(hbm3(), AccessPattern::random(0.5), 20000);
  const auto b = simulate(hbm3(), AccessPattern::random(0.5), 20000);
  EXPECT_EQ(a.result.cycles, b.result.cycles);
  EXPECT_EQ(a.result.commands.act, b.result.commands.act);
  EXPECT_EQ(a.log.size(), b.log.size());
}

TEST(Simulator, ClosedPageUsesAutoPrecharge) {
  ControllerConfig cfg;
  cfg.page_policy = PagePolicy::kClosed;
  const auto r = simulate(hbm3(), AccessPattern::random(0.5), 20000, cfg);
  EXPECT_GT(r.result.commands.rda + r.result.commands.wra, 10000u);
  // Explicit PREs remain only where refresh or a request of the other direction finds a bank open.
  EXPECT_LT(4 * r.result.commands.pre, r.result.commands.rda + r.result.commands.wra);
  EXPECT_TRUE(r.check.ok()) << first_violation(r.check);
}

TEST(Simulator, OversizedRequestIsAnErrorNamingTheFlag) {
  Simulator sim(hbm3(), 1);
  SyntheticSource src(AccessPattern::stream(1.0, 4096), 10, sim.mapping().capacity_bytes(), hbm3().clock_hz(), 1);
  try {
    sim.run(src);
    FAIL() << "no error";
  } catch (const core::Error& e) {
    EXPECT_NE(std::string(e.what()).find("--request-bytes"), std::string::npos) << e.what();
  }
}

// Analytical model against the simulator over the synthetic patterns (issue 8: within 10%).
TEST(AnalyticalVsSimulator, Hbm3SweepWithinTenPercent) {
  struct Case {
    const char* name;
    AccessPattern p;
    PagePolicy page;
  };
  const std::vector<Case> cases = {
      {"stream", AccessPattern::stream(), PagePolicy::kOpen},
      {"random", AccessPattern::random(), PagePolicy::kOpen},
      {"stream writes", AccessPattern::stream(0.0), PagePolicy::kOpen},
      {"random writes", AccessPattern::random(0.0), PagePolicy::kOpen},
      {"stream 70% reads", AccessPattern::stream(0.7), PagePolicy::kOpen},
      {"random 50% reads", AccessPattern::random(0.5), PagePolicy::kOpen},
      {"stream 32 B", AccessPattern::stream(1.0, 32), PagePolicy::kOpen},
      {"stream 128 B", AccessPattern::stream(1.0, 128), PagePolicy::kOpen},
      {"random 32 B", AccessPattern::random(1.0, 32), PagePolicy::kOpen},
      {"random 128 B", AccessPattern::random(1.0, 128), PagePolicy::kOpen},
      {"random 256 B", AccessPattern::random(1.0, 256), PagePolicy::kOpen},
      {"strided 128 B", AccessPattern::strided(128), PagePolicy::kOpen},
      {"strided 1 KiB", AccessPattern::strided(1024), PagePolicy::kOpen},
      {"strided 2 KiB", AccessPattern::strided(2048), PagePolicy::kOpen},
      {"strided 4 KiB", AccessPattern::strided(4096), PagePolicy::kOpen},
      {"strided 64 KiB", AccessPattern::strided(65536), PagePolicy::kOpen},
      {"stream closed page", AccessPattern::stream(), PagePolicy::kClosed},
      {"random closed page", AccessPattern::random(), PagePolicy::kClosed},
  };
  for (const auto& c : cases) {
    ControllerConfig cfg;
    cfg.page_policy = c.page;
    Simulator sim(hbm3(), 1, cfg);
    // 32-byte streams and mixed random traffic run 200,000 requests: shorter runs carry start and
    // end transients (32-byte stream: 0.86 at 60,000 requests, 0.94 at 1,000,000; random 50 %
    // reads 0.48 and 0.52) that the steady-state model does not have.
    const bool transient = c.p.request_bytes < 64 || (c.p.read_fraction > 0 && c.p.read_fraction < 1);
    SyntheticSource src(c.p, transient ? 200000 : 60000, sim.mapping().capacity_bytes(), hbm3().clock_hz(), 1);
    const auto r = sim.run(src);
    const auto e = AnalyticalModel(hbm3(), 1, cfg).estimate(c.p);
    EXPECT_NEAR(e.bandwidth_bytes_per_s / r.bandwidth_bytes_per_s, 1.0, 0.10)
        << c.name << ": analytical " << e.efficiency << " vs simulated " << r.efficiency;
    EXPECT_NEAR(e.avg_latency_s / r.avg_latency_s, 1.0, 0.30) << c.name;
  }
}

TEST(AnalyticalVsSimulator, OtherGenerationsWithinTenPercent) {
  for (const char* g : {"hbm2", "hbm2e", "hbm3e"}) {
    const auto& set = catalog().closest(g, 100e9);
    for (const auto& p : {AccessPattern::stream(), AccessPattern::stream(0.0), AccessPattern::stream(0.7),
                          AccessPattern::stream(1.0, 32), AccessPattern::stream(1.0, 128), AccessPattern::random(),
                          AccessPattern::random(0.0),
                          AccessPattern::random(0.5), AccessPattern::random(1.0, 128), AccessPattern::strided(128),
                          AccessPattern::strided(1024), AccessPattern::strided(2048), AccessPattern::strided(4096),
                          AccessPattern::strided(65536)}) {
      Simulator sim(set, 1);
      SyntheticSource src(p, 60000, sim.mapping().capacity_bytes(), set.clock_hz(), 1);
      const auto r = sim.run(src);
      const auto e = AnalyticalModel(set, 1).estimate(p);
      EXPECT_NEAR(e.bandwidth_bytes_per_s / r.bandwidth_bytes_per_s, 1.0, 0.10)
          << set.name << " " << pattern_name(p.kind) << " rf " << p.read_fraction << " " << p.request_bytes << " B stride "
          << p.stride_bytes << ": analytical " << e.efficiency
          << " vs simulated " << r.efficiency;
    }
  }
}



// Bursts of random reads and writes separated by long idle gaps (a trace's quiet phases).
class GappedSource final : public RequestSource {
 public:
  GappedSource(std::uint64_t gap, std::uint64_t capacity) : gap_(gap), capacity_(capacity) {}
  bool next(MemRequest& out) override {
    if (i_ == kBursts * kPerBurst) return false;
    const std::uint64_t burst = i_ / kPerBurst;
    state_ = state_ * 6364136223846793005ull + 1442695040888963407ull;
    out.address = (state_ >> 11) % (capacity_ / 64) * 64;
    out.write = (state_ >> 7) % 4 == 0;
    out.arrival_cycle = burst * gap_ + (i_ % kPerBurst) / 8;
    ++i_;
    return true;
  }
  std::uint64_t size() const override { return kBursts * kPerBurst; }
  int request_bytes() const override { return 64; }

 private:
  static constexpr std::uint64_t kBursts = 4, kPerBurst = 3000;
  std::uint64_t gap_, capacity_, i_ = 0, state_ = 7;
};


TEST(Simulator, IdleRefreshCountedInBulkGivesTheSteppedResult) {
  for (auto refresh : {RefreshMode::kPerBank, RefreshMode::kAllBank}) {
    for (auto page : {PagePolicy::kOpen, PagePolicy::kClosed}) {
      SimResult results[2];
      for (int skip = 0; skip < 2; ++skip) {
        ControllerConfig cfg;
        cfg.refresh = refresh;
        cfg.page_policy = page;
        cfg.skip_idle_refresh = skip != 0;
        Simulator sim(hbm3(), 1, cfg);
        GappedSource src(2'000'000, sim.mapping().capacity_bytes());
        results[skip] = sim.run(src);
      }
      const auto& a = results[0];
      const auto& b = results[1];
      const std::string what = std::string(refresh_mode_name(refresh)) + (page == PagePolicy::kOpen ? " open" : " closed");
      EXPECT_EQ(a.cycles, b.cycles) << what;
      EXPECT_EQ(a.bytes, b.bytes) << what;
      EXPECT_DOUBLE_EQ(a.avg_latency_s, b.avg_latency_s) << what;
      EXPECT_DOUBLE_EQ(a.p99_latency_s, b.p99_latency_s) << what;
      EXPECT_EQ(a.commands.act, b.commands.act) << what;
      EXPECT_EQ(a.commands.rd + a.commands.rda, b.commands.rd + b.commands.rda) << what;
      EXPECT_EQ(a.commands.pre + a.commands.prea, b.commands.pre + b.commands.prea) << what;
      EXPECT_EQ(a.commands.ref, b.commands.ref) << what;
      EXPECT_EQ(a.commands.refpb, b.commands.refpb) << what;
      // Three gaps of 2e6 cycles: every PC refreshes through them.
      const double interval = refresh == RefreshMode::kPerBank ? hbm3().t.nREFIpb : hbm3().t.nREFI;
      EXPECT_GT(static_cast<double>(b.commands.ref + b.commands.refpb), 0.99 * 6e6 / interval * 32) << what;
    }
  }
}
}  // namespace
}  // namespace xpusim::memory
