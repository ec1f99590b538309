#include "validation/fleet_suite.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>

#include "core/csv.hpp"
#include "core/error.hpp"
#include "fleet/reliability_data.hpp"
#include "fleet/training_layouts.hpp"
#include "fleet/valuation.hpp"
#include "model/architecture.hpp"
#include "training/step_model.hpp"

namespace xpusim::validation {

namespace {

constexpr double kDay = 86400.0;

// E[ETTR] of a long job (30 days of work) with non-blocking checkpoint writes.
double ettr(double rate_per_s, double interval_s, double restart_s) {
  fleet::JobTimes j;
  j.work_s = 30 * kDay;
  j.rate_per_s = rate_per_s;
  j.interval_s = interval_s;
  j.write_s = 0;
  j.recovery_s = restart_s;
  return fleet::expected_time(j).effective_fraction;
}

double rsc_rate(double gpus, double node_rate_per_day) { return node_rate_per_day * gpus / 8.0 / kDay; }

struct Fact {
  double value = 0, gpus = 0, interval_min = 0;
  std::string metric, unit;
};

std::map<std::string, Fact> load_facts(const std::filesystem::path& csv) {
  const auto table = core::CsvTable::load(csv);
  table.require_columns({"case_id", "study", "metric", "value", "unit", "gpus", "interval_min", "source"});
  std::map<std::string, Fact> out;
  for (const auto& r : table.rows()) {
    Fact f;
    f.value = r.number("value");
    f.gpus = r.number_or("gpus", 0);
    f.interval_min = r.number_or("interval_min", 0);
    f.metric = r.text("metric");
    f.unit = r.text("unit");
    out[r.text("case_id")] = f;
  }
  return out;
}

const Fact& fact(const std::map<std::string, Fact>& facts, const std::string& id, const std::filesystem::path& csv) {
  auto it = facts.find(id);
  if (it == facts.end()) throw core::Error(core::SourceLocation{csv.string(), 0, 0}, "case_id", id, "a row with this case_id");
  return it->second;
}

}  // namespace

double fit_restart_s(double target, double gpus, double node_rate_per_day, double interval_s) {
  const double rate = rsc_rate(gpus, node_rate_per_day);
  double lo = 0, hi = 4 * 3600;  // ETTR falls monotonically with the restart overhead
  for (int i = 0; i < 100; ++i) {
    const double mid = 0.5 * (lo + hi);
    (ettr(rate, interval_s, mid) > target ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

core::ValidationSuite fleet_suite(const hardware::Catalog& catalog, const memory::TimingCatalog& timings,
                                  const std::filesystem::path& data_dir) {
  core::ValidationSuite suite;
  suite.name = "fleet";
  suite.tolerance =
      "held-out reliability rows (Meta research clusters) within 15%; Llama 3 effective training time >= its "
      "published 90% bound; the 600,000 H100-equivalent rows are informative";
  const auto csv = data_dir / "validation" / "fleet_reliability.csv";
  const auto facts = load_facts(csv);
  const auto f = [&](const std::string& id) -> const Fact& { return fact(facts, id, csv); };
  const auto data = fleet::load_reliability(data_dir / "fleets" / "reliability.yaml");
  const auto add = [&](std::string id, std::string desc, std::string unit, double published, double predicted,
                       bool calibration) {
    core::ValidationCase c;
    c.id = std::move(id);
    c.description = std::move(desc);
    c.unit = std::move(unit);
    c.published = published;
    c.predicted = predicted;
    c.calibration = calibration;
    suite.cases.push_back(c);
    return c.signed_error();
  };
  bool ok = true;
  std::string failure;
  const auto check = [&](double err, const std::string& id) {
    if (std::fabs(err) > 0.15) {
      ok = false;
      failure += (failure.empty() ? "" : "; ") + id + " is " + fmt::format("{:+.1f}%", 100 * err) + " off";
    }
  };

  // Llama 3: the window the component rates are fitted on (calibration, reproduced by construction).
  const auto& w = data.window;
  const double window_s = w.days * kDay;
  const auto g = static_cast<long long>(w.gpus);
  add("rel_llama3_interruptions_total", "Llama 3 405B, 16,384 H100, 54 days: rate x window", "interruptions",
      f("rel_llama3_interruptions_total").value, data.rates.total(g) * window_s, true);
  add("rel_llama3_interruptions_unexpected", "unexpected: sum of the five component rates", "interruptions",
      f("rel_llama3_interruptions_unexpected").value, data.rates.unexpected(g) * window_s, true);
  add("rel_llama3_t5_gpu_component", "GPU component (148 faulty GPU + 48 other GPU rows of Table 5)", "interruptions",
      f("rel_llama3_t5_gpu_component").value, data.rates.component(fleet::Component::kGpu, g) * window_s, true);
  add("rel_llama3_t5_gpu_hbm3_count", "HBM component (5 HBM3 stacks per H100)", "interruptions",
      f("rel_llama3_t5_gpu_hbm3_count").value, data.rates.component(fleet::Component::kHbm, g) * window_s, true);

  // Meta research clusters: per-GPU rate from the 8-GPU MTTF, restart overhead from the 60-min ETTR.
  const auto& m8 = f("rel_rsc_mttf_8gpu");
  const double rsc_per_gpu = 1.0 / (m8.gpus * m8.value * kDay);
  add("rel_rsc_mttf_8gpu", "RSC-1 8-GPU jobs: fits the cluster's per-GPU interruption rate", "days", m8.value,
      1.0 / (rsc_per_gpu * m8.gpus) / kDay, true);
  const auto& m1024 = f("rel_rsc_mttf_1024gpu");
  const double e1024 = add("rel_rsc_mttf_1024gpu", "RSC-1 1,024-GPU jobs: rate grows linearly with GPUs (held out)",
                           "h", m1024.value, 1.0 / (rsc_per_gpu * m1024.gpus) / 3600.0, false);
  check(e1024, "rel_rsc_mttf_1024gpu");
  const double rf = f("rel_rsc1_rf").value / 1000.0;
  const auto& e60 = f("rel_rsc_ettr_16k_60min");
  const double restart = fit_restart_s(e60.value, e60.gpus, rf, e60.interval_min * 60);
  add("rel_rsc_ettr_16k_60min",
      fmt::format("16,000 GPUs, r_f 6.50/1000 node-days, 60-min interval: fits restart = {:.0f} s", restart), "ratio",
      e60.value, ettr(rsc_rate(e60.gpus, rf), e60.interval_min * 60, restart), true);
  const auto& e5 = f("rel_rsc_ettr_16k_5min");
  const double err5 = add("rel_rsc_ettr_16k_5min", "same job, 5-min interval (held out)", "ratio", e5.value,
                          ettr(rsc_rate(e5.gpus, rf), e5.interval_min * 60, restart), false);
  check(err5, "rel_rsc_ettr_16k_5min");

  // Llama 3's effective training time, predicted for its job with the fitted restart (held out).
  const auto arch405 = model::load_model("llama3-405b", data_dir);
  auto d = data;
  d.restart_s = restart;
  const auto job = fleet::make_job(d, d.rates, g, window_s, fleet::checkpoint_bytes(d, arch405), 0);
  const auto e = fleet::expected_time(job);
  const double ett_bound = f("rel_llama3_ett").value;
  add("rel_llama3_ett",
      fmt::format("Llama 3 405B job, {:.1f} TB checkpoints at 2 TB/s, Young-Daly {:.0f} s (published: > 90%, a bound)",
                  fleet::checkpoint_bytes(d, arch405) / 1e12, job.interval_s),
      "ratio", ett_bound, e.effective_fraction, false);
  if (!(e.effective_fraction >= ett_bound)) {
    ok = false;
    failure += (failure.empty() ? "" : "; ") + std::string("Llama 3 effective training time below its 90% bound");
  }

  // "600,000 H100-equivalents": the announced inventory valued by each definition.
  const auto h100 = catalog.system("dgx-h100", "--suite fleet");
  const auto a100 = catalog.system("dgx-a100", "--suite fleet");
  const auto workloads = fleet::load_reference_workloads(data_dir / "fleets" / "reference_workloads.yaml");
  std::map<std::pair<std::string, const hardware::System*>, std::unique_ptr<training::StepModel>> models;
  std::map<std::string, std::shared_ptr<const model::Architecture>> archs;
  const fleet::ModelLoader loader = [&](const std::string& name) {
    auto& a = archs[name];
    if (!a) a = std::make_shared<const model::Architecture>(model::load_model(name, data_dir));
    return a;
  };
  const fleet::LayoutFinder finder = [&](const model::Architecture& arch,
                                         const std::shared_ptr<const hardware::System>& system,
                                         const fleet::TrainingWorkload& j) {
    auto& sm = models[{arch.name, system.get()}];
    if (!sm) sm = std::make_unique<training::StepModel>(arch, system, &timings);
    return fleet::fastest_training_layout(*sm, j.gpus, j.seq_len, j.global_batch);
  };
  const auto ref_jobs = fleet::reference_job_values(d, workloads.training, h100, finder, loader);
  const double training_a100 = fleet::training_value(d, workloads.training, a100, ref_jobs, finder, loader).per_gpu;
  const double peak_a100 = fleet::peak_bf16_ratio(*a100, *h100);
  const double h100s = f("fleet_meta_h100_eoy2024").value, a100s = f("fleet_meta_rsc_a100").value;
  const double announced = f("fleet_meta_h100e_eoy2024").value;
  const double peak_total = h100s + a100s * peak_a100, training_total = h100s + a100s * training_a100;
  add("fleet_meta_h100e_eoy2024", "peak_bf16 of 350,000 H100 + 16,000 A100 (RSC)", "H100-equivalents", announced,
      peak_total, false);
  add("fleet_meta_h100e_eoy2024", "training of 350,000 H100 + 16,000 A100 (RSC)", "H100-equivalents", announced,
      training_total, false);
  const auto needed = [&](double ratio) { return (announced - h100s) / ratio; };
  const auto verdict = [](double total, double target) { return std::fabs(total / target - 1) <= 0.05; };
  std::string reproduced;
  if (verdict(peak_total, announced)) reproduced += " peak_bf16";
  if (verdict(training_total, announced)) reproduced += " training";
  suite.description = fmt::format(
      "Failure model of `xpusim fleet run`: component rates fitted on Llama 3 405B (Grattafiori et al. 2024, "
      "Table 5), restart overhead fitted on one case of the Meta research-cluster study (Kokolis et al. 2025), "
      "its other cases held out. Announced \"600,000 H100-equivalents\" (Meta, end of 2024): {}. With the "
      "announced inventory (350,000 H100 + the 16,000-A100 RSC) peak_bf16 gives {:.0f} and training {:.0f}; the "
      "other 250,000 would take {:.0f} A100s by peak_bf16 ({:.3f} H100 each) or {:.0f} by training ({:.3f} each), "
      "and serving is not available in this build. Reading: the announcement counts accelerators the public "
      "inventory does not list, or uses a definition none of these is.",
      reproduced.empty() ? "no definition reproduces it from the announced inventory (within 5%)"
                         : "reproduced within 5% by" + reproduced,
      peak_total, training_total, needed(peak_a100), peak_a100, needed(training_a100), training_a100);
  suite.passed = ok;
  suite.failure = failure;
  return suite;
}

}  // namespace xpusim::validation
