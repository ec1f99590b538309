#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "memory/command.hpp"
#include "memory/timing_set.hpp"

namespace xpusim::memory {

// One broken rule in a command stream.
struct TimingViolation {
  std::uint64_t cycle = 0;
  std::uint32_t pc = 0;
  std::string constraint;  // "tRRD_S", "tFAW", "state", ...
  std::string detail;      // human-readable: command, bank, required and actual cycle
};

struct CheckReport {
  std::uint64_t commands_checked = 0;
  std::uint64_t violations = 0;
  std::vector<TimingViolation> first;  // the first few, for messages
  bool ok() const { return violations == 0; }
};

// Replays an issued command stream against every JEDEC rule the simulator claims to honour:
// bank state (ACT to a closed bank, RD/WR to the open row), tRCD_RD/WR, tRAS, tRP, tRC, tRRD_S/L,
// tFAW, tCCD_S/L/R, tWTR_S/L, tRTW, tRTP, tWR, data-bus overlap, tRFC, tRFCpb, tRREFD, the
// refresh interval (at most 9 x tREFI between refreshes, JEDEC's postponement limit) and the
// channel's shared command buses ("row_bus", "column_bus": a command starts on either edge of its
// clock, after the previous command on that bus from either pseudo-channel has left it).
// Contract: written independently of the scheduler (it keeps last-command times, not ready
// times), so it can catch scheduler bugs; each channel's commands (both of its pseudo-channels)
// must be in non-decreasing cycle order (channels may interleave in any order).
CheckReport check_timing(const TimingSet& set, int pcs, const std::vector<CommandRecord>& log,
                         std::size_t keep_first = 10);

}  // namespace xpusim::memory
