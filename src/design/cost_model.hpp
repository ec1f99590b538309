#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "hardware/chip.hpp"
#include "hardware/sourced.hpp"

namespace xpusim::design {

// Per-generation HBM figures.
struct HbmCoefficients {
  double cost_per_gb_usd = 0, energy_pj_per_bit = 0, stack_footprint_mm2 = 0;
};

// The coefficients of data/design/cost_model.yaml, each with its source (`sources`, keyed by
// the file's dotted path) and whether it is an estimate.
struct CostCoefficients {
  std::string node;
  double wafer_price_usd = 0, wafer_diameter_mm = 0, defect_density_per_cm2 = 0, reticle_limit_mm2 = 0;
  double reference_flops_per_unit_per_clock = 0, area_per_unit_mm2 = 0, sram_area_per_mb_mm2 = 0;
  double hbm_phy_area_mm2 = 0, fixed_area_mm2 = 0, spare_unit_fraction = 0;
  double static_power_w = 0, energy_per_bf16_flop_pj = 0;
  double package_cost_per_mm2_usd = 0, test_assembly_usd = 0;
  std::map<std::string, HbmCoefficients> hbm;  // by generation ("hbm3")
  hardware::SourceMap sources;

  // Throws core::Error naming file:line and the key for a missing or bad coefficient.
  static CostCoefficients load(const std::filesystem::path& file);
  // The coefficients whose source starts with "estimate", by dotted path.
  std::vector<std::string> estimates() const;
};

// What a design point is estimated to be made of, draw and cost to build.
struct DesignCost {
  bool feasible = true;
  std::string reason;  // e.g. the die exceeds the reticle
  double die_area_mm2 = 0, compute_area_mm2 = 0, sram_area_mm2 = 0, phy_area_mm2 = 0;
  double dies_per_wafer = 0, die_yield = 0, die_cost_usd = 0;
  double hbm_cost_usd = 0, package_cost_usd = 0, test_assembly_usd = 0, cost_usd = 0;
  double compute_power_w = 0, hbm_power_w = 0, static_power_w = 0, power_w = 0;
  // Full-load power above the spec's TDP: the chip would run power-capped at tdp / power_w.
  bool power_capped = false;
  std::vector<std::string> estimates;  // coefficients the figures rest on that are estimates
};

// Area, power at full tensor and HBM load, and manufacturing cost (die, HBM, package, test; no
// margin) of a chip (a catalog chip or a derived design point). Compute units on the full die are the enabled ones plus the spare
// fraction; a die is good when no defect falls outside the unit array and at most the spares'
// worth fall inside it (Poisson defects). Contract: pure; never throws for a valid spec; a die
// over the reticle is `feasible: false` with the reason; an HBM generation with no coefficients
// throws core::Error naming it.
DesignCost estimate_cost(const hardware::Chip& chip, const CostCoefficients& k);

}  // namespace xpusim::design
