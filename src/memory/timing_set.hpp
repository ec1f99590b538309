#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "hardware/sourced.hpp"

namespace xpusim::memory {

// Geometry of one HBM stack as the controller sees it: channels split into pseudo-channels (PCs),
// each PC an independent DRAM with its own banks, rows and data bus.
struct Organisation {
  int channels_per_stack = 0;
  int pseudo_channels_per_channel = 0;
  int pseudo_channel_width_bits = 0;
  int stack_ids = 1;  // SIDs: dies stacked behind one PC; each SID has its own bank groups
  int bank_groups_per_sid = 0;
  int banks_per_group = 0;
  int rows = 0;
  int columns = 0;  // burst-sized column addresses per row
  int burst_length = 0;

  int pcs_per_stack() const { return channels_per_stack * pseudo_channels_per_channel; }
  int bank_groups_per_pc() const { return stack_ids * bank_groups_per_sid; }
  int banks_per_pc() const { return bank_groups_per_pc() * banks_per_group; }
  int burst_bytes() const { return pseudo_channel_width_bits * burst_length / 8; }
  int row_bytes() const { return columns * burst_bytes(); }
};

// JEDEC timing parameters in clock cycles (names as in refdata/hbm_timings.csv).
struct Timings {
  int nBL = 0, nCL = 0, nCWL = 0, nRCDRD = 0, nRCDWR = 0, nRP = 0, nRAS = 0, nRC = 0;
  int nRRDS = 0, nRRDL = 0, nFAW = 0, nCCDS = 0, nCCDL = 0, nCCDR = 0;
  int nWR = 0, nWTRS = 0, nWTRL = 0, nRTP = 0, nRTW = 0;
  int nRFC = 0, nREFI = 0, nRFCpb = 0, nREFIpb = 0, nRREFD = 0;
};

// How long each command holds its channel's command bus, in half clocks. The pseudo-channels of a
// channel share one row bus (ACT, PRE, PREA, REF, REFpb) and one column bus (RD, WR, RDA, WRA);
// a command starts on the first free half-clock edge at or after its clock, within that clock.
struct CommandBus {
  int act_half_clocks = 0;     // HBM2: 4 (two-cycle ACT), HBM3: 3 (1.5 clocks)
  int row_half_clocks = 0;     // PRE, PREA, REF, REFpb; HBM2: 2, HBM3: 1
  int column_half_clocks = 0;  // HBM2 and HBM3: 2
};

// One HBM generation at one speed grade: organisation + timings, each number with its source.
// Contract: a loaded TimingSet is consistent: nBL = burst_length / (pin rate x clock period)
// transfers, nRC >= nRAS + nRP, every timing positive; otherwise load fails naming the file.
struct TimingSet {
  std::string name;        // "hbm3-6400"
  std::string generation;  // "hbm3"
  double pin_rate_bits_per_s = 0;
  double clock_period_s = 0;
  Organisation org;
  Timings t;
  CommandBus bus;
  // Scaled from another speed grade's nanoseconds (HBM2E, HBM3E), not a published preset: every
  // output that uses the set says so.
  bool estimate = false;
  hardware::SourceMap sources;  // field path -> source text
  std::string file;

  double clock_hz() const { return 1.0 / clock_period_s; }
  // Peak data bandwidth of one pseudo-channel / one stack.
  double pc_peak_bytes_per_s() const { return pin_rate_bits_per_s * org.pseudo_channel_width_bits / 8.0; }
  double stack_peak_bytes_per_s() const { return pc_peak_bytes_per_s() * org.pcs_per_stack(); }
  double speed_gbps() const { return pin_rate_bits_per_s / 1e9; }

  static TimingSet parse(const core::ConfigNode& root);
};

// All timing sets in <data_dir>/memory/*.yaml.
// Contract: load() validates every file and fails on the first bad one; closest() picks, among the
// sets of `generation`, the one whose pin rate is nearest (ties: the faster), and throws
// core::Error (naming the known generations) for an unknown generation.
class TimingCatalog {
 public:
  static TimingCatalog load(const std::filesystem::path& data_dir);

  const TimingSet& closest(const std::string& generation, double pin_rate_bits_per_s) const;
  const TimingSet* find(std::string_view name) const;  // by set name; nullptr if unknown
  const std::vector<TimingSet>& sets() const { return sets_; }
  std::vector<std::string> generations() const;

 private:
  std::vector<TimingSet> sets_;
};

}  // namespace xpusim::memory
