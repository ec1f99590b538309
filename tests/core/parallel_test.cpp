#include <gtest/gtest.h>

#include <atomic>
#include <vector>

#include "core/parallel.hpp"

namespace xpusim::core {
namespace {

TEST(ParallelFor, VisitsEveryIndexExactlyOnce) {
  const std::size_t n = 10000;
  std::vector<std::atomic<int>> hits(n);
  parallel_for(n, [&](std::size_t i) { hits[i].fetch_add(1); });
  for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(hits[i].load(), 1) << i;
}

TEST(ParallelFor, ProgressIsMonotoneAndEndsAtTotal) {
  const std::size_t n = 5000;
  std::vector<std::size_t> seen;
  parallel_for(n, [](std::size_t) {}, [&](std::size_t done, std::size_t total) {
    EXPECT_EQ(total, n);
    seen.push_back(done);  // called from one thread at a time (contract)
  });
  ASSERT_FALSE(seen.empty());
  for (std::size_t i = 1; i < seen.size(); ++i) EXPECT_GT(seen[i], seen[i - 1]);
  EXPECT_EQ(seen.back(), n);
}

TEST(ParallelFor, SingleThreadAndEmptyRange) {
  std::atomic<std::size_t> sum{0};
  parallel_for(100, [&](std::size_t i) { sum += i; }, {}, 1);
  EXPECT_EQ(sum.load(), 4950u);
  bool called = false;
  parallel_for(0, [&](std::size_t) { called = true; });
  EXPECT_FALSE(called);
}

}  // namespace
}  // namespace xpusim::core
