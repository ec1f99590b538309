#include <gtest/gtest.h>

#include "support/test_support.hpp"
#include "validation/collectives_suite.hpp"

namespace xpusim::validation {
namespace {

TEST(CollectivesSuite, HeldOutH200RowsWithinTolerance) {
  const auto suite = collectives_suite(test::catalog(), XPUSIM_SOURCE_DATA_DIR);
  int held = 0;
  for (const auto& c : suite.cases) held += c.calibration ? 0 : 1;
  EXPECT_EQ(held, 9);
  EXPECT_LE(suite.median_abs_error(), 0.15);
  EXPECT_TRUE(suite.passed) << suite.failure;
}

}  // namespace
}  // namespace xpusim::validation
