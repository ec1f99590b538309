#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fleet/valuation.hpp"
#include "hardware/fleet.hpp"
#include "hardware/overrides.hpp"
#include "planning/serving_value.hpp"
#include "scenario/session.hpp"

namespace xpusim::planning {

// `xpusim fleet value`: what an inventory is worth in H100-equivalents (three ways), its HBM,
// power and cost.
struct FleetValueRequest {
  std::filesystem::path inventory;
  std::vector<hardware::Override> overrides;  // --set, applied to every line after the line's own
  std::vector<std::string> models;            // --model: replace the reference training models
  std::string reference_system = "dgx-h100";  // what "one H100" is
};

// One inventory line valued.
struct LineValue {
  std::string system, hardware;  // hardware: "dgx-h200 with memory.stacks=8"
  long long gpus = 0;
  double peak_bf16_per_gpu = 0, training_per_gpu = 0;
  ServingMeasure serving;  // per GPU
  fleet::TrainingValue training;
  fleet::HbmContent hbm;
  fleet::LineCost cost;
  double price_per_gpu_usd = 0, power_per_gpu_w = 0;
  double effective_tokens_per_s_per_gpu = 0;  // of the first reference job (cost per token)
  std::vector<std::string> uncalibrated;     // calibration parameters on code defaults
};

// One labelled assumption: a path in the inventory or a default, its value and its source.
struct Assumption {
  std::string field, value, source;
};

struct FleetValue {
  std::string inventory, reference_system;
  std::vector<fleet::TrainingWorkload> training_workloads;
  std::vector<fleet::ServingWorkload> serving_workloads;
  std::vector<ServingGoodput> reference_serving;  // the reference system's, per serving workload
  std::vector<fleet::JobValue> reference_jobs;
  fleet::CostAssumptions costs;
  std::vector<LineValue> lines;
  std::vector<Assumption> assumptions;
  // Totals.
  long long gpus = 0;
  double peak_bf16 = 0, training = 0;
  std::optional<double> serving;
  std::string serving_reason;
  double it_power_w = 0, facility_power_w = 0, capex_usd = 0, depreciation_usd_per_year = 0,
         opex_usd_per_year = 0;
  // Over the lines with a known price (priced_gpus of gpus).
  std::optional<double> usd_per_million_training_tokens;
  long long priced_gpus = 0;
  std::map<std::string, fleet::HbmContent> hbm_by_generation, hbm_by_vendor;  // vendor "unknown" when not given
  fleet::HbmContent hbm_total;
};

// Contract: throws core::Error for bad input (the inventory file's errors name file:line and
// field; --set errors the override); an inventory of reference-system GPUs alone is worth exactly
// its GPU count by every measure that has a value.
FleetValue value_fleet(const scenario::Session& session, const FleetValueRequest& request);

// The cost assumptions of an inventory, its own where given, else labelled defaults.
fleet::CostAssumptions cost_assumptions(const hardware::Fleet& fleet);

}  // namespace xpusim::planning
