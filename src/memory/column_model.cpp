#include "memory/column_model.hpp"

#include <algorithm>
#include <array>
#include <bit>

namespace xpusim::memory {

double column_cycles_per_burst(std::span<const ColumnPiece> pieces, int queue_entries, const Timings& t,
                               int groups_per_sid) {
  const auto ccd = static_cast<std::int64_t>(std::max(t.nCCDS, t.nBL));
  if (pieces.empty()) return static_cast<double>(ccd);
  constexpr int kMaxGroups = 64;
  constexpr int kMaxSids = 8;
  constexpr int kMaxQueue = 256;
  const int queue = std::clamp(queue_entries, 1, kMaxQueue);
  const int per_sid = std::max(1, groups_per_sid);
  const auto group_of = [&](std::size_t piece) { return pieces[piece].group % kMaxGroups; };
  const auto sid_of = [&](int group) { return std::min(group / per_sid, kMaxSids - 1); };
  std::int64_t total = 0;
  int sids = 1;
  for (const auto& p : pieces) {
    total += std::max<int>(1, p.bursts);
    sids = std::max(sids, sid_of(p.group % kMaxGroups) + 1);
  }

  // Queued pieces (index into `pieces`, bursts left) in arrival order, and how many per group.
  std::array<std::uint32_t, kMaxQueue> active{};
  std::array<int, kMaxQueue> left{};
  std::array<int, kMaxGroups> queued{};
  std::uint64_t present = 0;  // groups with a queued piece
  int n = 0;
  std::size_t next = 0;
  const auto admit = [&] {
    for (; n < queue && next < pieces.size(); ++n, ++next) {
      active[static_cast<std::size_t>(n)] = static_cast<std::uint32_t>(next);
      left[static_cast<std::size_t>(n)] = std::max<int>(1, pieces[next].bursts);
      const int g = group_of(next);
      ++queued[static_cast<std::size_t>(g)];
      present |= 1ull << g;
    }
  };
  admit();

  constexpr std::int64_t kLong = -(1ll << 40);
  std::array<std::int64_t, kMaxGroups> group_last;  // last column command per bank group
  group_last.fill(kLong);
  std::array<std::int64_t, kMaxSids> sid_ready;  // tCCD_R after commands to the other SIDs
  sid_ready.fill(kLong);
  std::array<std::int64_t, kMaxGroups> ready{};
  std::int64_t last = kLong, issued = 0, start_time = 0, start_count = -1, now = 0;
  while (n > 0) {
    // All queued bursts of a group share their ready time: the earliest over the groups is when
    // the next command issues, and the oldest piece of a group ready then is the one served.
    std::int64_t best_time = -1;
    for (std::uint64_t m = present; m; m &= m - 1) {
      const int g = std::countr_zero(m);
      const std::int64_t r = std::max({now, last + ccd, group_last[static_cast<std::size_t>(g)] + t.nCCDL,
                                       sid_ready[static_cast<std::size_t>(sid_of(g))]});
      ready[static_cast<std::size_t>(g)] = r;
      if (best_time < 0 || r < best_time) best_time = r;
    }
    int best = 0;
    while (ready[static_cast<std::size_t>(group_of(active[static_cast<std::size_t>(best)]))] != best_time) ++best;
    const auto bi = static_cast<std::size_t>(best);
    const int g = group_of(active[bi]);
    now = last = best_time;
    group_last[static_cast<std::size_t>(g)] = now;
    const int sid = sid_of(g);
    for (int s = 0; s < sids; ++s)
      if (s != sid) sid_ready[static_cast<std::size_t>(s)] = std::max(sid_ready[static_cast<std::size_t>(s)], now + t.nCCDR);
    ++issued;
    if (start_count < 0 && issued * 2 > total) start_count = issued, start_time = now;
    if (--left[bi] == 0) {
      for (int i = best; i + 1 < n; ++i) {
        active[static_cast<std::size_t>(i)] = active[static_cast<std::size_t>(i) + 1];
        left[static_cast<std::size_t>(i)] = left[static_cast<std::size_t>(i) + 1];
      }
      --n;
      if (--queued[static_cast<std::size_t>(g)] == 0) present &= ~(1ull << g);
      admit();
    }
  }
  if (start_count < 0 || issued == start_count) return static_cast<double>(ccd);
  return static_cast<double>(now - start_time) / static_cast<double>(issued - start_count);
}

}  // namespace xpusim::memory
