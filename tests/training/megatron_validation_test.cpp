#include <gtest/gtest.h>

#include <cmath>

#include "support/test_support.hpp"
#include "training/megatron_validation.hpp"

namespace xpusim::training {
namespace {

const std::filesystem::path kData = XPUSIM_SOURCE_DATA_DIR;

TEST(Megatron2021, TableHasTenRows) {
  const auto rows = load_megatron2021_table(kData / "validation" / "megatron2021_table1.csv");
  ASSERT_EQ(rows.size(), 10u);
  EXPECT_EQ(rows.front().id, "M21-1");
  EXPECT_EQ(rows.back().gpus, 3072);
  EXPECT_DOUBLE_EQ(rows.back().published_tflops, 163);
}

TEST(Megatron2021, PaperFormulaReproducesAggregateThroughput) {
  // The 1T row: 502 PFLOP/s aggregate at 163 TFLOP/s per GPU on 3072 GPUs.
  const auto rows = load_megatron2021_table(kData / "validation" / "megatron2021_table1.csv");
  const auto& r = rows.back();
  const double F = megatron_flops_per_iteration(r);
  EXPECT_NEAR(F / 1e21, 96.0 * 3072 * 2048 * 128 * 25600.0 * 25600 *
                            (1 + 2048 / (6.0 * 25600) + 51200 / (16.0 * 128 * 25600)) / 1e21, 1e-9);
}

TEST(Megatron2021, MissingFileIsAnError) {
  EXPECT_THROW(load_megatron2021_table("/nonexistent/megatron.csv"), core::Error);
}

TEST(Megatron2021, SuiteMeetsItsTolerance) {
  const auto suite = megatron2021_suite(test::catalog(), kData);
  ASSERT_EQ(suite.cases.size(), 10u);
  for (const auto& c : suite.cases) {
    EXPECT_FALSE(c.calibration) << c.id;
    EXPECT_LE(std::fabs(c.signed_error()), 0.10) << c.id << " " << c.description << " predicted " << c.predicted;
  }
  EXPECT_LE(suite.mean_abs_error(), 0.05);
  EXPECT_TRUE(suite.passed) << suite.failure;
}

}  // namespace
}  // namespace xpusim::training
