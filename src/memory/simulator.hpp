#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "core/parallel.hpp"
#include "memory/analytical.hpp"
#include "memory/command.hpp"
#include "memory/request_source.hpp"

namespace xpusim::memory {

// What one simulation measured.
struct SimResult {
  std::uint64_t simulated_requests = 0;
  std::uint64_t bytes = 0;
  std::uint64_t cycles = 0;  // until the last data beat
  double elapsed_s = 0;
  double bandwidth_bytes_per_s = 0;
  double peak_bandwidth_bytes_per_s = 0;
  double efficiency = 0;
  double avg_latency_s = 0;  // arrival at the controller to the last data beat
  double p99_latency_s = 0;
  double row_hit_rate = 0;   // column commands that found their row open / all column commands
  // Requests the front end keeps in flight (outstanding_per_pc x PCs). A saturating requester
  // keeps the window full, so avg_latency_s is set by it: Little's law, window / request rate.
  std::uint64_t window_requests = 0;
  double littles_law_latency_s = 0;
  struct Counts {
    std::uint64_t act = 0, rd = 0, wr = 0, rda = 0, wra = 0, pre = 0, prea = 0, ref = 0, refpb = 0;
  } commands;
};

// Cycle-level HBM simulator: one controller per pseudo-channel with read and write queues,
// FR-FCFS scheduling with write-drain watermarks, open or closed page, all-bank or per-bank
// refresh, and every JEDEC timing constraint of the TimingSet (docs/hbm.md lists them).
// Contract: run() is deterministic for a given source; it skips idle cycles (time jumps to the
// next cycle at which any command can issue or a request arrives) and allocates nothing per
// request or per cycle (queues, pools and the latency histogram are sized at construction);
// the command log, when enabled, is the only thing that grows. Throws core::Error for a request
// larger than the queues can hold.
class Simulator {
 public:
  Simulator(const TimingSet& set, int stacks, ControllerConfig config = {});
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // Keep every issued command for check_timing() (costs memory: ~16 bytes per command).
  void record_commands(bool on) { record_ = on; }
  const std::vector<CommandRecord>& command_log() const { return log_; }

  SimResult run(RequestSource& source, const core::ProgressFn& progress = {});

  const AddressMapping& mapping() const { return mapping_; }
  const TimingSet& timing_set() const { return set_; }

  struct Impl;

 private:
  TimingSet set_;
  int stacks_;
  ControllerConfig config_;
  AddressMapping mapping_;
  bool record_ = false;
  std::vector<CommandRecord> log_;
};

}  // namespace xpusim::memory
