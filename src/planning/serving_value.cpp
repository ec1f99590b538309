#include "planning/serving_value.hpp"

#include <cmath>

#include "cost/collective.hpp"
#include "serving/engine.hpp"
#include "serving/goodput.hpp"

namespace xpusim::planning {

ServingGoodput serving_goodput(const scenario::Session& session, const std::shared_ptr<const hardware::System>& system,
                               const fleet::ServingWorkload& w) {
  const auto arch = session.architecture(w.model);
  const auto cost = session.cost_model(system->chip_ptr());
  const cost::CollectiveModel collectives(*system);
  const auto engine = serving::load_engine(kServingEngine, session.data_dir());
  serving::GoodputWorkload g;
  g.input_tokens = w.input_tokens;
  g.output_tokens = w.output_tokens;
  g.slo_ttft_s = w.ttft_slo_s;
  g.slo_tpot_s = w.tpot_slo_s;
  g.gpus = kServingGpus;
  const auto r = serving::best_slo_goodput(*arch, *cost, &collectives, engine, serving::Placement{}, g);
  ServingGoodput out;
  out.feasible = r.feasible;
  out.reason = r.reason;
  out.tokens_per_s_per_gpu = r.goodput_tokens_per_s_per_gpu;
  out.tp = r.tp;
  out.clients_per_replica = r.concurrency;
  out.limiting_resource = r.limiting_resource;
  return out;
}

ServingMeasure serving_h100_equivalents(const scenario::Session& session,
                                        const std::shared_ptr<const hardware::System>& system,
                                        const std::vector<ServingGoodput>& reference,
                                        const std::vector<fleet::ServingWorkload>& workloads) {
  ServingMeasure m;
  if (workloads.empty()) {
    m.reason = "no reference serving workload";
    return m;
  }
  // Geometric mean of the per-workload ratios: no workload's units dominate, and a system worth
  // twice the reference on every workload is worth exactly 2.
  double log_sum = 0;
  for (std::size_t i = 0; i < workloads.size(); ++i) {
    const auto& ref = reference.at(i);
    if (!ref.feasible || !(ref.tokens_per_s_per_gpu > 0)) {
      m.reason = "the reference system does not serve " + workloads[i].name + ": " +
                 (ref.reason.empty() ? "no load meets the SLO" : ref.reason);
      return m;
    }
    auto g = serving_goodput(session, system, workloads[i]);
    if (!g.feasible) {
      m.reason = workloads[i].name + ": " + g.reason;
      m.jobs.push_back(std::move(g));
      return m;
    }
    g.ratio = g.tokens_per_s_per_gpu / ref.tokens_per_s_per_gpu;
    if (!(g.ratio > 0)) {
      m.reason = workloads[i].name + ": no load meets the SLO";
      m.jobs.push_back(std::move(g));
      return m;
    }
    log_sum += std::log(g.ratio);
    m.jobs.push_back(std::move(g));
  }
  m.per_gpu = workloads.size() == 1 ? m.jobs.front().ratio : std::exp(log_sum / static_cast<double>(workloads.size()));
  return m;
}

}  // namespace xpusim::planning
