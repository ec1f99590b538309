#include <gtest/gtest.h>

#include <cmath>

#include "support/test_support.hpp"
#include "validation/hbm_suite.hpp"

namespace xpusim::validation {
namespace {

const memory::TimingCatalog& timings() {
  static const auto t = memory::TimingCatalog::load(XPUSIM_SOURCE_DATA_DIR);
  return t;
}

TEST(HbmSuite, DeviceBoundsHeldAndGpuRowsWithinTolerance) {
  const auto suite = hbm_suite(test::catalog(), timings(), XPUSIM_SOURCE_DATA_DIR);
  EXPECT_TRUE(suite.passed) << suite.failure;
  int device = 0, estimates = 0, held_gpu = 0;
  for (const auto& c : suite.cases) {
    if (c.description.rfind("[device]", 0) == 0) {
      ++device;
      EXPECT_NEAR(c.predicted / c.published, 1.0, 0.05) << c.id;
      // Random reads: the derived ACT-rate bound is an upper bound of the simulation.
      if (c.id.find("random") != std::string::npos) {
        EXPECT_LE(c.predicted, c.published * 1.001) << c.id;
      }
      EXPECT_FALSE(c.calibration);
    } else if (!c.calibration) {
      ++held_gpu;
    }
    // Every case on an HBM2E / HBM3E timing set says that the set is a scaled estimate.
    const bool scaled = c.id.find("hbm2e") != std::string::npos || c.id.find("hbm3e") != std::string::npos;
    if (scaled) {
      ++estimates;
      EXPECT_NE(c.description.find("scaled estimate"), std::string::npos) << c.id;
    }
  }
  EXPECT_EQ(device, 7 * 4);  // every timing set x 4 patterns
  EXPECT_EQ(estimates, 5 * 4);
  EXPECT_EQ(held_gpu, 6);
  // The shared row bus caps HBM2 random reads at 2/3 of peak (less refresh), HBM3 hides it.
  for (const auto& c : suite.cases) {
    if (c.id == "device_hbm2-2000_random") {
      EXPECT_LE(c.predicted, 0.70);
    }
    if (c.id == "device_hbm3-6400_random") {
      EXPECT_GE(c.predicted, 0.60);
      EXPECT_LE(c.predicted, 0.66);
    }
  }
}

// The host access defaults the cost layer uses are the suite's fit, not numbers of their own.
TEST(HbmSuite, CodeDefaultsEqualTheFit) {
  const auto fit = fit_host_access(test::catalog(), timings(), XPUSIM_SOURCE_DATA_DIR);
  const auto code = memory::HostAccess::for_vendor("NVIDIA");
  EXPECT_NEAR(code.fabric_latency_s / fit.fabric_latency_s, 1.0, 0.01);
  EXPECT_NEAR(code.bytes_in_flight_per_unit / fit.bytes_in_flight_per_unit, 1.0, 0.02);
  EXPECT_NEAR(code.knee_exponent / fit.knee_exponent, 1.0, 0.02);
}

}  // namespace
}  // namespace xpusim::validation
