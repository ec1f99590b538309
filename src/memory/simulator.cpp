#include "memory/simulator.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <fmt/format.h>

#include "core/error.hpp"

namespace xpusim::memory {

const char* command_name(Command c) {
  switch (c) {
    case Command::kAct: return "ACT";
    case Command::kRd: return "RD";
    case Command::kWr: return "WR";
    case Command::kRda: return "RDA";
    case Command::kWra: return "WRA";
    case Command::kPre: return "PRE";
    case Command::kPrea: return "PREA";
    case Command::kRef: return "REF";
    case Command::kRefpb: return "REFpb";
  }
  return "?";
}

namespace {

constexpr std::uint64_t kNever = ~0ull >> 2;
constexpr std::uint16_t kNil = 0xFFFF;
constexpr int kMaxBanks = 64;
constexpr int kMaxSids = 8;
constexpr int kLinearHistogram = 1 << 14;  // latency buckets of one cycle; beyond, powers of two

// One queued granule access (up to bursts_per_granule bursts in one row).
struct Entry {
  std::uint64_t order;  // admission order: FR-FCFS picks the smallest
  std::uint32_t row;
  std::uint32_t req;  // slot in the request ring
  std::uint16_t next;
  std::uint16_t column;
  std::uint8_t bank;
  std::uint8_t bursts_left;
  std::uint8_t write;
};

struct Bank {
  std::int64_t open_row = -1;
  std::uint16_t head[2] = {kNil, kNil};
  std::uint16_t tail[2] = {kNil, kNil};
  std::uint16_t count[2] = {0, 0};
  std::uint16_t hits[2] = {0, 0};
};

struct RequestSlot {
  std::uint64_t arrival = 0;
  std::uint64_t done = 0;
  std::uint32_t remaining = 0;
};

}  // namespace

// Per pseudo-channel controller state and the scheduling loop over all of them.
struct Simulator::Impl {
  // The command buses of one channel, shared by its pseudo-channels: the first free half-clock
  // edge of the row bus (ACT, PRE, PREA, REF, REFpb) and of the column bus (RD, WR, RDA, WRA).
  struct Bus {
    std::uint64_t row_free = 0, col_free = 0;
    std::uint32_t row_last = 0;  // PC that issued the last row command (ties go to the other one)
  };
  struct Pc {
    Bus* bus = nullptr;
    std::array<Bank, kMaxBanks> banks;
    // Fields every row-command scan reads, kept apart from Bank so a scan touches few cache lines.
    std::array<std::uint64_t, kMaxBanks> bank_act_ready{};  // tRC, tRP, tRFC, tRRD_L
    std::array<std::uint64_t, kMaxBanks> bank_pre_ready{};  // tRAS, tRTP, write recovery
    // Keys order << 6 | bank (see age_key) of each bank's oldest entry and oldest row hit, so
    // that picking the oldest is a single min over the scanned banks.
    std::array<std::uint64_t, kMaxBanks> head_order[2];
    // Fields every column-command scan reads: tRCD (read, write) and the oldest row hit.
    std::array<std::uint64_t, kMaxBanks> bank_col_ready[2];
    std::array<std::uint64_t, kMaxBanks> hit_order[2];
    std::array<std::uint64_t, kMaxBanks> rd_ready_bg{};   // tCCD_L, tWTR_L
    std::array<std::uint64_t, kMaxBanks> wr_ready_bg{};   // tCCD_L
    std::array<std::uint64_t, kMaxSids> col_ready_sid{};  // tCCDR from another SID
    std::array<std::uint64_t, 4> faw{};                   // last four ACTs + tFAW
    std::uint64_t act_ready = 0, rd_ready = 0, wr_ready = 0, last_refpb = 0;
    std::uint64_t hitmask[2] = {0, 0}, pendmask[2] = {0, 0}, openmask = 0;
    // Per mode (read, write), banks activated less than tRCD_RD / tRCD_WR ago: the column scan
    // skips them. An ACT enters the FIFO of the mode it was issued in (release times in order,
    // key release << 6 | bank); a bank's bit clears when its latest entry leaves. A bank missing
    // from the other mode's mask is merely scanned. Per mode, because with one FIFO at
    // min(tRCD_RD, tRCD_WR) a read bank left it 16 clocks early (HBM3): a fruitless scan per ACT.
    struct RcdFifo {
      std::uint64_t wait = 0;
      std::uint64_t front = kNever;  // release time of the oldest entry
      std::uint32_t head = 0, tail = 0;
      std::array<std::uint64_t, kMaxBanks> release{};
      std::array<std::uint64_t, 64> fifo{};
    } rcd[2];
    std::uint64_t ref_due = 0;
    // Lower bounds on the next cycle a column / row command can issue; a scan is skipped until
    // then. Ready times only grow, so a bound stays valid until a new candidate appears, which
    // set_bits() and the mode and refresh changes signal by resetting the bound to 0.
    std::uint64_t col_next = 0, row_next = 0;
    int faw_pos = 0;
    int queued[2] = {0, 0};
    int refpb_bank = 0;
    std::uint16_t free_head = kNil;
    bool writing = false;
  };

  const TimingSet& set;
  const ControllerConfig& cfg;
  Timings t;
  int banks_per_group, bank_groups_per_sid, banks;
  int cap[2];
  int stack_ids;
  int entries_per_pc;
  bool closed_page, per_bank_refresh;
  std::array<std::uint8_t, kMaxBanks> group_table{}, sid_table{};
  std::vector<Pc> pcs;
  std::vector<Bus> buses;  // one per channel
  int pcs_per_channel = 1;
  std::uint64_t act_bus = 0, row_bus = 0, col_bus = 0;  // half clocks each command holds its bus
  std::vector<Entry> entries;  // entries_per_pc per PC
  std::vector<RequestSlot> ring;
  std::uint64_t ring_mask = 0;
  std::vector<std::uint64_t> histogram;  // kLinearHistogram + 64
  std::vector<CommandRecord>* log;
  SimResult::Counts counts;
  std::uint64_t order = 0, granules_done = 0, last_done = 0;
  std::uint64_t latency_sum = 0, completed = 0;

  Impl(const TimingSet& s, const ControllerConfig& c, const AddressMapping& m, std::vector<CommandRecord>* l)
      : set(s), cfg(c), t(s.t), log(l) {
    banks_per_group = s.org.banks_per_group;
    bank_groups_per_sid = s.org.bank_groups_per_sid;
    banks = s.org.banks_per_pc();
    cap[0] = c.read_queue_entries;
    cap[1] = c.write_queue_entries;
    entries_per_pc = cap[0] + cap[1];
    stack_ids = s.org.stack_ids;
    closed_page = c.page_policy == PagePolicy::kClosed;
    for (int b = 0; b < banks; ++b) {
      group_table[static_cast<std::size_t>(b)] = static_cast<std::uint8_t>(b / banks_per_group);
      sid_table[static_cast<std::size_t>(b)] = static_cast<std::uint8_t>(b / (banks_per_group * bank_groups_per_sid));
    }
    per_bank_refresh = c.refresh == RefreshMode::kPerBank;
    pcs.resize(static_cast<std::size_t>(m.pcs()));
    pcs_per_channel = std::max(1, s.org.pseudo_channels_per_channel);
    buses.resize(pcs.size() / static_cast<std::size_t>(pcs_per_channel));
    act_bus = static_cast<std::uint64_t>(s.bus.act_half_clocks);
    row_bus = static_cast<std::uint64_t>(s.bus.row_half_clocks);
    col_bus = static_cast<std::uint64_t>(s.bus.column_half_clocks);
    entries.resize(pcs.size() * static_cast<std::size_t>(entries_per_pc));
    for (std::size_t p = 0; p < pcs.size(); ++p) {
      Pc& pc = pcs[p];
      pc.bus = &buses[p / static_cast<std::size_t>(pcs_per_channel)];
      Entry* e = &entries[p * static_cast<std::size_t>(entries_per_pc)];
      for (int i = 0; i < entries_per_pc; ++i) e[i].next = static_cast<std::uint16_t>(i + 1 < entries_per_pc ? i + 1 : kNil);
      pc.free_head = 0;
      for (int m = 0; m < 2; ++m) {
        pc.head_order[m].fill(~0ull);
        pc.hit_order[m].fill(~0ull);
        pc.bank_col_ready[m].fill(0);
      }
      // Stagger refresh over the PCs, as controllers do, so they do not all stall at once.
      const std::uint64_t interval = per_bank_refresh ? static_cast<std::uint64_t>(t.nREFIpb) : static_cast<std::uint64_t>(t.nREFI);
      pc.ref_due = interval + interval * p / pcs.size();
    }
    histogram.assign(kLinearHistogram + 64, 0);
  }

  Entry* pool(std::size_t p) { return &entries[p * static_cast<std::size_t>(entries_per_pc)]; }
  // Table lookups: the divisors are not compile-time constants and division is slow.
  static std::uint64_t age_key(std::uint64_t order, int bank) { return order << 6 | static_cast<std::uint64_t>(bank); }
  // All ones when `ready` <= `now`, else zero. The scans fold each candidate in with it and no
  // branch (`ready | mask` drops a ready bank from the wake-up minimum, `key | ~mask` a waiting
  // one from the age minimum): which banks are ready is unpredictable, and a conditional
  // expression compiled to a branch mispredicted about 8 times per random request.
  static std::uint64_t ready_mask(std::uint64_t ready, std::uint64_t now) { return 0 - static_cast<std::uint64_t>(ready <= now); }
  int group_of(int bank) const { return group_table[static_cast<std::size_t>(bank)]; }
  int sid_of(int bank) const { return sid_table[static_cast<std::size_t>(bank)]; }
  std::uint64_t sid_ready_of(const Pc& pc, int bank) const {
    return pc.col_ready_sid[static_cast<std::size_t>(sid_of(bank))];
  }

  // A command of clock `now` may start on either edge of that clock: at the first free half-clock
  // edge, if that is 2 now or 2 now + 1. bus_clock() is the first clock at which a bus free from
  // half-clock `free` takes a command (a lower bound for the scheduler's wake-ups).
  static bool bus_free(std::uint64_t free, std::uint64_t now) { return free <= 2 * now + 1; }
  static std::uint64_t bus_clock(std::uint64_t free) { return free >> 1; }
  void take_row_bus(Pc& pc, std::size_t p, std::uint64_t now, std::uint64_t half_clocks) const {
    pc.bus->row_free = std::max(pc.bus->row_free, 2 * now) + half_clocks;
    pc.bus->row_last = static_cast<std::uint32_t>(p);
  }

  void emit(std::uint64_t now, std::size_t p, Command c, int bank, std::uint32_t row) {
    if (log) log->push_back(CommandRecord{now, static_cast<std::uint32_t>(p), row, static_cast<std::uint8_t>(bank), c});
  }

  std::uint64_t column_ready(const Pc& pc, int b, int m) const {
    const auto g = static_cast<std::size_t>(group_of(b));
    const std::uint64_t sid = sid_ready_of(pc, b);
    return std::max({pc.bank_col_ready[m][static_cast<std::size_t>(b)], m ? pc.wr_ready : pc.rd_ready,
                     m ? pc.wr_ready_bg[g] : pc.rd_ready_bg[g], sid});
  }
  // PRE when the bank is open (to another row), else ACT; pc.faw holds each of the last four
  // ACTs plus tFAW, so the oldest entry is when a fifth may issue.
  std::uint64_t row_ready(const Pc& pc, int b) const {
    const Bank& bk = pc.banks[static_cast<std::size_t>(b)];
    if (bk.open_row >= 0) return pc.bank_pre_ready[static_cast<std::size_t>(b)];
    return std::max({pc.bank_act_ready[static_cast<std::size_t>(b)], pc.act_ready,
                     pc.faw[static_cast<std::size_t>(pc.faw_pos)]});
  }

  // Mask bits of bank b for mode m after its queue or open row changed; a bank that became a
  // candidate lowers the scan bounds to its ready time.
  void set_bits(Pc& pc, int b, int m) {
    const Bank& bk = pc.banks[static_cast<std::size_t>(b)];
    const std::uint64_t bit = 1ull << b;
    const std::uint64_t old_hit = pc.hitmask[m], old_row = pc.pendmask[m] & ~old_hit;
    // Masks, not conditionals: whether a bank still holds hits is unpredictable.
    const std::uint64_t hit = bit & (0 - static_cast<std::uint64_t>(bk.hits[m] != 0));
    const std::uint64_t pend = bit & (0 - static_cast<std::uint64_t>(bk.count[m] != 0));
    pc.hitmask[m] = (old_hit & ~bit) | hit;
    pc.pendmask[m] = (pc.pendmask[m] & ~bit) | pend;
    if (hit & ~old_hit) pc.col_next = std::min(pc.col_next, column_ready(pc, b, m));
    if (pend & ~hit & ~old_row) pc.row_next = std::min(pc.row_next, row_ready(pc, b));
  }
  void set_bits(Pc& pc, int b) {
    set_bits(pc, b, 0);
    set_bits(pc, b, 1);
  }

  // The hits of mode m over the banks not in tRCD and not blocked by refresh: the oldest ready
  // one (age key, ~0 when none), how many are ready, and when the first waiting one may be.
  struct ColumnScan {
    std::uint64_t best = ~0ull, wake = kNever;
    int ready = 0;
  };
  template <int m>
  ColumnScan scan_columns(const Pc& pc, std::uint64_t now, std::uint64_t blocked) const {
    ColumnScan c;
    const Pc::RcdFifo& rcd = pc.rcd[m];
    // A bank still in tRCD is not ready; the oldest release bounds them all.
    if (pc.hitmask[m] & rcd.wait & ~blocked) c.wake = rcd.front;
    // Branch-free over the banks holding a hit; the list is walked only for the winner.
    const std::uint64_t pc_ready = std::max(m ? pc.wr_ready : pc.rd_ready, now);
    const auto& group_ready = m ? pc.wr_ready_bg : pc.rd_ready_bg;
    for (std::uint64_t mask = pc.hitmask[m] & ~blocked & ~rcd.wait; mask; mask &= mask - 1) {
      const int b = std::countr_zero(mask);
      const auto ub = static_cast<std::size_t>(b);
      const std::uint64_t ready = std::max({pc.bank_col_ready[m][ub], group_ready[static_cast<std::size_t>(group_of(b))],
                                            sid_ready_of(pc, b), pc_ready});
      const std::uint64_t ok = ready_mask(ready, now);
      c.wake = std::min(c.wake, ready | ok);
      c.ready += static_cast<int>(ok & 1);
      c.best = std::min(c.best, pc.hit_order[m][ub] | ~ok);
    }
    return c;
  }

  // Drops the oldest tRCD entry; its bank leaves `wait` when that was its latest ACT.
  static void rcd_pop(Pc::RcdFifo& r) {
    const std::uint64_t key = r.fifo[r.head++ & 63];
    const auto b = static_cast<std::size_t>(key & 63);
    if (r.release[b] == key >> 6) r.wait &= ~(1ull << b);
    r.front = r.head == r.tail ? kNever : r.fifo[r.head & 63] >> 6;
  }
  static void rcd_push(Pc::RcdFifo& r, int b, std::uint64_t release) {
    if (r.tail - r.head == 64) rcd_pop(r);  // leaving a bank unmasked only costs a scan
    r.release[static_cast<std::size_t>(b)] = release;
    r.fifo[r.tail++ & 63] = release << 6 | static_cast<std::uint64_t>(b);
    r.front = std::min(r.front, release);
    r.wait |= 1ull << b;
  }

  // Write drain between the watermarks; reads otherwise (and writes when no read waits). It
  // depends only on the queue counts, so it is re-evaluated whenever they change: the same as
  // deciding every clock, and independent of which clocks the scheduler visits.
  void update_mode(Pc& pc) const {
    const bool was_writing = pc.writing;
    if (pc.writing) {
      if (pc.queued[1] == 0 || (pc.queued[1] <= cfg.write_low_watermark && pc.queued[0] > 0)) pc.writing = false;
    } else if (pc.queued[1] >= cfg.write_high_watermark || (pc.queued[0] == 0 && pc.queued[1] > 0)) {
      pc.writing = true;
    }
    if (pc.writing != was_writing) pc.col_next = pc.row_next = 0;
  }

  void enqueue(std::size_t p, const DramAddress& a, int bursts, bool write, std::uint32_t req) {
    Pc& pc = pcs[p];
    Entry* e = pool(p);
    const std::uint16_t i = pc.free_head;
    pc.free_head = e[i].next;
    const int m = write ? 1 : 0;
    e[i] = Entry{order++, a.row, req, kNil, static_cast<std::uint16_t>(a.column), static_cast<std::uint8_t>(a.bank),
                 static_cast<std::uint8_t>(bursts), static_cast<std::uint8_t>(m)};
    Bank& bk = pc.banks[a.bank];
    if (bk.tail[m] == kNil) {
      bk.head[m] = i;
      pc.head_order[m][a.bank] = age_key(e[i].order, a.bank);
    } else {
      e[bk.tail[m]].next = i;
    }
    bk.tail[m] = i;
    ++bk.count[m];
    if (bk.open_row == static_cast<std::int64_t>(a.row) && bk.hits[m]++ == 0) pc.hit_order[m][a.bank] = age_key(e[i].order, a.bank);
    ++pc.queued[m];
    set_bits(pc, a.bank, m);
    // The mode is kept up to date at every count change, so one more read cannot start a drain.
    if (write || pc.writing) update_mode(pc);
  }

  void complete(std::uint32_t req, std::uint64_t done) {
    RequestSlot& s = ring[req];
    s.done = std::max(s.done, done);
    if (--s.remaining == 0) {
      const std::uint64_t lat = s.done - s.arrival;
      latency_sum += lat;
      ++completed;
      if (lat < kLinearHistogram) ++histogram[lat];
      else ++histogram[kLinearHistogram + static_cast<std::size_t>(std::bit_width(lat))];
      last_done = std::max(last_done, s.done);
    }
  }

  // After an ACT of a closed bank (so it held no hit): count the hits of the new row. Only hit
  // bits change; a bank with new hits lowers the column bound (current mode only, as in
  // set_bits()) and, holding hits, is no row candidate any more.
  void recount_hits(Pc& pc, std::size_t p, int b) {
    Bank& bk = pc.banks[static_cast<std::size_t>(b)];
    const Entry* e = pool(p);
    const std::uint64_t bit = 1ull << b;
    for (int m = 0; m < 2; ++m) {
      std::uint16_t h = 0;
      std::uint64_t first = ~0ull;
      for (std::uint16_t i = bk.head[m]; i != kNil; i = e[i].next) {
        if (e[i].row != static_cast<std::uint64_t>(bk.open_row)) continue;
        if (h++ == 0) first = age_key(e[i].order, b);
      }
      bk.hits[m] = h;
      pc.hit_order[m][static_cast<std::size_t>(b)] = first;
      pc.hitmask[m] |= bit & (0 - static_cast<std::uint64_t>(h != 0));
    }
    const int m = pc.writing ? 1 : 0;
    if (bk.hits[m]) pc.col_next = std::min(pc.col_next, column_ready(pc, b, m));
  }

  void close_bank(Pc& pc, int b, std::uint64_t act_ready) {
    Bank& bk = pc.banks[static_cast<std::size_t>(b)];
    bk.open_row = -1;
    pc.bank_act_ready[static_cast<std::size_t>(b)] = std::max(pc.bank_act_ready[static_cast<std::size_t>(b)], act_ready);
    bk.hits[0] = bk.hits[1] = 0;
    pc.hit_order[0][static_cast<std::size_t>(b)] = pc.hit_order[1][static_cast<std::size_t>(b)] = ~0ull;
    pc.openmask &= ~(1ull << b);
    // set_bits() for both modes, knowing that no hit remains: a bank that still has work and
    // was no row candidate becomes one. The bounds serve the current mode only (a mode switch
    // resets them).
    const std::uint64_t bit = 1ull << b;
    const int m = pc.writing ? 1 : 0;
    const bool was_candidate = (pc.pendmask[m] & ~pc.hitmask[m] & bit) != 0;
    for (int x = 0; x < 2; ++x) {
      pc.hitmask[x] &= ~bit;
      pc.pendmask[x] = (pc.pendmask[x] & ~bit) | (bit & (0 - static_cast<std::uint64_t>(bk.count[x] != 0)));
    }
    if (!was_candidate && (pc.pendmask[m] & bit)) pc.row_next = std::min(pc.row_next, row_ready(pc, b));
  }

  // Refresh work of PC p at `now`; returns true when refresh owns the row command slot this cycle.
  // `wake` collects the earliest cycle refresh can make progress.
  bool refresh(Pc& pc, std::size_t p, std::uint64_t now, std::uint64_t& wake, std::uint64_t& blocked) {
    if (now < pc.ref_due) {
      wake = std::min(wake, pc.ref_due);
      return false;
    }
    if (!per_bank_refresh) {
      blocked = ~0ull;
      if (pc.openmask) {
        std::uint64_t ready = 0;
        for (std::uint64_t m = pc.openmask; m; m &= m - 1) ready = std::max(ready, pc.bank_pre_ready[static_cast<std::size_t>(std::countr_zero(m))]);
        if (ready > now) {
          wake = std::min(wake, ready);
          return true;
        }
        if (!bus_free(pc.bus->row_free, now)) {
          wake = std::min(wake, bus_clock(pc.bus->row_free));
          return true;
        }
        for (std::uint64_t m = pc.openmask; m; m &= m - 1) close_bank(pc, std::countr_zero(m), now + static_cast<std::uint64_t>(t.nRP));
        take_row_bus(pc, p, now, row_bus);
        ++counts.prea;
        emit(now, p, Command::kPrea, 0, 0);
        wake = now + 1;
        return true;
      }
      std::uint64_t ready = 0;
      for (int b = 0; b < banks; ++b) ready = std::max(ready, pc.bank_act_ready[static_cast<std::size_t>(b)]);
      if (ready > now) {
        wake = std::min(wake, ready);
        return true;
      }
      if (!bus_free(pc.bus->row_free, now)) {
        wake = std::min(wake, bus_clock(pc.bus->row_free));
        return true;
      }
      take_row_bus(pc, p, now, row_bus);
      for (int b = 0; b < banks; ++b) pc.bank_act_ready[static_cast<std::size_t>(b)] = now + static_cast<std::uint64_t>(t.nRFC);
      pc.ref_due += static_cast<std::uint64_t>(t.nREFI);
      pc.col_next = pc.row_next = 0;
      ++counts.ref;
      emit(now, p, Command::kRef, 0, 0);
      wake = now + 1;
      return true;
    }
    const int b = pc.refpb_bank;
    blocked = 1ull << b;
    Bank& bk = pc.banks[static_cast<std::size_t>(b)];
    if (bk.open_row >= 0) {
      if (pc.bank_pre_ready[static_cast<std::size_t>(b)] > now) {
        wake = std::min(wake, pc.bank_pre_ready[static_cast<std::size_t>(b)]);
        return false;
      }
      if (!bus_free(pc.bus->row_free, now)) {
        wake = std::min(wake, bus_clock(pc.bus->row_free));
        return true;
      }
      close_bank(pc, b, now + static_cast<std::uint64_t>(t.nRP));
      take_row_bus(pc, p, now, row_bus);
      ++counts.pre;
      emit(now, p, Command::kPre, b, 0);
      wake = now + 1;
      return true;
    }
    const std::uint64_t ready = std::max({pc.bank_act_ready[static_cast<std::size_t>(b)], pc.last_refpb + static_cast<std::uint64_t>(t.nRREFD), pc.act_ready});
    if (ready > now) {
      wake = std::min(wake, ready);
      return false;
    }
    if (!bus_free(pc.bus->row_free, now)) {
      wake = std::min(wake, bus_clock(pc.bus->row_free));
      return true;
    }
    take_row_bus(pc, p, now, row_bus);
    pc.bank_act_ready[static_cast<std::size_t>(b)] = now + static_cast<std::uint64_t>(t.nRFCpb);
    pc.act_ready = std::max(pc.act_ready, now + static_cast<std::uint64_t>(t.nRREFD));  // REFpb -> ACT, any bank
    pc.last_refpb = now;
    pc.refpb_bank = (b + 1) % banks;
    pc.ref_due += static_cast<std::uint64_t>(t.nREFIpb);
    pc.col_next = pc.row_next = 0;
    ++counts.refpb;
    emit(now, p, Command::kRefpb, b, 0);
    wake = now + 1;
    return true;
  }

  // Idle memory until `until` (nothing queued or outstanding): its refreshes are then periodic,
  // each at its due cycle, so all but the last full round before `until` are counted, not
  // stepped. The round left to simulate refreshes every bank again and so overwrites every
  // state the skipped ones set (bank, ACT and bus ready times; ref_due advances by the interval
  // whatever the issue cycle), which keeps the result identical to stepping. A PC with a bank
  // still open (its next refreshes precharge first) is left to the stepping until one round
  // has closed them. Returns whether any PC moved; its wake-up becomes its next refresh.
  bool skip_idle_refresh(std::uint64_t until, std::vector<std::uint64_t>& wake) {
    const auto interval = static_cast<std::uint64_t>(per_bank_refresh ? t.nREFIpb : t.nREFI);
    // REFpb closer than tRREFD would fall behind its due cycles: not periodic, so stepped.
    if (interval == 0 || (per_bank_refresh && t.nREFIpb < t.nRREFD)) return false;
    const std::uint64_t keep = per_bank_refresh ? static_cast<std::uint64_t>(banks) + 1 : 2;
    bool moved = false;
    for (std::size_t p = 0; p < pcs.size(); ++p) {
      Pc& pc = pcs[p];
      if (pc.openmask != 0 || pc.ref_due >= until || (until - pc.ref_due) / interval <= keep) continue;
      const std::uint64_t k = (until - pc.ref_due) / interval - keep;
      pc.ref_due += k * interval;
      if (per_bank_refresh) {
        counts.refpb += k;
        pc.refpb_bank = static_cast<int>((static_cast<std::uint64_t>(pc.refpb_bank) + k) % static_cast<std::uint64_t>(banks));
      } else {
        counts.ref += k;
      }
      wake[p] = pc.ref_due;
      moved = true;
    }
    return moved;
  }

  // One scheduling cycle of PC p: at most one column and one row command. Returns the next cycle
  // at which this PC may be able to issue something (kNever when it has nothing to do).
  std::uint64_t step(std::size_t p, std::uint64_t now) {
    Pc& pc = pcs[p];
    std::uint64_t wake = kNever;
    std::uint64_t blocked = 0;
    const bool row_slot_taken = now >= pc.ref_due ? refresh(pc, p, now, wake, blocked) : (wake = pc.ref_due, false);
    if (blocked == ~0ull) return wake;
    // The mode is decided at the start of the clock (update_mode); one instance per mode, so
    // the per-mode arrays and timings are fixed at compile time.
    return pc.writing ? schedule<1>(pc, p, now, wake, blocked, row_slot_taken)
                      : schedule<0>(pc, p, now, wake, blocked, row_slot_taken);
  }

  template <int m>
  std::uint64_t schedule(Pc& pc, std::size_t p, std::uint64_t now, std::uint64_t wake, std::uint64_t blocked,
                         bool row_slot_taken) {
    Entry* e = pool(p);
    // Column command: the oldest row hit whose bank, group and channel are ready (first-ready).
    if (pc.col_next <= now && !bus_free(pc.bus->col_free, now)) {
      pc.col_next = bus_clock(pc.bus->col_free);  // the other PC of the channel holds the column bus
    } else if (pc.col_next <= now) {
      Pc::RcdFifo& rcd = pc.rcd[m];
      while (rcd.front <= now) rcd_pop(rcd);
      const ColumnScan c = scan_columns<m>(pc, now, blocked);
      pc.col_next = c.wake;
      if (c.best != ~0ull) {
        const int b = static_cast<int>(c.best & 63);
        std::uint16_t best_i = kNil, best_prev = kNil;
        for (std::uint16_t i = pc.banks[static_cast<std::size_t>(b)].head[m]; i != kNil; best_prev = i, i = e[i].next) {
          if (e[i].order == c.best >> 6) {
            best_i = i;
            break;
          }
        }
        // Next column command: another hit that was ready already (after tCCD_S), else the
        // earliest waiting one, or this bank's next hit at its own ready time.
        pc.col_next = std::max(now + static_cast<std::uint64_t>(t.nCCDS), c.ready > 1 ? now : c.wake);
        issue_column<m>(pc, p, now, b, best_i, best_prev);  // may lower col_next / row_next
        if (pc.hitmask[m] >> b & 1) pc.col_next = std::min(pc.col_next, column_ready(pc, b, m));
      }
    }

    // Row command: for the oldest request whose bank holds no hit, ACT its row or PRE the bank.
    if (!row_slot_taken && pc.row_next <= now && !bus_free(pc.bus->row_free, now)) {
      pc.row_next = bus_clock(pc.bus->row_free);  // the other PC of the channel holds the row bus
    } else if (!row_slot_taken && pc.row_next <= now) {
      std::uint64_t row_wake = kNever;  // earliest waiting PRE candidate
      std::uint64_t act_wake = kNever;  // earliest waiting ACT candidate, by its own bank's timings
      int ready_pre = 0, ready_act = 0;
      std::uint64_t best_order = ~0ull;
      int best_bank = -1;
      // PRE candidates: open banks whose queued requests all want another row.
      const std::uint64_t cand = pc.pendmask[m] & ~pc.hitmask[m] & ~blocked;
      for (std::uint64_t mask = cand & pc.openmask; mask; mask &= mask - 1) {
        const int b = std::countr_zero(mask);
        const std::uint64_t ready = pc.bank_pre_ready[static_cast<std::size_t>(b)];
        const std::uint64_t ok = ready_mask(ready, now);
        row_wake = std::min(row_wake, ready | ok);
        ready_pre += static_cast<int>(ok & 1);
        best_order = std::min(best_order, pc.head_order[m][static_cast<std::size_t>(b)] | ~ok);
      }
      // ACT candidates: closed banks; tRRD_S and tFAW are common to all, so test them once.
      const std::uint64_t act_mask = cand & ~pc.openmask;
      const std::uint64_t common = std::max(pc.act_ready, pc.faw[static_cast<std::size_t>(pc.faw_pos)]);
      if (act_mask && common > now) {
        act_wake = now + 1;  // not scanned: only `common` is known to bound them
      } else {
        for (std::uint64_t mask = act_mask; mask; mask &= mask - 1) {
          const int b = std::countr_zero(mask);
          const std::uint64_t ready = pc.bank_act_ready[static_cast<std::size_t>(b)];
          const std::uint64_t ok = ready_mask(ready, now);
          act_wake = std::min(act_wake, ready | ok);
          ready_act += static_cast<int>(ok & 1);
          best_order = std::min(best_order, pc.head_order[m][static_cast<std::size_t>(b)] | ~ok);
        }
      }
      if (best_order != ~0ull) best_bank = static_cast<int>(best_order & 63);
      // An ACT also waits for tRRD_S and tFAW (`common`, re-read after this clock's command).
      const auto act_bound = [&](std::uint64_t bank_ready) {
        return std::max(bank_ready, std::max(pc.act_ready, pc.faw[static_cast<std::size_t>(pc.faw_pos)]));
      };
      if (best_bank < 0) {
        pc.row_next = std::min(row_wake, act_mask ? act_bound(act_wake) : kNever);
      } else {
        Bank& bk = pc.banks[static_cast<std::size_t>(best_bank)];
        const bool is_pre = bk.open_row >= 0;
        pc.row_next = kNever;  // the command below may lower it (close_bank, recount_hits)
        if (is_pre) {
          close_bank(pc, best_bank, now + static_cast<std::uint64_t>(t.nRP));
          take_row_bus(pc, p, now, row_bus);
          ++counts.pre;
          emit(now, p, Command::kPre, best_bank, 0);
        } else {
          activate(pc, p, now, best_bank, e[bk.head[m]].row);
        }
        // Next row command: another ready PRE, or after a PRE a ready ACT, can go next clock.
        // Else the earliest waiting PRE, or ACT: the other ACT candidates (any of them already
        // ready now only waits for `common`) and, after a PRE, the precharged bank after tRP.
        const bool more = is_pre ? (ready_pre > 1 || ready_act > 0) : ready_pre > 0;
        std::uint64_t act_next = ready_act > (is_pre ? 0 : 1) ? now + 1 : act_wake;
        if (is_pre && (pc.pendmask[m] >> best_bank & 1))
          act_next = std::min(act_next, pc.bank_act_ready[static_cast<std::size_t>(best_bank)]);
        const std::uint64_t next = more ? now + 1 : std::min(row_wake, act_next == kNever ? kNever : act_bound(act_next));
        // Every row command waits for the row bus, whose free time only grows.
        pc.row_next = std::max(std::min(pc.row_next, next), bus_clock(pc.bus->row_free));
      }
    }
    if (pc.writing != (m != 0)) pc.col_next = pc.row_next = 0;  // switched by this clock's command
    return std::max(now + 1, std::min({wake, pc.col_next, pc.row_next}));
  }

  void activate(Pc& pc, std::size_t p, std::uint64_t now, int b, std::uint32_t row) {
    Bank& bk = pc.banks[static_cast<std::size_t>(b)];
    bk.open_row = row;
    pc.bank_act_ready[static_cast<std::size_t>(b)] = now + static_cast<std::uint64_t>(t.nRC);
    pc.bank_pre_ready[static_cast<std::size_t>(b)] = now + static_cast<std::uint64_t>(t.nRAS);
    pc.bank_col_ready[0][static_cast<std::size_t>(b)] = now + static_cast<std::uint64_t>(t.nRCDRD);
    pc.bank_col_ready[1][static_cast<std::size_t>(b)] = now + static_cast<std::uint64_t>(t.nRCDWR);
    // Only the current mode's mask: the other one is a shortcut its scans can do without.
    if (pc.writing) rcd_push(pc.rcd[1], b, now + static_cast<std::uint64_t>(t.nRCDWR));
    else rcd_push(pc.rcd[0], b, now + static_cast<std::uint64_t>(t.nRCDRD));
    pc.act_ready = now + static_cast<std::uint64_t>(t.nRRDS);
    take_row_bus(pc, p, now, act_bus);
    // tRRD_L is folded into the ready time of every bank of the group (they are contiguous).
    const int first = group_of(b) * banks_per_group;
    for (int x = first; x < first + banks_per_group; ++x)
      pc.bank_act_ready[static_cast<std::size_t>(x)] = std::max(pc.bank_act_ready[static_cast<std::size_t>(x)], now + static_cast<std::uint64_t>(t.nRRDL));
    pc.faw[static_cast<std::size_t>(pc.faw_pos)] = now + static_cast<std::uint64_t>(t.nFAW);
    pc.faw_pos = (pc.faw_pos + 1) & 3;
    pc.openmask |= 1ull << b;
    ++counts.act;
    emit(now, p, Command::kAct, b, row);
    recount_hits(pc, p, b);
  }

  template <int m>
  void issue_column(Pc& pc, std::size_t p, std::uint64_t now, int b, std::uint16_t i, std::uint16_t prev) {
    Entry* e = pool(p);
    Bank& bk = pc.banks[static_cast<std::size_t>(b)];
    const int g = group_of(b);
    const int sid = sid_of(b);
    const auto T = [](int v) { return static_cast<std::uint64_t>(v); };
    // Auto-precharge (closed page) when this burst is the bank's last queued hit.
    const bool last_burst = e[i].bursts_left == 1;
    const bool auto_pre = closed_page && last_burst && bk.hits[0] + bk.hits[1] == 1;
    std::uint64_t done;
    if constexpr (m == 0) {
      pc.rd_ready = std::max(pc.rd_ready, now + T(t.nCCDS));
      pc.wr_ready = std::max(pc.wr_ready, now + T(t.nRTW));
      pc.rd_ready_bg[static_cast<std::size_t>(g)] = std::max(pc.rd_ready_bg[static_cast<std::size_t>(g)], now + T(t.nCCDL));
      pc.bank_pre_ready[static_cast<std::size_t>(b)] = std::max(pc.bank_pre_ready[static_cast<std::size_t>(b)], now + T(t.nRTP));
      done = now + T(t.nCL) + T(t.nBL);
      ++(auto_pre ? counts.rda : counts.rd);
    } else {
      const std::uint64_t data_end = now + T(t.nCWL) + T(t.nBL);
      pc.wr_ready = std::max(pc.wr_ready, now + T(t.nCCDS));
      pc.rd_ready = std::max(pc.rd_ready, data_end + T(t.nWTRS));
      pc.rd_ready_bg[static_cast<std::size_t>(g)] = std::max(pc.rd_ready_bg[static_cast<std::size_t>(g)], data_end + T(t.nWTRL));
      pc.wr_ready_bg[static_cast<std::size_t>(g)] = std::max(pc.wr_ready_bg[static_cast<std::size_t>(g)], now + T(t.nCCDL));
      pc.bank_pre_ready[static_cast<std::size_t>(b)] = std::max(pc.bank_pre_ready[static_cast<std::size_t>(b)], data_end + T(t.nWR));
      done = data_end;
      ++(auto_pre ? counts.wra : counts.wr);
    }
    if constexpr (m == 0) pc.wr_ready_bg[static_cast<std::size_t>(g)] = std::max(pc.wr_ready_bg[static_cast<std::size_t>(g)], now + T(t.nRTW));
    // tCCD_R for the other stack IDs. Two SIDs (HBM3, HBM3E) is a single update; else raise
    // all, then restore this one (no branch per SID).
    if (stack_ids == 2) {
      std::uint64_t& other = pc.col_ready_sid[static_cast<std::size_t>(sid ^ 1)];
      other = std::max(other, now + T(t.nCCDR));
    } else {
      const std::uint64_t own = pc.col_ready_sid[static_cast<std::size_t>(sid)];
      for (int s = 0; s < stack_ids; ++s)
        pc.col_ready_sid[static_cast<std::size_t>(s)] = std::max(pc.col_ready_sid[static_cast<std::size_t>(s)], now + T(t.nCCDR));
      pc.col_ready_sid[static_cast<std::size_t>(sid)] = own;
    }
    pc.bus->col_free = std::max(pc.bus->col_free, 2 * now) + col_bus;
    emit(now, p, m == 0 ? (auto_pre ? Command::kRda : Command::kRd) : (auto_pre ? Command::kWra : Command::kWr), b, e[i].row);

    if (last_burst) {
      // Unlink the entry and free its slot.
      if (prev == kNil) {
        bk.head[m] = e[i].next;
        pc.head_order[m][static_cast<std::size_t>(b)] = bk.head[m] == kNil ? ~0ull : age_key(e[bk.head[m]].order, b);
      } else {
        e[prev].next = e[i].next;
      }
      if (bk.tail[m] == i) bk.tail[m] = prev;
      --bk.count[m];
      --bk.hits[m];
      // The next row hit, if any, follows this entry in arrival order.
      std::uint64_t next_hit = ~0ull;
      if (bk.hits[m])
        for (std::uint16_t j = e[i].next; j != kNil; j = e[j].next)
          if (e[j].row == e[i].row) {
            next_hit = age_key(e[j].order, b);
            break;
          }
      pc.hit_order[m][static_cast<std::size_t>(b)] = next_hit;
      --pc.queued[m];
      ++granules_done;
      const std::uint32_t req = e[i].req;
      e[i].next = pc.free_head;
      pc.free_head = i;
      complete(req, done);
    } else {
      --e[i].bursts_left;
      ++e[i].column;
    }
    if (auto_pre) {
      const std::uint64_t pre_at = pc.bank_pre_ready[static_cast<std::size_t>(b)];  // tRAS, tRTP / write recovery already folded in
      close_bank(pc, b, pre_at + T(t.nRP));
    } else if (last_burst) {
      set_bits(pc, b, m);  // a burst that leaves its entry queued changes no count
    }
    if (last_burst) update_mode(pc);
  }
};

Simulator::Simulator(const TimingSet& set, int stacks, ControllerConfig config)
    : set_(set), stacks_(stacks), config_(std::move(config)),
      mapping_(AddressMapping::parse(config_.mapping, set_, stacks, "--mapping")) {
  if (config_.read_queue_entries < 1 || config_.write_queue_entries < 1 ||
      config_.read_queue_entries + config_.write_queue_entries >= 0xFFFF)
    throw core::Error::flag("--queue-entries", std::to_string(config_.read_queue_entries),
                            "between 1 and 32767 entries per queue");
  if (!(config_.write_low_watermark < config_.write_high_watermark &&
        config_.write_high_watermark <= config_.write_queue_entries))
    throw core::Error::flag("--write-watermarks",
                            fmt::format("{}/{}", config_.write_low_watermark, config_.write_high_watermark),
                            "low < high <= write queue entries");
}

Simulator::~Simulator() = default;

SimResult Simulator::run(RequestSource& source, const core::ProgressFn& progress) {
  log_.clear();
  Impl s(set_, config_, mapping_, record_ ? &log_ : nullptr);
  const int request_bytes = source.request_bytes();
  const int granule = mapping_.granule_bytes();
  const int burst = mapping_.burst_bytes();
  // Both are powers of two (AddressMapping checks): shifts, not divisions, split the requests.
  const int granule_shift = std::countr_zero(static_cast<unsigned>(granule));
  const int burst_shift = std::countr_zero(static_cast<unsigned>(burst));
  const int max_pieces = request_bytes / granule + 2;
  const int min_queue = std::min(config_.read_queue_entries, config_.write_queue_entries);
  if (request_bytes < 1 || max_pieces > min_queue || max_pieces > 64)
    throw core::Error::flag("--request-bytes", std::to_string(request_bytes),
                            fmt::format("between 1 and {} bytes (the queue entries of one pseudo-channel)",
                                        (std::min(min_queue, 64) - 2) * granule));
  if (record_) log_.reserve(std::min<std::uint64_t>(source.size() * 4 + 1024, 1ull << 26));

  // Front end: requesters may keep `window` requests outstanding (like MSHRs). A request enters
  // the window when it has arrived and there is room, is split into granule pieces, and each
  // piece waits in its pseudo-channel's FIFO until that controller's queue has space; so one
  // busy or refreshing channel does not block the others.
  const std::size_t npc = s.pcs.size();
  const std::uint64_t window = static_cast<std::uint64_t>(std::max(1, config_.outstanding_per_pc)) * npc;
  const std::size_t ring_size = std::bit_ceil(static_cast<std::size_t>(window) * 2);
  s.ring.assign(ring_size, RequestSlot{});
  s.ring_mask = ring_size - 1;
  struct Piece {
    DramAddress a;
    std::uint64_t arrival;  // cycle the request entered the window
    std::uint32_t req;
    std::uint32_t next;
    std::uint8_t bursts;
    std::uint8_t write;
  };
  constexpr std::uint32_t kEnd = ~0u;
  std::vector<Piece> pieces(static_cast<std::size_t>(window) * static_cast<std::size_t>(max_pieces));
  for (std::size_t i = 0; i < pieces.size(); ++i) pieces[i].next = i + 1 < pieces.size() ? static_cast<std::uint32_t>(i + 1) : kEnd;
  std::uint32_t free_piece = 0;
  std::vector<std::uint32_t> wait_head(npc, kEnd), wait_tail(npc, kEnd);
  // Next cycle each PC may issue something, apart from the PC state so the scans stay in cache.
  std::vector<std::uint64_t> wake(npc, 0);

  MemRequest cur;
  bool have = source.next(cur);
  std::uint64_t entered = 0, bytes = 0;
  const std::uint64_t total = source.size();
  const std::uint64_t progress_every = 1 << 16;
  // Time advances in epochs of kEpoch clocks. New requests enter the window at epoch starts;
  // then each channel runs the whole epoch on its own, so its state stays in cache (channels
  // share no timing rule, and a piece only waits for its own PC's queue); the PCs of a channel
  // run together, coupled through its command buses.
  constexpr std::uint64_t kEpoch = 64;
  // Returns the arrival of the first waiting piece when it is still to come (an event), else kNever.
  const auto admit = [&](std::size_t q, std::uint64_t now) {
    auto& pc = s.pcs[q];
    bool admitted = false;
    std::uint64_t arrival = kNever;
    while (wait_head[q] != kEnd) {
      const std::uint32_t i = wait_head[q];
      const Piece& pp = pieces[i];
      if (pp.arrival > now) {
        arrival = pp.arrival;
        break;
      }
      if (pc.queued[pp.write] >= s.cap[pp.write]) break;
      s.enqueue(q, pp.a, pp.bursts, pp.write != 0, pp.req);
      wait_head[q] = pp.next;
      // The next piece was written many epochs ago and left the L1 cache since; fetch it now,
      // while this PC's scheduling runs, rather than when its queue has room again.
      if (pp.next != kEnd) __builtin_prefetch(&pieces[pp.next]);
      pieces[i].next = free_piece;
      free_piece = i;
      admitted = true;
    }
    if (wait_head[q] == kEnd) wait_tail[q] = kEnd;
    // enqueue() lowered the PC's column/row bounds to the new entries' ready times.
    if (admitted) wake[q] = std::min(wake[q], std::max(now + 1, std::min(pc.col_next, pc.row_next)));
    return arrival;
  };
  std::uint64_t t0 = 0;
  for (;;) {
    const std::uint64_t t1 = t0 + kEpoch;
    // New requests into the window, in arrival order.
    while (have && cur.arrival_cycle < t1 && entered - s.completed < window) {
      const std::uint32_t slot = static_cast<std::uint32_t>(entered & s.ring_mask);
      if (s.ring[slot].remaining != 0) break;  // a much older request still outstanding
      std::uint32_t count = 0;
      std::uint64_t a = cur.address;
      const std::uint64_t end = cur.address + static_cast<std::uint64_t>(request_bytes);
      while (a < end) {
        const std::uint64_t granule_end = ((a >> granule_shift) + 1) << granule_shift;
        const std::uint64_t stop = std::min(end, granule_end);
        const auto bursts = static_cast<std::uint8_t>(((stop - 1) >> burst_shift) - (a >> burst_shift) + 1);
        const std::uint32_t i = free_piece;
        free_piece = pieces[i].next;
        Piece& pc = pieces[i];
        pc = Piece{mapping_.decode(a), std::max(cur.arrival_cycle, t0), slot, kEnd, bursts, static_cast<std::uint8_t>(cur.write)};
        const std::size_t q = pc.a.pc;
        if (wait_tail[q] == kEnd) wait_head[q] = i;
        else pieces[wait_tail[q]].next = i;
        wait_tail[q] = i;
        ++count;
        a = stop;
      }
      s.ring[slot] = RequestSlot{std::max(cur.arrival_cycle, t0), 0, count};
      bytes += static_cast<std::uint64_t>(request_bytes);
      ++entered;
      if (progress && entered % progress_every == 0) progress(entered, total);
      have = source.next(cur);
    }

    std::uint64_t next_t0 = have ? cur.arrival_cycle : kNever;
    // One step of PC p at `now`; returns its next event (>= t1: done for this epoch).
    const auto visit = [&](std::size_t p, std::uint64_t now) __attribute__((always_inline)) {
      if (wake[p] <= now) wake[p] = s.step(p, now);
      // A waiting piece that has arrived waits for queue space, which only a step frees (and
      // admit() follows every step), so only a future arrival is an event.
      const std::uint64_t arrival = admit(p, now);
      return std::min(wake[p], arrival);
    };
    for (std::size_t c = 0; c < s.buses.size(); ++c) {
      const std::size_t p0 = c * static_cast<std::size_t>(s.pcs_per_channel);
      if (s.pcs_per_channel == 1) {
        for (std::uint64_t now = t0;;) {
          const std::uint64_t next = visit(p0, now);
          if (next >= t1) break;
          now = std::max(next, now + 1);
        }
      } else {
        // The two PCs of a channel share its command buses: their steps interleave in cycle
        // order (at a tie the PC that did not issue the last row command goes first), so each
        // sees the other's bus use up to that cycle.
        // Each PC's next visit in a register of its own (an array indexed by the chosen PC lives in
        // memory); a PC done for the epoch is at kNever.
        const auto advance = [&](std::size_t p, std::uint64_t& now) __attribute__((always_inline)) {
          const std::uint64_t next = visit(p, now);
          now = next >= t1 ? kNever : std::max(next, now + 1);
        };
        const Impl::Bus& bus = s.buses[c];
        std::uint64_t now0 = t0, now1 = t0;
        while (std::min(now0, now1) < t1) {
          if (now1 < now0 || (now1 == now0 && bus.row_last == p0)) advance(p0 + 1, now1);
          else advance(p0, now0);
        }
      }
      for (std::size_t p = p0; p < p0 + static_cast<std::size_t>(s.pcs_per_channel); ++p) {
        next_t0 = std::min(next_t0, wake[p]);
        if (wait_head[p] != kEnd) next_t0 = std::min(next_t0, pieces[wait_head[p]].arrival);
      }
    }
    if (!have && s.completed == entered) break;
    if (have && s.completed == entered && s.log == nullptr && config_.skip_idle_refresh &&
        s.skip_idle_refresh(cur.arrival_cycle, wake)) {
      next_t0 = cur.arrival_cycle;
      for (std::size_t p = 0; p < npc; ++p) next_t0 = std::min(next_t0, wake[p]);
    }
    // Skip epochs in which nothing can happen.
    t0 = next_t0 == kNever ? t1 : std::max(t1, next_t0 / kEpoch * kEpoch);
  }
  if (progress) progress(total, total);
  const std::uint64_t admitted = entered;

  SimResult r;
  r.simulated_requests = admitted;
  r.bytes = bytes;
  r.cycles = s.last_done;
  r.elapsed_s = static_cast<double>(s.last_done) * set_.clock_period_s;
  r.peak_bandwidth_bytes_per_s = set_.stack_peak_bytes_per_s() * stacks_;
  r.bandwidth_bytes_per_s = r.elapsed_s > 0 ? static_cast<double>(bytes) / r.elapsed_s : 0;
  r.efficiency = r.bandwidth_bytes_per_s / r.peak_bandwidth_bytes_per_s;
  r.avg_latency_s = s.completed ? static_cast<double>(s.latency_sum) / static_cast<double>(s.completed) * set_.clock_period_s : 0;
  // p99 from the histogram: linear buckets, then powers of two (upper edge reported).
  const std::uint64_t target = (s.completed * 99 + 99) / 100;
  std::uint64_t seen = 0;
  double p99_cycles = 0;
  for (std::size_t i = 0; i < s.histogram.size(); ++i) {
    seen += s.histogram[i];
    if (seen >= target && target > 0) {
      p99_cycles = i < kLinearHistogram ? static_cast<double>(i) : std::ldexp(1.0, static_cast<int>(i - kLinearHistogram));
      break;
    }
  }
  r.p99_latency_s = p99_cycles * set_.clock_period_s;
  r.window_requests = window;
  r.littles_law_latency_s = r.elapsed_s > 0 && admitted > 0
                                ? static_cast<double>(window) / (static_cast<double>(admitted) / r.elapsed_s)
                                : 0;
  r.row_hit_rate = s.granules_done ? std::max(0.0, 1.0 - static_cast<double>(s.counts.act) / static_cast<double>(s.granules_done)) : 0;
  r.commands = s.counts;
  return r;
}

}  // namespace xpusim::memory
