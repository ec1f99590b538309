#include <gtest/gtest.h>

#include "support/test_support.hpp"
#include "training/published_runs.hpp"

namespace xpusim::training {
namespace {

TEST(PublishedRuns, Llama3HeldOutRowsWithinTolerance) {
  const auto suite = llama3_suite(test::catalog(), XPUSIM_SOURCE_DATA_DIR);
  ASSERT_EQ(suite.cases.size(), 3u);
  for (const auto& c : suite.cases) {
    EXPECT_FALSE(c.calibration);
    EXPECT_GT(c.predicted, 0.0) << c.description;
  }
  EXPECT_TRUE(suite.passed) << suite.failure;
}

TEST(PublishedRuns, NemoH100HeldOutRowsWithinTolerance) {
  const auto suite = nemo_h100_suite(test::catalog(), XPUSIM_SOURCE_DATA_DIR);
  ASSERT_EQ(suite.cases.size(), 3u);
  for (const auto& c : suite.cases) EXPECT_GT(c.predicted, 0.0) << c.description;
  EXPECT_TRUE(suite.passed) << suite.failure;
}

}  // namespace
}  // namespace xpusim::training
