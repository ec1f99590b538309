#pragma once
// An HBM simulation or analysis as a user asks for it (`xpusim hbm sim|analyze`'s flags, Python's
// hbm_sim() keywords), kept as text so an error names the flag, and its resolution.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/parallel.hpp"
#include "memory/analytical.hpp"
#include "memory/checker.hpp"
#include "memory/simulator.hpp"
#include "memory/timing_set.hpp"

namespace xpusim::scenario {

struct HbmQuery {
  std::string generation = "hbm3";
  std::string speed_gbps;  // empty: the fastest speed with a timing set
  std::string stacks = "1";
  std::string pattern = "stream";
  std::string read_ratio = "1.0";
  std::string requests = "1000000";
  std::string request_bytes = "64";
  std::string stride = "4096";
  std::string issue_rate;  // empty: as fast as memory accepts
  std::string trace;       // a trace file (or /dev/stdin) in place of the synthetic pattern
  std::string mapping = memory::AddressMapping::default_name();
  std::string page_policy = "open";
  std::string refresh = "per-bank";
  std::string seed = "1";
  bool check = false;  // replay the issued commands against every timing rule
};

// The query's text fields by keyword name (Python's hbm_sim()); the flag is `--` + name with
// '_' as '-'. `check` is a bool and not listed.
const std::vector<std::pair<const char*, std::string HbmQuery::*>>& hbm_fields();

// Synthetic runs past this are a typo or a hang (a billion requests take minutes).
inline constexpr long long kMaxHbmRequests = 1'000'000'000;
// Memory cycles a synthetic load at --issue-rate may take to arrive.
inline constexpr std::uint64_t kMaxSyntheticSpanCycles = 1ull << 30;

struct HbmSetup {
  const memory::TimingSet* set = nullptr;
  int stacks = 1;
  memory::ControllerConfig cfg;
  memory::AccessPattern pattern;
};

struct HbmRun {
  HbmSetup setup;
  memory::SimResult result;
  std::optional<double> unloaded_latency_s;  // the pattern's, one request alone (not for traces)
  std::optional<memory::CheckReport> check;  // when asked for
};

// Both throw core::Error naming the flag, the value and what was expected.
HbmSetup resolve_hbm(const memory::TimingCatalog& catalog, const HbmQuery& q);
HbmRun simulate_hbm(const memory::TimingCatalog& catalog, const HbmQuery& q, const core::ProgressFn& progress = {});

}  // namespace xpusim::scenario
