#include <gtest/gtest.h>

#include <algorithm>

#include "training/schedule.hpp"

namespace xpusim::training {
namespace {

double makespan(const std::vector<ScheduleEvent>& ev) {
  double end = 0;
  for (const auto& e : ev) end = std::max(end, e.start_s + e.duration_s);
  return end;
}

std::vector<StageTime> equal_stages(int p, double f, double b) {
  std::vector<StageTime> s(static_cast<std::size_t>(p));
  for (auto& st : s) {
    st.fwd_s = f;
    st.bwd_s = b;
  }
  return s;
}

TEST(Schedule, OneFOneBMakespanIsMicrobatchesPlusBubble) {
  const int p = 4;
  const long long m = 8;
  const auto ev = simulate_pipeline(p, 1, m, equal_stages(p, 1.0, 2.0), 0.0);
  EXPECT_EQ(ev.size(), static_cast<std::size_t>(2 * p * m));
  EXPECT_DOUBLE_EQ(makespan(ev), (m + p - 1) * 3.0);  // (m + p - 1)(t_f + t_b)
}

TEST(Schedule, InterleavingShrinksTheBubble) {
  const int p = 4;
  const long long m = 8;
  const auto plain = simulate_pipeline(p, 1, m, equal_stages(p, 1.0, 2.0), 0.0);
  const auto inter = simulate_pipeline(p, 2, m, equal_stages(p, 1.0, 2.0), 0.0);
  EXPECT_EQ(inter.size(), static_cast<std::size_t>(2 * p * m * 2));
  EXPECT_LT(makespan(inter), makespan(plain));
  EXPECT_GE(makespan(inter), m * 3.0 + (p - 1) * 3.0 / 2 - 1e-9);  // ideal (p-1)/v bubble at best
}

TEST(Schedule, EventsOfAStageDoNotOverlap) {
  const auto ev = simulate_pipeline(4, 2, 8, equal_stages(4, 1.0, 2.0), 0.1);
  for (int s = 0; s < 4; ++s) {
    std::vector<ScheduleEvent> mine;
    for (const auto& e : ev)
      if (e.stage == s) mine.push_back(e);
    std::sort(mine.begin(), mine.end(), [](auto& a, auto& b) { return a.start_s < b.start_s; });
    for (std::size_t i = 1; i < mine.size(); ++i)
      EXPECT_GE(mine[i].start_s + 1e-12, mine[i - 1].start_s + mine[i - 1].duration_s);
  }
}

}  // namespace
}  // namespace xpusim::training
