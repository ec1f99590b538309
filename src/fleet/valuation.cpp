#include "fleet/valuation.hpp"

#include <cmath>

namespace xpusim::fleet {

double job_effective_fraction(const ReliabilityData& data, const model::Architecture& arch,
                              const hardware::System& system, long long gpus, double tokens, double tokens_per_s) {
  const auto rates = rates_for_gpu(data, system.chip().memory().stacks());
  const auto job = make_job(data, rates, gpus, tokens / tokens_per_s, checkpoint_bytes(data, arch), 0);
  return expected_time(job).effective_fraction;
}

JobValue job_value(const ReliabilityData& data, const model::Architecture& arch,
                   const std::shared_ptr<const hardware::System>& system, const TrainingWorkload& job,
                   const LayoutFinder& best_layout) {
  JobValue v;
  v.workload = job.name;
  v.model = job.model;
  const auto step = best_layout(arch, system, job);
  v.feasible = step.feasible;
  v.reason = step.reason;
  if (!step.feasible) return v;
  v.layout = step.layout;
  v.tokens_per_s_per_gpu = step.tokens_per_s / static_cast<double>(job.gpus);
  v.effective_fraction = job_effective_fraction(data, arch, *system, job.gpus, job.tokens, step.tokens_per_s);
  return v;
}

std::vector<JobValue> reference_job_values(const ReliabilityData& data, const std::vector<TrainingWorkload>& jobs,
                                           const std::shared_ptr<const hardware::System>& reference,
                                           const LayoutFinder& best_layout, const ModelLoader& load_model) {
  std::vector<JobValue> out;
  for (const auto& j : jobs) out.push_back(job_value(data, *load_model(j.model), reference, j, best_layout));
  return out;
}

TrainingValue training_value(const ReliabilityData& data, const std::vector<TrainingWorkload>& jobs,
                             const std::shared_ptr<const hardware::System>& system,
                             const std::vector<JobValue>& reference_jobs, const LayoutFinder& best_layout,
                             const ModelLoader& load_model) {
  TrainingValue tv;
  tv.reference_jobs = reference_jobs;
  double weighted = 0, weights = 0;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    auto v = job_value(data, *load_model(jobs[i].model), system, jobs[i], best_layout);
    const auto& ref = reference_jobs.at(i);
    const double ratio = v.feasible && ref.feasible
                             ? v.effective_tokens_per_s_per_gpu() / ref.effective_tokens_per_s_per_gpu()
                             : 0.0;
    weighted += jobs[i].weight * ratio;
    weights += jobs[i].weight;
    tv.jobs.push_back(std::move(v));
  }
  tv.per_gpu = weights > 0 ? weighted / weights : 0;
  return tv;
}

double peak_bf16_ratio(const hardware::System& system, const hardware::System& reference) {
  return system.chip().peak_flops_per_s(core::Dtype::kBf16) / reference.chip().peak_flops_per_s(core::Dtype::kBf16);
}

LineCost line_cost(long long gpus, double price_per_gpu_usd, double power_per_gpu_w, const CostAssumptions& a,
                   double effective_tokens_per_s_per_gpu) {
  constexpr double kHoursPerYear = 8760.0, kSecondsPerYear = 8760.0 * 3600.0;
  LineCost c;
  const double n = static_cast<double>(gpus);
  c.it_power_w = n * power_per_gpu_w;
  c.facility_power_w = c.it_power_w * a.pue;
  c.capex_usd = n * price_per_gpu_usd;
  c.depreciation_usd_per_year = c.capex_usd / a.depreciation_years;
  c.energy_kwh_per_year = c.facility_power_w / 1000.0 * kHoursPerYear * a.utilization;
  c.opex_usd_per_year = c.energy_kwh_per_year * a.usd_per_kwh;
  const double tokens_per_year = n * effective_tokens_per_s_per_gpu * kSecondsPerYear * a.utilization;
  if (tokens_per_year > 0 && price_per_gpu_usd > 0)
    c.usd_per_million_training_tokens = (c.depreciation_usd_per_year + c.opex_usd_per_year) / tokens_per_year * 1e6;
  return c;
}

HbmContent hbm_content(const hardware::System& system, long long gpus, const std::string& vendor) {
  const auto& m = system.chip().memory();
  const double n = static_cast<double>(gpus);
  return HbmContent{m.generation(), vendor, n * m.stacks(), n * m.capacity_bytes(), n * m.bandwidth_bytes_per_s()};
}

}  // namespace xpusim::fleet
