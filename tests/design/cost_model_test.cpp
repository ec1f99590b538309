#include "design/cost_model.hpp"

#include <gtest/gtest.h>

#include "design/design_fixtures.hpp"

#include <cmath>
#include <numbers>

#include "core/error.hpp"
#include "scenario/session.hpp"
#include "support/test_support.hpp"

namespace xpusim::design {
namespace {

using test::coefficients;
using test::session;

std::shared_ptr<const hardware::Chip> chip(const std::string& name, std::vector<hardware::Override> o = {}) {
  return session().chip(name, "--chip", o);
}

TEST(DesignCost, TheH100DecompositionAddsUpToItsDieAndItsPowerToItsTdp) {
  const auto c = estimate_cost(*chip("h100-sxm5-80gb"), coefficients());
  ASSERT_TRUE(c.feasible) << c.reason;
  // The area terms were split out of GH100's published 814 mm2 (NVIDIA). The model counts the PHYs
  // of the five enabled stacks and L2 at the enabled share; the die carries six PHYs and 60 MB,
  // so it comes out about 3% under.
  EXPECT_NEAR(c.die_area_mm2, 814, 814 * 0.04);
  EXPECT_LT(c.die_area_mm2, 814);
  EXPECT_DOUBLE_EQ(c.die_area_mm2, 150 + c.compute_area_mm2 + c.sram_area_mm2 + c.phy_area_mm2);
  // Full-load power against the 700 W TDP the energy per FLOP was derived from.
  EXPECT_NEAR(c.power_w, 700, 700 * 0.03);
  EXPECT_FALSE(c.power_capped);
  EXPECT_FALSE(c.estimates.empty());
}

TEST(DesignCost, DieCostIsTheWaferOverItsGoodDies) {
  const auto c = estimate_cost(*chip("h100-sxm5-80gb"), coefficients());
  const double a = c.die_area_mm2, d = 300;
  const double gross = std::numbers::pi * d * d / (4 * a) - std::numbers::pi * d / std::sqrt(2 * a);
  EXPECT_NEAR(c.dies_per_wafer, gross, 1e-9);
  EXPECT_NEAR(c.die_cost_usd, 16988 / (gross * c.die_yield), 1e-6);
  EXPECT_NEAR(c.cost_usd, c.die_cost_usd + c.hbm_cost_usd + c.package_cost_usd + c.test_assembly_usd, 1e-9);
  // 80 GB of HBM3 at the BOM's price per GB; the analyst BOM gives ~300 USD for the logic die
  // (not fitted: the die figure comes from the wafer price, defect density and spares alone).
  EXPECT_NEAR(c.hbm_cost_usd, 80 * 16.9, 1e-6);
  EXPECT_GT(c.die_cost_usd, 200);
  EXPECT_LT(c.die_cost_usd, 500);
}

TEST(DesignCost, SpareUnitsRaiseYieldAndMoreStacksCostAndDrawMore) {
  const auto base = estimate_cost(*chip("h100-sxm5-80gb"), coefficients());
  auto no_spares = coefficients();
  no_spares.spare_unit_fraction = 1e-9;
  const auto strict = estimate_cost(*chip("h100-sxm5-80gb"), no_spares);
  EXPECT_GT(base.die_yield, strict.die_yield);
  const auto six = estimate_cost(*chip("h100-sxm5-80gb", {{"memory.stacks", "6"}}), coefficients());
  EXPECT_GT(six.hbm_cost_usd, base.hbm_cost_usd);
  EXPECT_GT(six.hbm_power_w, base.hbm_power_w);
  EXPECT_GT(six.phy_area_mm2, base.phy_area_mm2);
  const auto e = estimate_cost(*chip("h100-sxm5-80gb", {{"memory.generation", "hbm3e"}}), coefficients());
  EXPECT_GT(e.hbm_cost_usd, base.hbm_cost_usd);  // HBM3E costs more per GB
}

TEST(DesignCost, MoreTensorThroughputPerUnitGrowsTheDieUntilItPassesTheReticle) {
  const auto base = estimate_cost(*chip("h100-sxm5-80gb"), coefficients());
  const auto big = estimate_cost(*chip("h100-sxm5-80gb", {{"peak_flops_per_s.bf16", "1300 TFLOP/s"}}), coefficients());
  EXPECT_GT(big.compute_area_mm2, base.compute_area_mm2 * 1.25);
  EXPECT_FALSE(big.feasible);
  EXPECT_NE(big.reason.find("reticle"), std::string::npos) << big.reason;
  EXPECT_GT(big.compute_power_w, base.compute_power_w);
}

TEST(DesignCost, AGenerationWithoutCoefficientsIsNamed) {
  auto k = coefficients();
  k.hbm.erase("hbm3");
  try {
    estimate_cost(*chip("h100-sxm5-80gb"), k);
    FAIL() << "expected an error";
  } catch (const core::Error& e) {
    EXPECT_EQ(e.field(), "memory.generation");
    EXPECT_EQ(e.value(), "hbm3");
    EXPECT_NE(e.expected().find("hbm3e"), std::string::npos);
  }
}

TEST(DesignCost, ABadCoefficientFileNamesTheLineAndKey) {
  const auto path = xpusim::test::write_temp_file("cost.yaml", "kind: design_cost_model\nnode: x\nwafer_price_usd: lots\n");
  try {
    CostCoefficients::load(path);
    FAIL() << "expected an error";
  } catch (const core::Error& e) {
    EXPECT_NE(std::string(e.what()).find("cost.yaml:3"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace xpusim::design
