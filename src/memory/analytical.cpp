#include "memory/analytical.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>

#include "core/error.hpp"
#include "memory/column_model.hpp"

namespace xpusim::memory {

const char* pattern_name(PatternKind k) {
  switch (k) {
    case PatternKind::kStream: return "stream";
    case PatternKind::kRandom: return "random";
    case PatternKind::kStrided: return "strided";
  }
  return "?";
}
const char* page_policy_name(PagePolicy p) { return p == PagePolicy::kOpen ? "open" : "closed"; }
const char* refresh_mode_name(RefreshMode r) { return r == RefreshMode::kAllBank ? "all-bank" : "per-bank"; }

AnalyticalModel::AnalyticalModel(const TimingSet& set, int stacks, ControllerConfig config)
    : set_(set),
      stacks_(stacks),
      config_(std::move(config)),
      mapping_(AddressMapping::parse(config_.mapping, set_, stacks, "--mapping")),
      peak_(set_.stack_peak_bytes_per_s() * stacks) {
  if (stacks < 1) throw core::Error::flag("--stacks", std::to_string(stacks), "a positive integer");
}

AnalyticalModel AnalyticalModel::for_memory_system(const hardware::MemorySystem& memory, const TimingCatalog& catalog,
                                                   ControllerConfig config) {
  const auto& set = catalog.closest(memory.generation(), memory.pin_rate_bits_per_s());
  const int stack_bits = hardware::MemorySystem::stack_width_bits(memory.generation());
  const int stacks = stack_bits > 0 ? std::max(1, memory.bus_width_bits() / stack_bits) : std::max(1, memory.stacks());
  return AnalyticalModel(set, stacks, std::move(config));
}

namespace {

// Per pseudo-channel service demand of one request, in clock cycles of each resource.
struct Demand {
  double bursts = 0;        // column commands per request
  double acts = 0;          // row activations per request
  double pcs_used = 1;      // fraction of pseudo-channels the pattern reaches
  double banks_used = 1;    // banks per PC the pattern keeps busy
  double groups_used = 1;  // bank groups per PC the pattern spreads its bursts over
  double pcs_per_channel_used = 1;  // PCs of a channel the pattern reaches (they share its buses)
  double row_hit_rate = 0;
};

}  // namespace

// All-bank refresh stops the whole pseudo-channel for tRFC every tREFI. Per-bank refresh takes
// one bank for tRFCpb every tREFIpb: data transfers go on from the other banks, but every REFpb
// holds off all ACTs for tRREFD.
double AnalyticalModel::refresh_factor_for_data() const {
  const auto& t = set_.t;
  if (config_.refresh == RefreshMode::kAllBank) return 1.0 - static_cast<double>(t.nRFC) / t.nREFI;
  return 1.0;  // a bank refreshes while the others transfer; an idle bank's refresh costs nothing
}

double AnalyticalModel::refresh_factor_for_acts() const {
  const auto& t = set_.t;
  if (config_.refresh == RefreshMode::kAllBank) return 1.0 - static_cast<double>(t.nRFC) / t.nREFI;
  return 1.0 - static_cast<double>(t.nRREFD) / t.nREFIpb;
}

double AnalyticalModel::random_act_bound_bytes_per_s(int request_bytes) const {
  const auto& t = set_.t;
  const auto& o = set_.org;
  const double granules = std::ceil(static_cast<double>(request_bytes) / mapping_.granule_bytes());
  // ACT rate per PC: at most 4 per tFAW, one per tRRD_S, and each bank once per tRC, less the
  // ACT slots refresh takes; and what the channel's shared row bus carries.
  const double act_per_cycle =
      std::min(std::min({4.0 / t.nFAW, 1.0 / t.nRRDS, static_cast<double>(o.banks_per_pc()) / t.nRC}) * refresh_factor_for_acts(),
               row_bus_acts_per_cycle());
  const double bursts_per_act = std::max(1.0, std::ceil(request_bytes / granules / o.burst_bytes()));
  const double bus_per_cycle = 1.0 / std::max(t.nBL, t.nCCDS);  // bursts per cycle the data bus carries
  const double bursts_per_cycle = std::min(bus_per_cycle, act_per_cycle * bursts_per_act);
  const double bytes_per_burst = static_cast<double>(request_bytes) / (granules * bursts_per_act);
  return bursts_per_cycle * bytes_per_burst * set_.clock_hz() * mapping_.pcs();
}

// The row bus of a channel carries every ACT of its pseudo-channels and, on an open page, the PRE
// that closes each row (closed page: auto-precharge, no command); refresh adds one row command per
// PC every tREFIpb (per-bank) or two (PREA, REF) every tREFI. ACTs per clock per PC it allows when
// all PCs of the channel are busy.
double AnalyticalModel::row_bus_acts_per_cycle(double pcs_sharing) const {
  const auto& t = set_.t;
  const auto& b = set_.bus;
  const double pre = config_.page_policy == PagePolicy::kOpen ? b.row_half_clocks : 0.0;
  const double per_act = (b.act_half_clocks + pre) / 2.0;  // clocks of row bus per ACT
  const double refresh_share =
      config_.refresh == RefreshMode::kPerBank ? b.row_half_clocks / 2.0 / t.nREFIpb : b.row_half_clocks / t.nREFI;
  const double share = pcs_sharing > 0 ? pcs_sharing : std::max(1, set_.org.pseudo_channels_per_channel);
  return (1.0 - share * refresh_share) / (share * per_act);
}

BandwidthEstimate AnalyticalModel::estimate(const AccessPattern& p) const {
  const auto& t = set_.t;
  const auto& o = set_.org;
  BandwidthEstimate e;
  e.peak_bandwidth_bytes_per_s = peak_;
  const double req_bytes = std::max(1, p.request_bytes);
  const double burst_bytes = o.burst_bytes();
  const double granule = mapping_.granule_bytes();
  const double granules = std::ceil(req_bytes / granule);
  Demand d;
  d.bursts = std::max(granules, std::ceil(req_bytes / burst_bytes));
  d.banks_used = o.banks_per_pc();
  d.groups_used = o.bank_groups_per_pc();
  d.pcs_per_channel_used = std::max(1, o.pseudo_channels_per_channel);
  // The granule pieces one PC receives, in arrival order, for the column schedule (stream and
  // strided; random traffic spreads over all groups and is ACT-bound).
  constexpr std::size_t kMaxPieces = 256;
  std::array<ColumnPiece, kMaxPieces> pieces{};
  std::size_t piece_count = 0;
  // A granule reaches its PC as one piece, or as granule / request pieces when requests are smaller.
  const int pieces_per_granule = req_bytes < granule ? static_cast<int>(granule / req_bytes) : 1;
  const auto piece_bursts = static_cast<std::uint8_t>(
      std::clamp(req_bytes < granule ? std::ceil(req_bytes / burst_bytes) : granule / burst_bytes, 1.0, 255.0));
  const auto add_granule = [&](const DramAddress& a) {
    const auto group = static_cast<std::uint8_t>(a.bank / static_cast<std::uint32_t>(o.banks_per_group));
    for (int i = 0; i < pieces_per_granule && piece_count < kMaxPieces; ++i) pieces[piece_count++] = {group, piece_bursts};
  };
  switch (p.kind) {
    case PatternKind::kStream:
      // Every row is opened once and read to its end.
      d.acts = d.bursts * burst_bytes / o.row_bytes();
      d.row_hit_rate = 1.0 - d.acts / granules;
      for (std::uint64_t k = 0; piece_count < kMaxPieces / 2; ++k) add_granule(mapping_.decode(mapping_.pc_stream_address(k)));
      break;
    case PatternKind::kStrided:
    case PatternKind::kRandom: {
      // Sample the address stream through the mapping: which PCs, banks and rows it touches.
      constexpr int kSamples = 1024;
      constexpr int kMaxPcs = 1024;
      // Open row per (PC, bank), direct-mapped into a fixed table (no allocation per call): an
      // open-page controller keeps one row open per bank, so revisits of that row are hits.
      constexpr std::size_t kRowTable = 4096;
      std::array<std::uint64_t, kRowTable> open{};  // (pc, bank, row) key + 1; 0 = nothing open
      std::array<std::uint64_t, (kMaxPcs + 63) / 64> pc_seen{};
      std::array<std::uint64_t, (kMaxPcs + 63) / 64> channel_seen{};
      const std::uint32_t per_channel = static_cast<std::uint32_t>(std::max(1, o.pseudo_channels_per_channel));
      std::uint64_t bank_seen = 0;   // bank indices touched in any PC
      std::uint64_t group_seen = 0;  // bank-group indices touched in any PC
      int misses = 0, accesses = 0;
      std::uint64_t x = 0x9E3779B97F4A7C15ull;
      const std::uint64_t cap = mapping_.capacity_bytes();
      const std::uint64_t stride = p.kind == PatternKind::kStrided
                                       ? static_cast<std::uint64_t>(std::max<std::int64_t>(1, p.stride_bytes))
                                       : 0;
      const std::uint32_t first_pc = mapping_.decode(0).pc;  // strided: the PC whose column schedule is modelled
      for (int i = 0; i < kSamples; ++i) {
        std::uint64_t base;
        if (p.kind == PatternKind::kRandom) {
          x ^= x << 13, x ^= x >> 7, x ^= x << 17;
          base = (x % (cap / static_cast<std::uint64_t>(granule))) * static_cast<std::uint64_t>(granule);
        } else {
          base = (static_cast<std::uint64_t>(i) * stride) % cap;
        }
        for (double g = 0; g < granules; g += 1) {
          const auto a = mapping_.decode(base + static_cast<std::uint64_t>(g * granule));
          if (p.kind == PatternKind::kStrided && a.pc == first_pc) add_granule(a);
          const std::size_t pc = a.pc % kMaxPcs;
          pc_seen[pc / 64] |= 1ull << (pc % 64);
          const std::size_t ch = pc / per_channel;
          channel_seen[ch / 64] |= 1ull << (ch % 64);
          bank_seen |= 1ull << (a.bank % 64);
          group_seen |= 1ull << ((a.bank / static_cast<std::uint32_t>(o.banks_per_group)) % 64);
          const std::size_t slot = (static_cast<std::size_t>(a.pc) * 64 + a.bank) % kRowTable;
          const std::uint64_t key = ((static_cast<std::uint64_t>(a.pc) << 40) | (static_cast<std::uint64_t>(a.bank) << 32) | a.row) + 1;
          if (open[slot] != key) ++misses;
          open[slot] = key;
          ++accesses;
        }
      }
      int pcs = 0, channels = 0;
      for (auto w : pc_seen) pcs += std::popcount(w);
      for (auto w : channel_seen) channels += std::popcount(w);
      d.pcs_per_channel_used = std::max(1.0, static_cast<double>(pcs) / std::max(1, channels));
      d.pcs_used = std::min(1.0, static_cast<double>(pcs) / mapping_.pcs());
      d.banks_used = std::popcount(bank_seen);
      d.acts = granules * static_cast<double>(misses) / accesses;
      d.row_hit_rate = 1.0 - static_cast<double>(misses) / accesses;
      d.groups_used = std::popcount(group_seen);
      break;
    }
  }
  e.row_hit_rate = d.row_hit_rate;

  // Cycles of each per-PC resource per request; the largest bounds throughput.
  const double ccd = std::max(t.nCCDS, t.nBL);
  double best = d.bursts * ccd;
  e.bound = "data_bus";
  const auto consider = [&](double cycles, const char* name) {
    if (cycles > best) best = cycles, e.bound = name;
  };
  // Entries of the queue the dominant direction waits in.
  const int queue = p.read_fraction >= 0.5 ? config_.read_queue_entries : config_.write_queue_entries;
  if (piece_count > 0) {
    // The column schedule of this PC's bursts under FR-FCFS: tCCD_L within a group and tCCD_R
    // between stack IDs, as far as the queue lets the scheduler interleave around them.
    const double per_burst = column_cycles_per_burst(std::span<const ColumnPiece>(pieces.data(), piece_count), queue, t,
                                                     o.bank_groups_per_sid);
    consider(d.bursts * per_burst, "column_schedule");
  } else {
    // Bursts to one bank group are tCCD_L apart; the pattern spreads them over groups_used groups.
    consider(d.bursts * t.nCCDL / std::max(1.0, d.groups_used), "column_tccd_l");
  }
  const double rrd = d.groups_used <= 1 ? t.nRRDL : t.nRRDS;
  consider(d.acts * t.nFAW / 4.0, "act_rate_tfaw");
  consider(d.acts * rrd, "act_rate_trrd");
  consider(d.acts * t.nRC / std::max(1.0, d.banks_used), "bank_cycle_trc");
  // Shared command buses: every PC of the channel puts its ACTs (and PREs) on one row bus and its
  // column commands on one column bus. Refresh is folded into row_bus_acts_per_cycle(), so this
  // term is divided by the refresh factor applied below.
  double refresh = d.acts >= 0.5 ? refresh_factor_for_acts() : refresh_factor_for_data();
  if (d.acts > 0) consider(d.acts / row_bus_acts_per_cycle(d.pcs_per_channel_used) * refresh, "row_bus");
  consider(d.pcs_per_channel_used * d.bursts * set_.bus.column_half_clocks / 2.0, "column_bus");
  // Read/write turnaround: writes drain in batches between the watermarks; each read->write->read
  // round trip loses the bus for tRTW and tCWL + tBL + tWTR_S beyond the usual column spacing.
  const double wf = 1.0 - std::clamp(p.read_fraction, 0.0, 1.0);
  if (wf > 0 && wf < 1) {
    const double batch_writes = std::max(1, config_.write_high_watermark - config_.write_low_watermark);
    const double requests_per_round = batch_writes / wf;
    const double lost = (t.nRTW - ccd) + (t.nCWL + t.nBL + t.nWTRS - ccd);
    consider(best + std::max(0.0, lost) / requests_per_round, "rw_turnaround");
  }
  if (config_.refresh == RefreshMode::kPerBank && d.acts < 0.5 && p.kind != PatternKind::kRandom) {
    // A per-bank refresh that lands on a bank the pattern is reading closes it (tRP), holds it
    // (tRFCpb) and reopens it (tRCD) while requests for its group pile up; the queue's work for
    // the other groups hides Q (G - 1) pieces of that, the rest stalls the PC. A row-local
    // pattern keeps one bank per group open, so a REFpb (one per tREFIpb) hits one of them with
    // probability groups / banks.
    const double groups = std::max(1.0, d.groups_used);
    const double piece_clocks = best * std::min(req_bytes, granule) / req_bytes;
    const double hidden = queue * (groups - 1.0) * piece_clocks;
    const double blackout = t.nRP + t.nRFCpb + (p.read_fraction >= 0.5 ? t.nRCDRD : t.nRCDWR);
    const double stall = std::max(0.0, blackout - hidden);
    refresh /= 1.0 + groups / o.banks_per_pc() * stall / t.nREFIpb;
  }
  const double pcs = d.pcs_used * mapping_.pcs();
  const double requests_per_s = pcs * set_.clock_hz() * refresh / best;
  double bw = requests_per_s * req_bytes;
  double utilisation = 1.0;
  if (p.issue_rate_bytes_per_s > 0 && p.issue_rate_bytes_per_s < bw) {
    utilisation = p.issue_rate_bytes_per_s / bw;
    bw = p.issue_rate_bytes_per_s;
    e.bound = "issue_rate";
  }
  e.bandwidth_bytes_per_s = bw;
  e.efficiency = bw / peak_;

  // Latency: unloaded access plus queueing. A saturating requester keeps its whole window
  // (outstanding_per_pc x PCs) in flight, so by Little's law latency = window / throughput;
  // below saturation, M/D/1 waiting on one pseudo-channel.
  const double hit = d.row_hit_rate;
  const double miss_cycles = (config_.page_policy == PagePolicy::kOpen ? t.nRP : 0) + t.nRCDRD;
  const double unloaded = t.nCL + d.bursts * t.nBL + (1.0 - hit) * miss_cycles;
  const double service = best / refresh;  // cycles per request per PC
  double wait;
  if (utilisation >= 0.999) {
    const double window = static_cast<double>(config_.outstanding_per_pc) * mapping_.pcs();
    wait = std::max(0.0, window / requests_per_s * set_.clock_hz() - unloaded);
  } else {
    wait = utilisation * service / (2.0 * (1.0 - utilisation));
  }
  e.avg_latency_s = (unloaded + wait) * set_.clock_period_s;
  e.unloaded_latency_s = unloaded * set_.clock_period_s;
  e.window_requests = static_cast<double>(config_.outstanding_per_pc) * mapping_.pcs();
  return e;
}

}  // namespace xpusim::memory
