#pragma once

#include <cstdint>
#include <span>

#include "memory/timing_set.hpp"

namespace xpusim::memory {

// One queued granule piece as the column scheduler sees it: its bank group (groups include the
// stack ID) and how many bursts it still needs.
struct ColumnPiece {
  std::uint8_t group = 0;
  std::uint8_t bursts = 1;
};

// Steady-state clocks per column command of one pseudo-channel serving `pieces` (in arrival
// order, all row hits) with FR-FCFS: at the first clock any queued burst may issue, the oldest
// ready one does; `queue_entries` pieces are queued at once, a finished piece lets the next in.
// The rules are those of the column bus: tCCD_S (or the burst, tBL, if longer) between any two
// commands, tCCD_L within a bank group, tCCD_R after a command to another stack ID. This is
// where oldest-first scheduling loses to stack-ID switches and same-group bursts, which no
// closed form over counts of groups captures (docs/hbm.md). Measured over the second half of
// the sequence. Contract: allocates nothing; O(bursts x queue_entries); at most 64 groups and
// 256 queue entries; returns max(tCCD_S, tBL) for an empty sequence.
double column_cycles_per_burst(std::span<const ColumnPiece> pieces, int queue_entries, const Timings& t,
                               int groups_per_sid);

}  // namespace xpusim::memory
