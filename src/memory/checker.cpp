#include "memory/checker.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>

namespace xpusim::memory {
namespace {

constexpr std::int64_t kLongAgo = -(1ll << 40);

struct BankState {
  bool open = false;
  std::uint32_t row = 0;
  std::int64_t act = kLongAgo, pre = kLongAgo, rd = kLongAgo, wr = kLongAgo, refpb = kLongAgo;
};

struct PcState {
  std::array<std::int64_t, 4> acts{kLongAgo, kLongAgo, kLongAgo, kLongAgo};  // last four ACTs, oldest first
  std::int64_t act = kLongAgo, rd = kLongAgo, wr = kLongAgo, ref = kLongAgo, refpb = kLongAgo;
  std::int64_t data_end = kLongAgo;  // end of the last data burst on the bus
  std::int64_t first_cycle = -1;
  std::int64_t last_cycle = 0;
  int last_col_sid = -1;
  std::int64_t last_col = kLongAgo;
};

// One channel's command buses, shared by its pseudo-channels: where (in half clocks) the last
// row and column command started and how long it held its bus.
struct ChannelState {
  std::int64_t row_start = kLongAgo, row_len = 0, col_start = kLongAgo, col_len = 0;
  std::int64_t last_cycle = 0;
};

}  // namespace

CheckReport check_timing(const TimingSet& set, int pcs, const std::vector<CommandRecord>& log, std::size_t keep_first) {
  const Timings& t = set.t;
  const int banks = set.org.banks_per_pc();
  const int bpg = set.org.banks_per_group;
  const int groups = set.org.bank_groups_per_pc();
  const int per_sid = bpg * set.org.bank_groups_per_sid;
  std::vector<BankState> bank(static_cast<std::size_t>(pcs) * static_cast<std::size_t>(banks));
  std::vector<PcState> pc(static_cast<std::size_t>(pcs));
  const int per_channel = std::max(1, set.org.pseudo_channels_per_channel);
  std::vector<ChannelState> channel(static_cast<std::size_t>((pcs + per_channel - 1) / per_channel));
  // Per bank group: last ACT, RD, WR (for the _L variants).
  std::vector<std::array<std::int64_t, 3>> group(static_cast<std::size_t>(pcs) * static_cast<std::size_t>(groups),
                                                 {kLongAgo, kLongAgo, kLongAgo});
  CheckReport rep;
  std::int64_t last_cycle = 0;
  const std::int64_t ref_limit = 9ll * t.nREFI;
  const std::int64_t refpb_limit = 9ll * t.nREFIpb;

  for (const auto& c : log) {
    ++rep.commands_checked;
    const auto now = static_cast<std::int64_t>(c.cycle);
    const auto fail = [&](const char* rule, std::int64_t need, const std::string& what) {
      ++rep.violations;
      if (rep.first.size() < keep_first)
        rep.first.push_back({c.cycle, c.pc, rule,
                             fmt::format("{} pc {} bank {} at cycle {}: {} (needs cycle >= {})", command_name(c.cmd),
                                         c.pc, c.bank, c.cycle, what, need)});
    };
    const auto need = [&](const char* rule, std::int64_t earliest, const char* what) {
      if (now < earliest) fail(rule, earliest, what);
    };
    if (c.pc >= static_cast<std::uint32_t>(pcs) || c.bank >= banks) {
      fail("state", 0, "pseudo-channel or bank out of range");
      continue;
    }
    PcState& P = pc[c.pc];
    ChannelState& C = channel[c.pc / static_cast<std::uint32_t>(per_channel)];
    if (now < C.last_cycle) fail("order", C.last_cycle, "command log of this channel out of cycle order");
    C.last_cycle = now;
    P.last_cycle = now;
    // Command buses: a command of clock `now` starts at half clock 2 now or 2 now + 1, not before
    // the previous command on its bus (either PC of the channel) has left it.
    const auto bus = [&](bool row, int half_clocks) {
      std::int64_t& start = row ? C.row_start : C.col_start;
      std::int64_t& len = row ? C.row_len : C.col_len;
      const std::int64_t free = start + len;
      const std::int64_t begin = std::max(2 * now, free);
      if (begin > 2 * now + 1)
        fail(row ? "row_bus" : "column_bus", free / 2,
             row ? "row command while the channel's row bus is held by an earlier command"
                 : "column command while the channel's column bus is held by an earlier command");
      start = begin;
      len = half_clocks;
    };
    switch (c.cmd) {
      case Command::kAct: bus(true, set.bus.act_half_clocks); break;
      case Command::kPre:
      case Command::kPrea:
      case Command::kRef:
      case Command::kRefpb: bus(true, set.bus.row_half_clocks); break;
      default: bus(false, set.bus.column_half_clocks); break;
    }
    last_cycle = std::max(last_cycle, now);
    if (P.first_cycle < 0) P.first_cycle = now;
    BankState& B = bank[static_cast<std::size_t>(c.pc) * static_cast<std::size_t>(banks) + c.bank];
    auto& G = group[static_cast<std::size_t>(c.pc) * static_cast<std::size_t>(groups) + static_cast<std::size_t>(c.bank / bpg)];
    const int sid = c.bank / per_sid;

    const auto check_precharge = [&](BankState& b) {
      need("tRAS", b.act + t.nRAS, "precharge too soon after ACT");
      need("tRTP", b.rd + t.nRTP, "precharge too soon after RD");
      need("tWR", b.wr + t.nCWL + t.nBL + t.nWR, "precharge too soon after WR (write recovery)");
    };
    const auto check_column = [&](bool write) {
      if (!B.open) fail("state", 0, "column command to a closed bank");
      else if (B.row != c.row) fail("state", 0, fmt::format("column command to row {} but row {} is open", c.row, B.row));
      need(write ? "tRCD_WR" : "tRCD_RD", B.act + (write ? t.nRCDWR : t.nRCDRD), "column command too soon after ACT");
      if (write) {
        need("tCCD_S", P.wr + t.nCCDS, "WR after WR");
        need("tCCD_L", G[2] + t.nCCDL, "WR after WR in the same bank group");
        need("tRTW", P.rd + t.nRTW, "WR after RD");
      } else {
        need("tCCD_S", P.rd + t.nCCDS, "RD after RD");
        need("tCCD_L", G[1] + t.nCCDL, "RD after RD in the same bank group");
        need("tWTR_S", P.wr + t.nCWL + t.nBL + t.nWTRS, "RD after WR");
        need("tWTR_L", G[2] + t.nCWL + t.nBL + t.nWTRL, "RD after WR in the same bank group");
      }
      if (P.last_col_sid >= 0 && P.last_col_sid != sid) need("tCCD_R", P.last_col + t.nCCDR, "column command after one to another stack ID");
      const std::int64_t data_start = now + (write ? t.nCWL : t.nCL);
      need("data_bus", now + (P.data_end - data_start), "data burst overlaps the previous burst");
      P.data_end = data_start + t.nBL;
      P.last_col = now;
      P.last_col_sid = sid;
      if (write) P.wr = B.wr = G[2] = now;
      else P.rd = B.rd = G[1] = now;
    };

    switch (c.cmd) {
      case Command::kAct:
        if (B.open) fail("state", 0, "ACT to an open bank");
        need("tRC", B.act + t.nRC, "ACT too soon after the previous ACT to this bank");
        need("tRP", B.pre + t.nRP, "ACT too soon after precharge");
        need("tRRD_L", G[0] + t.nRRDL, "ACT too soon after an ACT in the same bank group");
        need("tRRD_S", P.act + t.nRRDS, "ACT too soon after an ACT in this pseudo-channel");
        need("tFAW", P.acts[0] + t.nFAW, "fifth ACT inside the four-activate window");
        need("tRFC", P.ref + t.nRFC, "ACT during all-bank refresh");
        need("tRFCpb", B.refpb + t.nRFCpb, "ACT during this bank's refresh");
        need("tRREFD", P.refpb + t.nRREFD, "ACT too soon after a per-bank refresh");
        B.open = true;
        B.row = c.row;
        B.act = P.act = G[0] = now;
        std::rotate(P.acts.begin(), P.acts.begin() + 1, P.acts.end());
        P.acts[3] = now;
        break;
      case Command::kRd:
      case Command::kWr:
        check_column(c.cmd == Command::kWr);
        break;
      case Command::kRda:
      case Command::kWra: {
        const bool write = c.cmd == Command::kWra;
        check_column(write);
        // The device precharges on its own once tRAS and tRTP / write recovery allow.
        const std::int64_t at = std::max(B.act + t.nRAS, write ? now + t.nCWL + t.nBL + t.nWR : now + t.nRTP);
        B.open = false;
        B.pre = at;
        break;
      }
      case Command::kPre:
        if (!B.open) fail("state", 0, "PRE to a closed bank");
        check_precharge(B);
        B.open = false;
        B.pre = now;
        break;
      case Command::kPrea:
        for (int b = 0; b < banks; ++b) {
          BankState& x = bank[static_cast<std::size_t>(c.pc) * static_cast<std::size_t>(banks) + static_cast<std::size_t>(b)];
          if (!x.open) continue;
          check_precharge(x);
          x.open = false;
          x.pre = now;
        }
        break;
      case Command::kRef:
        for (int b = 0; b < banks; ++b) {
          const BankState& x = bank[static_cast<std::size_t>(c.pc) * static_cast<std::size_t>(banks) + static_cast<std::size_t>(b)];
          if (x.open) fail("state", 0, "REF with a bank open");
          need("tRP", x.pre + t.nRP, "REF too soon after precharge");
          need("tRC", x.act + t.nRC, "REF too soon after ACT");
        }
        need("tRFC", P.ref + t.nRFC, "REF during the previous REF");
        if (P.ref > kLongAgo && now - P.ref > ref_limit) fail("tREFI", P.ref + ref_limit, "refresh postponed beyond 9 x tREFI");
        P.ref = now;
        break;
      case Command::kRefpb:
        if (B.open) fail("state", 0, "REFpb to an open bank");
        need("tRP", B.pre + t.nRP, "REFpb too soon after precharge");
        need("tRC", B.act + t.nRC, "REFpb too soon after ACT");
        need("tRFCpb", B.refpb + t.nRFCpb, "REFpb during this bank's refresh");
        need("tRREFD", P.refpb + t.nRREFD, "REFpb too soon after another REFpb");
        need("tRRD_S", P.act + t.nRRDS, "REFpb too soon after an ACT");
        need("tRFC", P.ref + t.nRFC, "REFpb during all-bank refresh");
        if (P.refpb > kLongAgo && now - P.refpb > refpb_limit) fail("tREFIpb", P.refpb + refpb_limit, "per-bank refresh postponed beyond 9 x tREFIpb");
        B.refpb = P.refpb = now;
        break;
    }
  }
  // A stream long enough to need refresh must contain it.
  for (std::size_t p = 0; p < pc.size(); ++p) {
    const PcState& P = pc[p];
    if (P.first_cycle < 0) continue;
    const std::int64_t last_ref = std::max({P.ref, P.refpb, std::int64_t{0}});
    const std::int64_t limit = P.refpb > kLongAgo ? refpb_limit : ref_limit;
    if (last_cycle - last_ref > limit) {
      ++rep.violations;
      if (rep.first.size() < keep_first)
        rep.first.push_back({static_cast<std::uint64_t>(last_cycle), static_cast<std::uint32_t>(p), "tREFI",
                             fmt::format("pc {}: no refresh between cycle {} and cycle {} (limit {} cycles)", p,
                                         last_ref, last_cycle, limit)});
    }
  }
  return rep;
}

}  // namespace xpusim::memory
