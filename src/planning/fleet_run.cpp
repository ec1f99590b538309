#include "planning/fleet_run.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "planning/training_layout.hpp"

namespace xpusim::planning {

fleet::ReliabilityData reliability_data(const scenario::Session& session) {
  return fleet::load_reliability(session.data_dir() / "fleets" / "reliability.yaml");
}

long long default_global_batch(long long seq_len) { return std::max<long long>(1, (16LL << 20) / seq_len); }

namespace {

training::StepResult step_at(const scenario::Session& session, const FleetRunRequest& r,
                             const std::shared_ptr<const model::Architecture>& arch,
                             const std::shared_ptr<const hardware::System>& system, long long gpus) {
  if (!r.layout_given)
    return best_training_layout(session, arch, system, gpus, r.scenario.layout.seq_len, r.scenario.layout.global_batch);
  auto layout = scenario::effective_layout(session, r.scenario);  // the stack and precision flags too
  layout.gpus = gpus;
  if (gpus != r.scenario.layout.gpus) layout.dp = 0;  // the sweep re-derives dp
  return session.step_model(arch, system)->evaluate(layout);
}

}  // namespace

FleetRunResult run_fleet(const scenario::Session& session, const FleetRunRequest& r, const core::ProgressFn& progress) {
  if (!(r.tokens > 0)) throw core::Error::flag("--tokens", std::to_string(r.tokens), "a positive number of tokens");
  if (r.trials < 1) throw core::Error::flag("--trials", std::to_string(r.trials), "a positive integer");
  FleetRunResult out;
  out.tokens = r.tokens;
  out.data = reliability_data(session);
  if (r.restart_s) out.data.restart_s = *r.restart_s;
  if (r.storage_bytes_per_s) out.data.write_bytes_per_s = out.data.read_bytes_per_s = *r.storage_bytes_per_s;
  const auto arch = scenario::resolve_architecture(session, r.scenario);
  const auto system = scenario::resolve_system(session, r.scenario);
  if (r.layout_given) {
    out.outcome = scenario::evaluate(session, r.scenario);
  } else {
    auto& o = out.outcome;
    o.scenario = r.scenario.name;
    o.model = arch->name;
    o.system = system->name();
    o.hardware = system->label();
    o.derived = system->chip().spec().derived;
    o.derived.insert(o.derived.end(), system->spec().derived.begin(), system->spec().derived.end());
    o.uncalibrated = scenario::uncalibrated_parameters(*system);
    o.step = step_at(session, r, arch, system, r.scenario.layout.gpus);
    out.layout_searched = true;
  }
  if (!out.outcome.step.feasible) return out;
  out.rates = fleet::rates_for_gpu(out.data, system->chip().memory().stacks());
  out.checkpoint_bytes = fleet::checkpoint_bytes(out.data, *arch);
  out.interval_young_daly = r.interval_s <= 0;
  const long long gpus = out.outcome.step.layout.gpus;
  const auto job_at = [&](long long n, double tokens_per_s) {
    return fleet::make_job(out.data, out.rates, n, r.tokens / tokens_per_s, out.checkpoint_bytes, r.interval_s);
  };
  out.job = job_at(gpus, out.outcome.step.tokens_per_s);
  out.expectation = fleet::expected_time(out.job);
  out.monte_carlo = fleet::monte_carlo(out.job, r.trials, r.seed, progress);
  for (long long n : r.sweep_gpus) {
    SweepPoint p;
    p.gpus = n;
    const auto step = n == gpus ? out.outcome.step : step_at(session, r, arch, system, n);
    p.feasible = step.feasible;
    p.reason = step.reason;
    if (step.feasible) {
      const auto job = job_at(n, step.tokens_per_s);
      const auto e = fleet::expected_time(job);
      p.tokens_per_s = step.tokens_per_s;
      p.ideal_s = e.ideal_s;
      p.expected_s = e.expected_s;
      p.effective_fraction = e.effective_fraction;
      p.interval_s = job.interval_s;
    }
    out.sweep.push_back(p);
  }
  return out;
}

}  // namespace xpusim::planning
