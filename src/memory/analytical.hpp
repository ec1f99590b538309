#pragma once

#include <cstdint>
#include <string>

#include "hardware/memory_system.hpp"
#include "memory/address_mapping.hpp"
#include "memory/timing_set.hpp"

namespace xpusim::memory {

enum class PatternKind : std::uint8_t { kStream, kRandom, kStrided };
enum class PagePolicy : std::uint8_t { kOpen, kClosed };
enum class RefreshMode : std::uint8_t { kAllBank, kPerBank };

const char* pattern_name(PatternKind k);  // "stream" | "random" | "strided"
const char* page_policy_name(PagePolicy p);
const char* refresh_mode_name(RefreshMode r);

// What a requester does to memory: the shape of the address stream and its read/write mix.
struct AccessPattern {
  PatternKind kind = PatternKind::kStream;
  double read_fraction = 1.0;          // 0..1
  int request_bytes = 64;              // bytes per request
  std::int64_t stride_bytes = 0;       // distance between consecutive requests (kStrided)
  double issue_rate_bytes_per_s = 0;   // offered load; 0 = as fast as memory accepts (saturating)

  static AccessPattern stream(double read_fraction = 1.0, int request_bytes = 64) {
    return {PatternKind::kStream, read_fraction, request_bytes, 0, 0};
  }
  static AccessPattern random(double read_fraction = 1.0, int request_bytes = 64) {
    return {PatternKind::kRandom, read_fraction, request_bytes, 0, 0};
  }
  static AccessPattern strided(std::int64_t stride, double read_fraction = 1.0, int request_bytes = 64) {
    return {PatternKind::kStrided, read_fraction, request_bytes, stride, 0};
  }
};

// How the memory controller is set up; shared by the analytical model and the simulator.
struct ControllerConfig {
  PagePolicy page_policy = PagePolicy::kOpen;
  RefreshMode refresh = RefreshMode::kPerBank;  // REFpb hides refresh behind other banks' work
  std::string mapping = AddressMapping::default_name();
  int read_queue_entries = 32;   // per pseudo-channel
  int write_queue_entries = 32;  // per pseudo-channel
  int write_high_watermark = 24; // start draining writes at this many queued
  int write_low_watermark = 8;   // stop draining at this many
  int outstanding_per_pc = 128;  // requests the requesters keep in flight, per pseudo-channel
  // Count idle memory's periodic refreshes in bulk rather than step them (the simulator's result
  // is the same either way; tests turn it off to show that).
  bool skip_idle_refresh = true;
};

// Result of an analytical estimate.
struct BandwidthEstimate {
  double peak_bandwidth_bytes_per_s = 0;
  double bandwidth_bytes_per_s = 0;  // achievable (or offered, when lower)
  double efficiency = 0;             // bandwidth / peak
  double avg_latency_s = 0;          // loaded average request latency
  double unloaded_latency_s = 0;     // one request alone: tCL + bursts x tBL (+ tRP + tRCD on a miss)
  double window_requests = 0;        // requests in flight when saturated (outstanding_per_pc x PCs)
  double row_hit_rate = 0;
  const char* bound = "";  // limiting constraint: "data_bus", "column_schedule", "act_rate_tfaw", "act_rate_trrd",
                           // "bank_cycle_trc", "bank_conflict", "rw_turnaround", "issue_rate", ...
};

// Fast HBM bandwidth and latency for an access pattern: per pseudo-channel, the tightest of the
// data-bus, column-schedule (tCCD_L, tCCD_R under FR-FCFS), ACT-rate (tFAW, tRRD), bank-cycle
// (tRC) and read/write turnaround limits, derated by refresh (including per-bank refresh stalls
// the queue cannot hide), times the pseudo-channels the pattern uses.
// Contract: estimate() is a pure function of the pattern and allocates nothing; it samples 1,024
// addresses through the mapping (random, strided) and schedules the column commands of one PC
// over at most 256 granule pieces (stream, strided): about 6 us for stream, 10 us for random,
// 16 us for strided on one core. The cost layer calls it once per pattern when it is built;
// docs/hbm.md derives every term.
class AnalyticalModel {
 public:
  AnalyticalModel(const TimingSet& set, int stacks, ControllerConfig config = {});
  // The memory system's generation and pin rate pick the closest timing set of the catalog.
  static AnalyticalModel for_memory_system(const hardware::MemorySystem& memory, const TimingCatalog& catalog,
                                           ControllerConfig config = {});

  BandwidthEstimate estimate(const AccessPattern& pattern) const;

  // ACT-rate-limited bandwidth of uniformly random `request_bytes` reads (every request opens a
  // row): the bound docs/hbm.md derives; the simulator's random reads are tested against it.
  double random_act_bound_bytes_per_s(int request_bytes) const;

  double peak_bandwidth_bytes_per_s() const { return peak_; }
  const TimingSet& timing_set() const { return set_; }
  int stacks() const { return stacks_; }
  const ControllerConfig& config() const { return config_; }

 private:
  double refresh_factor_for_data() const;  // share of time refresh leaves for data transfers
  double refresh_factor_for_acts() const;  // share of ACT slots refresh leaves
 public:
  // ACTs per clock per PC that the channel's shared row bus carries when `pcs_sharing` PCs of
  // the channel (default: all of them) activate a row for every request (docs/hbm.md).
  double row_bus_acts_per_cycle(double pcs_sharing = 0) const;

 private:
  TimingSet set_;  // a copy, so the model outlives the catalog it came from
  int stacks_;
  ControllerConfig config_;
  AddressMapping mapping_;
  double peak_;
};

}  // namespace xpusim::memory
