#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fleet/reliability_data.hpp"
#include "fleet/workloads.hpp"
#include "hardware/fleet.hpp"
#include "model/architecture.hpp"
#include "training/step_model.hpp"

namespace xpusim::fleet {

// The best layout of one job on one system: the upper layer binds it to its layout search
// (planning::best_training_layout) and the fleet suite to the built-in enumeration.
using LayoutFinder = std::function<training::StepResult(const model::Architecture& arch,
                                                        const std::shared_ptr<const hardware::System>& system,
                                                        const TrainingWorkload& job)>;
using ModelLoader = std::function<std::shared_ptr<const model::Architecture>(const std::string& name)>;

// One reference job on one system: its best layout's throughput and its effective training time.
struct JobValue {
  std::string workload, model;
  bool feasible = false;
  std::string reason;
  double tokens_per_s_per_gpu = 0;
  double effective_fraction = 0;  // of the whole token budget at the job's GPU count
  training::Layout layout;
  double effective_tokens_per_s_per_gpu() const { return tokens_per_s_per_gpu * effective_fraction; }
};

// The `training` measure of one GPU of `system`: for each reference job, effective tokens/s per
// GPU (best layout x effective training time fraction) divided by the H100 reference system's,
// averaged with the jobs' weights; a job that does not fit counts 0.
// Contract: the reference system is worth exactly 1 (every ratio is x / x).
struct TrainingValue {
  double per_gpu = 0;  // H100-equivalents per GPU
  std::vector<JobValue> jobs, reference_jobs;
};

// Effective training time of `job` on `system` at the job's GPU count, with the system's HBM
// stacks scaling the HBM failure rate.
double job_effective_fraction(const ReliabilityData& data, const model::Architecture& arch,
                              const hardware::System& system, long long gpus, double tokens, double tokens_per_s);

JobValue job_value(const ReliabilityData& data, const model::Architecture& arch,
                   const std::shared_ptr<const hardware::System>& system, const TrainingWorkload& job,
                   const LayoutFinder& best_layout);

TrainingValue training_value(const ReliabilityData& data, const std::vector<TrainingWorkload>& jobs,
                             const std::shared_ptr<const hardware::System>& system,
                             const std::vector<JobValue>& reference_jobs, const LayoutFinder& best_layout,
                             const ModelLoader& load_model);
std::vector<JobValue> reference_job_values(const ReliabilityData& data, const std::vector<TrainingWorkload>& jobs,
                                           const std::shared_ptr<const hardware::System>& reference,
                                           const LayoutFinder& best_layout, const ModelLoader& load_model);

// `peak_bf16`: dense bf16 peak FLOP/s of the system's chip divided by the reference chip's.
double peak_bf16_ratio(const hardware::System& system, const hardware::System& reference);

// The facility and money assumptions of a valuation, each with where it came from.
struct CostAssumptions {
  double pue = 1;
  double usd_per_kwh = 0;
  double depreciation_years = 1;
  double utilization = 1;  // share of the year the fleet draws its power and trains
  std::string pue_source, electricity_source, depreciation_source, utilization_source;
};

// HBM a line carries (per GPU x gpus).
struct HbmContent {
  std::string generation, vendor;  // vendor empty when unknown
  double stacks = 0, bytes = 0, bandwidth_bytes_per_s = 0;
};

// The money and power arithmetic of one inventory line (tested on its own).
struct LineCost {
  double it_power_w = 0, facility_power_w = 0;
  double capex_usd = 0, depreciation_usd_per_year = 0, opex_usd_per_year = 0;  // opex: electricity
  double energy_kwh_per_year = 0;
  // (depreciation + opex) per million effective training tokens; nullopt when the throughput or
  // the price is unknown (0).
  std::optional<double> usd_per_million_training_tokens;
};
LineCost line_cost(long long gpus, double price_per_gpu_usd, double power_per_gpu_w, const CostAssumptions& a,
                   double effective_tokens_per_s_per_gpu);

HbmContent hbm_content(const hardware::System& system, long long gpus, const std::string& vendor);

}  // namespace xpusim::fleet
