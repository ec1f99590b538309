#include "planning/fleet_value.hpp"

#include <fmt/format.h>

#include "core/error.hpp"
#include "scenario/evaluate.hpp"
#include "planning/fleet_run.hpp"
#include "planning/training_layout.hpp"

namespace xpusim::planning {

fleet::CostAssumptions cost_assumptions(const hardware::Fleet& f) {
  fleet::CostAssumptions a;
  const auto source_of = [&](const std::string& key, const std::string& fallback) {
    auto it = f.sources().find(key);
    return it != f.sources().end() ? it->second : fallback;
  };
  a.pue = f.pue().value_or(1.58);
  a.pue_source = f.pue() ? source_of("pue", "inventory file")
                         : "default: industry-average PUE 1.58, Uptime Institute 2023 survey (power_pue_uptime_2023)";
  a.usd_per_kwh = f.electricity_usd_per_kwh().value_or(0.0806);
  a.electricity_source = f.electricity_usd_per_kwh()
                             ? source_of("electricity_usd_per_kwh", "inventory file")
                             : "default: US industrial average 8.06 US cents/kWh in 2023, EIA via Statista "
                               "(power_eia_industrial_2023_us)";
  a.depreciation_years = f.depreciation_years().value_or(5.0);
  a.depreciation_source = f.depreciation_years()
                              ? source_of("depreciation_years", "inventory file")
                              : "default: 5-year server life, Meta 10-K FY2022 (cost_depr_meta_2022)";
  a.utilization = 1.0;
  a.utilization_source = "assumption: the fleet trains and draws its nameplate power all year";
  return a;
}

namespace {

void add(fleet::HbmContent& into, const fleet::HbmContent& x) {
  into.stacks += x.stacks;
  into.bytes += x.bytes;
  into.bandwidth_bytes_per_s += x.bandwidth_bytes_per_s;
}

std::string fmt_num(double v) { return fmt::format("{:.6g}", v); }

}  // namespace

FleetValue value_fleet(const scenario::Session& session, const FleetValueRequest& req) {
  const auto& catalog = session.catalog();
  if (!std::filesystem::is_regular_file(req.inventory))
    throw core::Error::flag("--inventory", req.inventory.string(), "an existing inventory YAML file");
  const hardware::Fleet inventory = catalog.fleet(req.inventory);
  FleetValue v;
  v.inventory = inventory.name();
  v.reference_system = req.reference_system;
  const auto workloads = fleet::with_models(
      fleet::load_reference_workloads(session.data_dir() / "fleets" / "reference_workloads.yaml"), req.models);
  v.training_workloads = workloads.training;
  v.serving_workloads = workloads.serving;
  v.costs = cost_assumptions(inventory);
  const auto data = reliability_data(session);
  const auto reference = session.system(req.reference_system, "--reference");
  const fleet::LayoutFinder finder = [&session](const model::Architecture&,
                                                const std::shared_ptr<const hardware::System>& system,
                                                const fleet::TrainingWorkload& job) {
    return best_training_layout(session, session.architecture(job.model), system, job.gpus, job.seq_len,
                                job.global_batch);
  };
  const fleet::ModelLoader loader = [&session](const std::string& name) {
    try {
      return session.architecture(name);
    } catch (const core::Error& e) {
      throw core::Error::flag("--model", name, e.expected().empty() ? "a shipped model or config.json" : e.expected());
    }
  };
  v.reference_jobs = fleet::reference_job_values(data, v.training_workloads, reference, finder, loader);
  for (const auto& w : v.serving_workloads) {
    loader(w.model);  // a bad model name is a --model error before any work
    v.reference_serving.push_back(serving_goodput(session, reference, w));
  }

  v.assumptions.push_back({"pue", fmt_num(v.costs.pue), v.costs.pue_source});
  v.assumptions.push_back({"electricity_usd_per_kwh", fmt_num(v.costs.usd_per_kwh), v.costs.electricity_source});
  v.assumptions.push_back({"depreciation_years", fmt_num(v.costs.depreciation_years), v.costs.depreciation_source});
  v.assumptions.push_back({"utilization", fmt_num(v.costs.utilization), v.costs.utilization_source});

  double tokens_per_year_weighted = 0, priced_cost = 0;
  bool all_serving = true;
  for (std::size_t i = 0; i < inventory.entries().size(); ++i) {
    const auto& e = inventory.entries()[i];
    auto overrides = e.overrides;
    overrides.insert(overrides.end(), req.overrides.begin(), req.overrides.end());
    std::shared_ptr<const hardware::System> system;
    try {
      system = hardware::apply_overrides(e.system, overrides, session.schema());
    } catch (const core::Error& err) {
      throw core::Error(e.where + ": systems[" + std::to_string(i) + "].set: " + err.what());
    }
    LineValue line;
    line.system = e.system->name();
    line.hardware = system->label();
    line.gpus = e.gpus;
    line.uncalibrated = scenario::uncalibrated_parameters(*system);
    line.price_per_gpu_usd = e.price_per_gpu_usd;
    line.power_per_gpu_w = e.power_per_gpu_w;
    line.peak_bf16_per_gpu = fleet::peak_bf16_ratio(*system, *reference);
    line.training = fleet::training_value(data, v.training_workloads, system, v.reference_jobs, finder, loader);
    line.training_per_gpu = line.training.per_gpu;
    line.serving = serving_h100_equivalents(session, system, v.reference_serving, v.serving_workloads);
    line.hbm = fleet::hbm_content(*system, e.gpus, e.hbm_vendor);
    line.effective_tokens_per_s_per_gpu =
        line.training.jobs.empty() ? 0.0 : line.training.jobs.front().effective_tokens_per_s_per_gpu();
    line.cost = fleet::line_cost(e.gpus, e.price_per_gpu_usd, e.power_per_gpu_w, v.costs,
                                 line.effective_tokens_per_s_per_gpu);
    const std::string at = "systems[" + std::to_string(i) + "]";
    for (const auto& [path, source] : inventory.sources())
      if (path.rfind(at + ".", 0) == 0) {
        std::string value;
        if (path == at + ".price_per_gpu" || path == at + ".price_per_node") value = fmt_num(e.price_per_gpu_usd) + " USD/GPU";
        if (path == at + ".power_per_gpu" || path == at + ".power_per_node") value = fmt_num(e.power_per_gpu_w) + " W/GPU";
        if (path == at + ".gpus" || path == at + ".nodes") value = std::to_string(e.gpus) + " GPUs";
        if (path == at + ".hbm_vendor") value = e.hbm_vendor;
        v.assumptions.push_back({path, value, source});
      }
    if (e.price_per_gpu_usd <= 0)
      v.assumptions.push_back({at + ".price_per_gpu", "0", "unknown: no price in the inventory or the catalog"});
    // Totals.
    const double n = static_cast<double>(e.gpus);
    v.gpus += e.gpus;
    v.peak_bf16 += n * line.peak_bf16_per_gpu;
    v.training += n * line.training_per_gpu;
    if (line.serving.per_gpu) {
      v.serving = v.serving.value_or(0) + n * *line.serving.per_gpu;
    } else {
      all_serving = false;
      v.serving_reason = line.serving.reason;
    }
    v.it_power_w += line.cost.it_power_w;
    v.facility_power_w += line.cost.facility_power_w;
    v.capex_usd += line.cost.capex_usd;
    v.depreciation_usd_per_year += line.cost.depreciation_usd_per_year;
    v.opex_usd_per_year += line.cost.opex_usd_per_year;
    if (line.cost.usd_per_million_training_tokens) {  // lines of unknown price stay out of the total
      tokens_per_year_weighted += n * line.effective_tokens_per_s_per_gpu * 8760.0 * 3600.0 * v.costs.utilization;
      priced_cost += line.cost.depreciation_usd_per_year + line.cost.opex_usd_per_year;
      v.priced_gpus += e.gpus;
    }
    add(v.hbm_by_generation[line.hbm.generation], line.hbm);
    add(v.hbm_by_vendor[line.hbm.vendor.empty() ? "unknown" : line.hbm.vendor], line.hbm);
    add(v.hbm_total, line.hbm);
    v.lines.push_back(std::move(line));
  }
  if (!all_serving) v.serving.reset();
  if (tokens_per_year_weighted > 0)
    v.usd_per_million_training_tokens = priced_cost / tokens_per_year_weighted * 1e6;
  for (auto& [gen, h] : v.hbm_by_generation) h.generation = gen;
  for (auto& [vendor, h] : v.hbm_by_vendor) h.vendor = vendor;
  return v;
}

}  // namespace xpusim::planning
