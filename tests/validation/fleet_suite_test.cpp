#include <gtest/gtest.h>

#include <cmath>

#include "fleet/reliability_data.hpp"
#include "memory/timing_set.hpp"
#include "support/test_support.hpp"
#include "validation/fleet_suite.hpp"

namespace xpusim::validation {
namespace {

const std::string kData = XPUSIM_SOURCE_DATA_DIR;

TEST(FleetSuite, HeldOutStudyWithinFifteenPercentAndLlama3Bound) {
  const auto timings = memory::TimingCatalog::load(kData);
  const auto s = fleet_suite(test::catalog(), timings, kData);
  EXPECT_TRUE(s.passed) << s.failure;
  int held_out_reliability = 0;
  for (const auto& c : s.cases) {
    if (c.id.rfind("rel_rsc", 0) == 0 && !c.calibration) {
      ++held_out_reliability;
      EXPECT_LE(std::fabs(c.signed_error()), 0.15) << c.id;
    }
    if (c.calibration) {
      EXPECT_NEAR(c.signed_error(), 0, 1e-9) << c.id;  // fitted rows are reproduced
    }
    if (c.id == "rel_llama3_ett") {
      EXPECT_GE(c.predicted, 0.90);
      EXPECT_LT(c.predicted, 1.0);
    }
  }
  EXPECT_EQ(held_out_reliability, 2);
  // It says plainly whether any definition reproduces the announced 600,000.
  EXPECT_NE(s.description.find("600,000"), std::string::npos);
  EXPECT_NE(s.description.find("no definition reproduces it"), std::string::npos) << s.description;
}

TEST(FleetSuite, ShippedRestartIsTheFit) {
  const auto d = fleet::load_reliability(kData + "/fleets/reliability.yaml");
  const double fit = fit_restart_s(0.70, 16000, 6.50e-3, 3600);
  EXPECT_NEAR(d.restart_s / fit, 1.0, 0.01) << "refit: restart = " << fit << " s";
}

}  // namespace
}  // namespace xpusim::validation
