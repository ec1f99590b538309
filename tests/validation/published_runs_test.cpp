#include <gtest/gtest.h>

#include "support/test_support.hpp"
#include "validation/llama3_suite.hpp"
#include "validation/nemo_h100_suite.hpp"

namespace xpusim::validation {
namespace {

const memory::TimingCatalog& timings() {
  static const auto t = memory::TimingCatalog::load(XPUSIM_SOURCE_DATA_DIR);
  return t;
}

TEST(PublishedRuns, Llama3HeldOutRowsWithinTolerance) {
  const auto suite = llama3_suite(test::catalog(), timings(), XPUSIM_SOURCE_DATA_DIR);
  ASSERT_EQ(suite.cases.size(), 3u);
  for (const auto& c : suite.cases) {
    EXPECT_FALSE(c.calibration);
    EXPECT_GT(c.predicted, 0.0) << c.description;
  }
  EXPECT_TRUE(suite.passed) << suite.failure;
}

TEST(PublishedRuns, NemoH100HeldOutRowsWithinTolerance) {
  const auto suite = nemo_h100_suite(test::catalog(), timings(), XPUSIM_SOURCE_DATA_DIR);
  ASSERT_EQ(suite.cases.size(), 3u);
  for (const auto& c : suite.cases) EXPECT_GT(c.predicted, 0.0) << c.description;
  EXPECT_TRUE(suite.passed) << suite.failure;
}

}  // namespace
}  // namespace xpusim::validation
