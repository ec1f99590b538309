#include "report/fleet_record.hpp"

#include "report/training_record.hpp"

namespace xpusim::report {

namespace {

Record layout_record(const training::Layout& l) {
  return Record{{"gpus", l.gpus},
                {"tp", l.tp},
                {"pp", l.pp},
                {"dp", l.dp},
                {"ep", l.ep},
                {"micro_batch", l.micro_batch},
                {"recompute", training::recompute_name(l.recompute)},
                {"seq_len", l.seq_len},
                {"global_batch", l.global_batch}};
}

Record optional_number(const std::optional<double>& v) { return v ? Record(*v) : Record(nullptr); }

Record hbm_record(const fleet::HbmContent& h, bool with_names) {
  Record r;
  if (with_names) {
    r["generation"] = h.generation;
    r["vendor"] = h.vendor.empty() ? Record(nullptr) : Record(h.vendor);
  }
  r["stacks"] = h.stacks;
  r["capacity_bytes"] = h.bytes;
  r["bandwidth_bytes_per_s"] = h.bandwidth_bytes_per_s;
  return r;
}

}  // namespace

Record fleet_run_record(const planning::FleetRunResult& res) {
  const auto& o = res.outcome;
  Record r;
  r["model"] = o.model;
  r["system"] = o.system;
  r["hardware"] = o.hardware;
  r["feasible"] = o.step.feasible;
  if (!o.step.feasible) {
    r["reason"] = o.step.reason;
    return r;
  }
  r["tokens"] = res.tokens;
  r["layout_source"] = res.layout_searched ? "best_training_layout" : "run spec";
  r["layout"] = layout_record(o.step.layout);
  r["tokens_per_s"] = o.step.tokens_per_s;
  r["mfu"] = o.step.mfu;
  const long long gpus = o.step.layout.gpus;
  Record rates;
  for (auto c : fleet::kComponents) rates[fleet::component_name(c)] = res.rates.component(c, gpus) * 86400.0;
  rates["planned"] = res.rates.planned_per_job * 86400.0;
  r["interruptions_per_day"] = rates;
  r["mtbf_s"] = res.job.rate_per_s > 0 ? Record(1.0 / res.job.rate_per_s) : Record(nullptr);
  r["checkpoint"] = Record{{"size_bytes", res.checkpoint_bytes},
                           {"write_s", res.job.write_s},
                           {"restore_s", res.job.recovery_s - res.data.restart_s},
                           {"interval_s", res.job.interval_s},
                           {"interval_source", res.interval_young_daly ? "young-daly" : "given"}};
  r["restart_s"] = res.data.restart_s;
  const auto& e = res.expectation;
  r["ideal_time_s"] = e.ideal_s;
  r["expected_time_s"] = e.expected_s;
  r["expected_interruptions"] = e.interruptions;
  r["effective_training_time_fraction"] = e.effective_fraction;
  r["expected_breakdown"] = Record{{"work_s", e.ideal_s},
                                   {"checkpoint_s", e.checkpoint_s},
                                   {"lost_work_s", e.lost_work_s},
                                   {"recovery_s", e.recovery_s}};
  const auto& mc = res.monte_carlo;
  r["monte_carlo"] = Record{{"trials", mc.trials},
                            {"seed", mc.seed},
                            {"mean_time_s", mc.mean_s},
                            {"p10_time_s", mc.p10_s},
                            {"p50_time_s", mc.p50_s},
                            {"p90_time_s", mc.p90_s},
                            {"mean_interruptions", mc.mean_interruptions},
                            {"p10_interruptions", mc.p10_interruptions},
                            {"p90_interruptions", mc.p90_interruptions},
                            {"mean_effective_training_time_fraction", mc.mean_effective_fraction}};
  if (!res.sweep.empty()) {
    Record sweep = Record::array();
    for (const auto& p : res.sweep) {
      Record s{{"gpus", p.gpus}, {"feasible", p.feasible}};
      if (p.feasible) {
        s["tokens_per_s"] = p.tokens_per_s;
        s["ideal_time_s"] = p.ideal_s;
        s["expected_time_s"] = p.expected_s;
        s["effective_training_time_fraction"] = p.effective_fraction;
        s["checkpoint_interval_s"] = p.interval_s;
      } else {
        s["reason"] = p.reason;
      }
      sweep.push_back(s);
    }
    r["sweep"] = sweep;
  }
  r["sources"] = Record::object();
  for (const auto& [path, src] : res.data.sources) r["sources"][path] = src;
  r["uncalibrated"] = o.uncalibrated;
  return r;
}

namespace {

Record job_record(const fleet::JobValue& j) {
  Record r{{"workload", j.workload}, {"model", j.model}, {"feasible", j.feasible}};
  if (!j.feasible) {
    r["reason"] = j.reason;
    return r;
  }
  r["tokens_per_s_per_gpu"] = j.tokens_per_s_per_gpu;
  r["effective_training_time_fraction"] = j.effective_fraction;
  r["layout"] = layout_record(j.layout);
  return r;
}

}  // namespace

Record fleet_value_record(const planning::FleetValue& v) {
  Record r;
  r["inventory"] = v.inventory;
  r["reference_system"] = v.reference_system;
  Record systems = Record::array();
  for (const auto& l : v.lines) {
    const double n = static_cast<double>(l.gpus);
    Record s;
    s["system"] = l.system;
    s["hardware"] = l.hardware;
    s["gpus"] = l.gpus;
    s["h100_equivalents"] = Record{{"peak_bf16", n * l.peak_bf16_per_gpu},
                                   {"training", n * l.training_per_gpu},
                                   {"serving", l.serving.per_gpu ? Record(n * *l.serving.per_gpu) : Record(nullptr)}};
    s["h100_equivalents_per_gpu"] = Record{{"peak_bf16", l.peak_bf16_per_gpu},
                                           {"training", l.training_per_gpu},
                                           {"serving", optional_number(l.serving.per_gpu)}};
    if (!l.serving.per_gpu) s["serving_reason"] = l.serving.reason;
    Record jobs = Record::array();
    for (const auto& j : l.training.jobs) jobs.push_back(job_record(j));
    s["training_jobs"] = jobs;
    s["hbm"] = hbm_record(l.hbm, true);
    s["power_w"] = l.cost.it_power_w;
    s["facility_power_w"] = l.cost.facility_power_w;
    s["price_per_gpu_usd"] = l.price_per_gpu_usd;
    s["capex_usd"] = l.cost.capex_usd;
    s["depreciation_usd_per_year"] = l.cost.depreciation_usd_per_year;
    s["energy_kwh_per_year"] = l.cost.energy_kwh_per_year;
    s["opex_usd_per_year"] = l.cost.opex_usd_per_year;
    s["usd_per_million_training_tokens"] = optional_number(l.cost.usd_per_million_training_tokens);
    // Served tokens: the first reference serving workload's goodput, all year at the utilisation.
    const bool served = !l.serving.jobs.empty() && l.serving.jobs.front().feasible &&
                        l.serving.jobs.front().tokens_per_s_per_gpu > 0 && l.price_per_gpu_usd > 0;
    s["usd_per_million_served_tokens"] =
        served ? Record((l.cost.depreciation_usd_per_year + l.cost.opex_usd_per_year) /
                        (n * l.serving.jobs.front().tokens_per_s_per_gpu * 8760.0 * 3600.0 * v.costs.utilization) * 1e6)
               : Record(nullptr);
    Record serving_jobs = Record::array();
    for (std::size_t k = 0; k < l.serving.jobs.size(); ++k) {
      const auto& j = l.serving.jobs[k];
      serving_jobs.push_back(Record{
          {"workload", k < v.serving_workloads.size() ? v.serving_workloads[k].name : ""},
          {"feasible", j.feasible},
          {"goodput_tokens_per_s_per_gpu", j.feasible ? Record(j.tokens_per_s_per_gpu) : Record(nullptr)},
          {"relative_to_reference", j.feasible ? Record(j.ratio) : Record(nullptr)},
          {"tp", j.tp},
          {"clients_per_replica", j.clients_per_replica},
          {"limiting_resource", j.limiting_resource},
          {"reason", j.reason}});
    }
    s["serving_jobs"] = serving_jobs;
    s["uncalibrated"] = l.uncalibrated;
    systems.push_back(s);
  }
  r["systems"] = systems;
  Record t;
  t["gpus"] = v.gpus;
  t["h100_equivalents"] = Record{{"peak_bf16", v.peak_bf16}, {"training", v.training}, {"serving", optional_number(v.serving)}};
  if (!v.serving) t["serving_reason"] = v.serving_reason;
  Record hbm = hbm_record(v.hbm_total, false);
  Record by_gen = Record::array(), by_vendor = Record::array();
  for (const auto& [gen, h] : v.hbm_by_generation) {
    Record x{{"generation", gen}};
    x.update(hbm_record(h, false));
    by_gen.push_back(x);
  }
  for (const auto& [vendor, h] : v.hbm_by_vendor) {
    Record x{{"vendor", vendor}};
    x.update(hbm_record(h, false));
    by_vendor.push_back(x);
  }
  hbm["by_generation"] = by_gen;
  hbm["by_vendor"] = by_vendor;
  t["hbm"] = hbm;
  t["power_w"] = v.it_power_w;
  t["facility_power_w"] = v.facility_power_w;
  t["capex_usd"] = v.capex_usd;
  t["depreciation_usd_per_year"] = v.depreciation_usd_per_year;
  t["opex_usd_per_year"] = v.opex_usd_per_year;
  t["usd_per_million_training_tokens"] = optional_number(v.usd_per_million_training_tokens);
  t["priced_gpus"] = v.priced_gpus;
  t["usd_per_million_served_tokens"] = nullptr;
  r["total"] = t;
  Record refs = Record::array();
  for (std::size_t i = 0; i < v.training_workloads.size(); ++i) {
    const auto& w = v.training_workloads[i];
    Record x{{"workload", w.name}, {"model", w.model}, {"gpus", w.gpus}, {"seq_len", w.seq_len},
             {"global_batch", w.global_batch}, {"tokens", w.tokens}, {"weight", w.weight}};
    if (i < v.reference_jobs.size()) x["on_reference"] = job_record(v.reference_jobs[i]);
    refs.push_back(x);
  }
  for (std::size_t i = 0; i < v.serving_workloads.size(); ++i) {
    const auto& w = v.serving_workloads[i];
    Record x{{"workload", w.name}, {"model", w.model}, {"gpus", planning::kServingGpus},
             {"engine", planning::kServingEngine}, {"input_tokens", w.input_tokens},
             {"output_tokens", w.output_tokens}, {"ttft_slo_s", w.ttft_slo_s}, {"tpot_slo_s", w.tpot_slo_s}};
    if (i < v.reference_serving.size()) {
      const auto& g = v.reference_serving[i];
      x["on_reference"] = Record{{"feasible", g.feasible},
                                 {"goodput_tokens_per_s_per_gpu", g.tokens_per_s_per_gpu},
                                 {"tp", g.tp},
                                 {"clients_per_replica", g.clients_per_replica},
                                 {"limiting_resource", g.limiting_resource}};
    }
    refs.push_back(x);
  }
  r["reference_workloads"] = refs;
  Record as = Record::array();
  for (const auto& a : v.assumptions) as.push_back(Record{{"field", a.field}, {"value", a.value}, {"source", a.source}});
  r["assumptions"] = as;
  return r;
}

Record fleet_value_table(const planning::FleetValue& v) {
  Record rows = Record::array();
  const auto row = [](const std::string& name, long long gpus, double peak, double training,
                      const std::optional<double>& serving, double hbm_bytes, double power, double capex, double opex,
                      const std::optional<double>& per_token) {
    return Record{{"system", name},
                  {"gpus", gpus},
                  {"h100e_peak_bf16", peak},
                  {"h100e_training", training},
                  {"h100e_serving", optional_number(serving)},
                  {"hbm_capacity_bytes", hbm_bytes},
                  {"power_w", power},
                  {"capex_usd", capex},
                  {"opex_usd_per_year", opex},
                  {"usd_per_million_training_tokens", optional_number(per_token)}};
  };
  for (const auto& l : v.lines) {
    const double n = static_cast<double>(l.gpus);
    rows.push_back(row(l.hardware, l.gpus, n * l.peak_bf16_per_gpu, n * l.training_per_gpu,
                       l.serving.per_gpu ? std::optional<double>(n * *l.serving.per_gpu) : std::nullopt, l.hbm.bytes,
                       l.cost.it_power_w, l.cost.capex_usd, l.cost.opex_usd_per_year,
                       l.cost.usd_per_million_training_tokens));
  }
  rows.push_back(row("total", v.gpus, v.peak_bf16, v.training, v.serving, v.hbm_total.bytes, v.it_power_w, v.capex_usd,
                     v.opex_usd_per_year, v.usd_per_million_training_tokens));
  Record r;
  r["inventory"] = v.inventory;
  r["systems"] = rows;
  if (!v.serving) r["serving"] = v.serving_reason;
  return r;
}

}  // namespace xpusim::report
