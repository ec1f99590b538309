#include "design/cost_model.hpp"

#include <cmath>
#include <numbers>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/suggest.hpp"

namespace xpusim::design {
namespace {

double positive(const core::ConfigNode& parent, std::string_view key, hardware::SourceMap& sources,
                const std::string& prefix = "") {
  hardware::SourceMap local;
  const double v = hardware::read_sourced_positive(parent.at(key), core::Dimension::kDimensionless, local);
  for (auto& [k, s] : local) sources[prefix + k] = s;
  if (local.empty()) sources[prefix + std::string(key)] = "";
  return v;
}

}  // namespace

CostCoefficients CostCoefficients::load(const std::filesystem::path& file) {
  const auto root = core::ConfigNode::load_file(file);
  root.expect_keys({"kind", "node", "wafer_price_usd", "wafer_diameter_mm", "defect_density_per_cm2",
                    "reticle_limit_mm2", "reference_flops_per_unit_per_clock", "area_per_unit_mm2",
                    "sram_area_per_mb_mm2", "hbm_phy_area_mm2", "fixed_area_mm2", "spare_unit_fraction",
                    "static_power_w", "energy_per_bf16_flop_pj", "package_cost_per_mm2_usd", "test_assembly_usd",
                    "hbm"});
  if (root.at("kind").as_string() != "design_cost_model") throw root.at("kind").error("design_cost_model");
  CostCoefficients k;
  auto& s = k.sources;
  k.node = root.at("node").as_string();
  k.wafer_price_usd = positive(root, "wafer_price_usd", s);
  k.wafer_diameter_mm = positive(root, "wafer_diameter_mm", s);
  k.defect_density_per_cm2 = positive(root, "defect_density_per_cm2", s);
  k.reticle_limit_mm2 = positive(root, "reticle_limit_mm2", s);
  k.reference_flops_per_unit_per_clock = positive(root, "reference_flops_per_unit_per_clock", s);
  k.area_per_unit_mm2 = positive(root, "area_per_unit_mm2", s);
  k.sram_area_per_mb_mm2 = positive(root, "sram_area_per_mb_mm2", s);
  k.hbm_phy_area_mm2 = positive(root, "hbm_phy_area_mm2", s);
  k.fixed_area_mm2 = positive(root, "fixed_area_mm2", s);
  k.spare_unit_fraction = positive(root, "spare_unit_fraction", s);
  if (k.spare_unit_fraction >= 1) throw root.at("spare_unit_fraction").error("a fraction below 1");
  k.static_power_w = positive(root, "static_power_w", s);
  k.energy_per_bf16_flop_pj = positive(root, "energy_per_bf16_flop_pj", s);
  k.package_cost_per_mm2_usd = positive(root, "package_cost_per_mm2_usd", s);
  k.test_assembly_usd = positive(root, "test_assembly_usd", s);
  const auto hbm = root.at("hbm");
  if (!hbm.is_map()) throw hbm.error("a mapping of HBM generations");
  for (const auto& gen : hbm.keys()) {
    const auto g = hbm.at(gen);
    g.expect_keys({"cost_per_gb_usd", "energy_pj_per_bit", "stack_footprint_mm2"});
    const std::string p = "hbm." + gen + ".";
    k.hbm[gen] = HbmCoefficients{positive(g, "cost_per_gb_usd", s, p), positive(g, "energy_pj_per_bit", s, p),
                                 positive(g, "stack_footprint_mm2", s, p)};
  }
  return k;
}

std::vector<std::string> CostCoefficients::estimates() const {
  std::vector<std::string> out;
  for (const auto& [path, source] : sources)
    if (source.empty() || source.rfind("estimate", 0) == 0) out.push_back(path);
  return out;
}

DesignCost estimate_cost(const hardware::Chip& part, const CostCoefficients& k) {
  DesignCost c;
  const hardware::ChipSpec& chip = part.spec();
  const hardware::MemorySystem& mem = part.memory();
  const std::string& gen = mem.generation();
  const auto hbm_it = k.hbm.find(gen);
  if (hbm_it == k.hbm.end()) {
    std::vector<std::string> known;
    for (const auto& [g, _] : k.hbm) known.push_back(g);
    throw core::Error(core::SourceLocation{}, "memory.generation", gen,
                      "a generation with cost coefficients (" + core::expected_one_of(known) + ")");
  }
  const HbmCoefficients& h = hbm_it->second;
  const int stacks = mem.stacks();
  const double bf16 = chip.peak_flops_per_s[static_cast<std::size_t>(core::Dtype::kBf16)];

  // Area: the full die carries the enabled units plus spares; a unit's area scales with its
  // tensor throughput per clock (wider tensor cores, same node).
  const double enabled = chip.compute_units;
  const double full_units = std::ceil(enabled / (1.0 - k.spare_unit_fraction));
  const double per_unit_per_clock = (chip.clock_hz > 0 && enabled > 0) ? bf16 / (enabled * chip.clock_hz) : 0;
  const double unit_area = k.area_per_unit_mm2 * per_unit_per_clock / k.reference_flops_per_unit_per_clock;
  c.compute_area_mm2 = full_units * unit_area;
  // The catalog gives enabled L2; the full die carries the same spare share.
  c.sram_area_mm2 = chip.l2_cache_bytes / 1e6 / (1.0 - k.spare_unit_fraction) * k.sram_area_per_mb_mm2;
  c.phy_area_mm2 = stacks * k.hbm_phy_area_mm2;
  c.die_area_mm2 = k.fixed_area_mm2 + c.compute_area_mm2 + c.sram_area_mm2 + c.phy_area_mm2;
  if (c.die_area_mm2 > k.reticle_limit_mm2) {
    c.feasible = false;
    c.reason = "die of " + std::to_string(static_cast<long long>(std::lround(c.die_area_mm2))) +
               " mm2 exceeds the " + std::to_string(static_cast<long long>(k.reticle_limit_mm2)) +
               " mm2 reticle (a monolithic die; split it into chiplets)";
  }

  // Dies per wafer (gross, edge loss included) and yield with spare units.
  const double d = k.wafer_diameter_mm, a = c.die_area_mm2;
  c.dies_per_wafer = std::max(0.0, std::numbers::pi * d * d / (4 * a) - std::numbers::pi * d / std::sqrt(2 * a));
  const double d0 = k.defect_density_per_cm2 / 100.0;  // per mm2
  const double lambda_units = d0 * c.compute_area_mm2;
  const int spares = static_cast<int>(full_units - enabled);
  double p_units = 0, term = std::exp(-lambda_units);
  for (int i = 0; i <= spares; ++i) {
    p_units += term;
    term *= lambda_units / (i + 1);
  }
  c.die_yield = std::exp(-d0 * (a - c.compute_area_mm2)) * std::min(1.0, p_units);
  const double good = c.dies_per_wafer * c.die_yield;
  c.die_cost_usd = good > 0 ? k.wafer_price_usd / good : 0;

  c.hbm_cost_usd = mem.capacity_bytes() / 1e9 * h.cost_per_gb_usd;
  c.package_cost_usd = (a + stacks * h.stack_footprint_mm2) * k.package_cost_per_mm2_usd;
  c.test_assembly_usd = k.test_assembly_usd;
  c.cost_usd = c.die_cost_usd + c.hbm_cost_usd + c.package_cost_usd + c.test_assembly_usd;

  c.static_power_w = k.static_power_w;
  c.compute_power_w = bf16 * k.energy_per_bf16_flop_pj * 1e-12;
  c.hbm_power_w = mem.bandwidth_bytes_per_s() * 8 * h.energy_pj_per_bit * 1e-12;
  c.power_w = c.static_power_w + c.compute_power_w + c.hbm_power_w;
  c.power_capped = chip.tdp_w > 0 && c.power_w > chip.tdp_w * 1.02;
  c.estimates = k.estimates();
  return c;
}

}  // namespace xpusim::design
