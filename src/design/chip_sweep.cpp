#include "design/chip_sweep.hpp"

#include <algorithm>
#include <set>

#include "core/error.hpp"
#include "scenario/evaluate.hpp"
#include "search/search.hpp"
#include "serving/goodput.hpp"

namespace xpusim::design {

SweepAxis parse_axis(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw core::Error::flag("--vary", text, "PATH=V1,V2,... such as memory.stacks=4,6,8");
  SweepAxis a{text.substr(0, eq), {}};
  std::string rest = text.substr(eq + 1);
  std::size_t pos = 0;
  while (pos <= rest.size()) {
    const std::size_t comma = std::min(rest.find(',', pos), rest.size());
    std::string v = rest.substr(pos, comma - pos);
    while (!v.empty() && v.front() == ' ') v.erase(v.begin());
    while (!v.empty() && v.back() == ' ') v.pop_back();
    if (v.empty()) throw core::Error::flag("--vary " + a.path, rest, "a comma-separated list of non-empty values");
    if (std::find(a.values.begin(), a.values.end(), v) != a.values.end())
      throw core::Error::flag("--vary " + a.path, rest, "each value once (\"" + v + "\" is repeated)");
    a.values.push_back(std::move(v));
    pos = comma + 1;
  }
  return a;
}

std::vector<std::vector<hardware::Override>> sweep_grid(const std::vector<SweepAxis>& axes) {
  std::set<std::string> paths;
  for (const auto& a : axes)
    if (!paths.insert(a.path).second)
      throw core::Error::flag("--vary", a.path, "each field varied once (merge the values into one --vary)");
  std::vector<std::vector<hardware::Override>> grid{{}};
  for (const auto& a : axes) {
    std::vector<std::vector<hardware::Override>> next;
    for (const auto& partial : grid)
      for (const auto& v : a.values) {
        auto p = partial;
        p.push_back(hardware::Override{a.path, v});
        next.push_back(std::move(p));
      }
    grid = std::move(next);
  }
  return grid;
}

training::StepResult searched_layout(const scenario::Session& session, const TrainWorkload& w,
                                     const std::shared_ptr<const hardware::System>& system) {
  scenario::Scenario s;
  s.model = w.model;
  s.system = system->name();
  s.system_spec = system;
  s.layout = training::make_layout(w.gpus, 1, 1, 1, 1, w.seq_len, w.global_batch, 1);
  search::SearchOptions o;
  o.top = 1;
  o.threads = 1;
  return search::search_layouts(session, s, o).best.step;
}

training::StepResult small_layout_search(const scenario::Session& session, const TrainWorkload& w,
                                         const std::shared_ptr<const hardware::System>& system) {
  const auto arch = session.architecture(w.model);
  const auto model = session.step_model(arch, system);
  const int domain = std::max(1, system->node().scale_up.domain_size);
  training::StepResult best;
  std::string reason;
  for (int tp = 1; tp <= std::min<long long>(domain, w.gpus); tp *= 2)
    for (int pp = 1; pp <= 64 && static_cast<long long>(tp) * pp <= w.gpus; pp *= 2) {
      if (w.gpus % (static_cast<long long>(tp) * pp) != 0) continue;
      for (long long mb : {1, 2, 4})
        for (auto rc : {training::Recompute::kNone, training::Recompute::kSelective, training::Recompute::kFull}) {
          auto l = training::make_layout(w.gpus, tp, pp, 1, 1, w.seq_len, w.global_batch, mb);
          l.recompute = rc;
          auto r = model->evaluate(l);
          if (r.feasible) {
            if (!best.feasible || r.step_time_s < best.step_time_s) best = std::move(r);
          } else if (reason.empty() || r.reason.find("GiB") != std::string::npos) {
            reason = r.reason;  // prefer saying why memory does not hold it
          }
        }
    }
  if (!best.feasible) best.reason = reason.empty() ? "no layout of " + std::to_string(w.gpus) + " GPUs divides" : reason;
  return best;
}

namespace {

// What to hand the session for the base: the system name or file as given, or, for a chip name,
// the catalog system built on that chip.
std::string base_reference(const scenario::Session& session, const std::string& base) {
  if (session.catalog().find_system(base) == nullptr)
    for (const auto& s : session.catalog().systems())
      if (s->chip().name() == base) return s->name();
  return base;
}

}  // namespace

std::shared_ptr<const hardware::System> base_system(const scenario::Session& session, const std::string& base) {
  return session.system(base_reference(session, base), "--base");
}

namespace {

// What bounds a training step: the largest share of its time.
std::string training_limit(const training::StepResult& r) {
  const auto& t = r.time;
  const double scale_up = t.tp_comm + t.cp_comm + t.ep_comm;
  const double scale_out = t.dp_comm + t.pp_comm;
  const double compute = t.compute + t.recompute + t.bubble + t.optimizer + t.other;
  if (scale_up >= compute && scale_up >= scale_out) return "scale_up";
  if (scale_out >= compute) return "scale_out";
  return "compute";
}

}  // namespace

PointResult evaluate_point(const scenario::Session& session, const SweepSpec& spec,
                           const std::vector<hardware::Override>& params, const CostCoefficients& k) {
  PointResult p;
  p.params = params;
  const auto system = session.system(base_reference(session, spec.base), "--vary", params);
  p.hardware = system->label();
  p.derived = system->chip().spec().derived;
  p.uncalibrated = scenario::uncalibrated_parameters(*system);
  p.cost = estimate_cost(system->chip(), k);
  if (!p.cost.feasible) {
    p.feasible = false;
    p.reason = p.cost.reason;
    p.limiting_resource = "die_area";
    return p;
  }
  if (spec.train) {
    auto r = spec.train_search(session, *spec.train, system);
    if (!r.feasible) {
      p.feasible = false;
      p.reason = r.reason;
      p.limiting_resource = r.reason.find("GiB") != std::string::npos ? "hbm_capacity" : "";
    } else {
      p.train_tokens_per_s_per_chip = r.tokens_per_s / static_cast<double>(spec.train->gpus);
      p.limiting_resource = training_limit(r);
    }
    p.train = std::move(r);
  }
  if (spec.serve) {
    // The same cost model and links `xpusim serve` builds for this system.
    const auto arch = session.architecture(spec.serve->model);
    const auto cost = session.cost_model(system->chip_ptr());
    const cost::CollectiveModel collectives(*system);
    auto g = serving::best_slo_goodput(*arch, *cost, &collectives, spec.serve->engine, serving::Placement{},
                                       spec.serve->workload);
    if (!g.feasible) {
      p.feasible = false;
      if (p.reason.empty()) p.reason = g.reason;
    } else {
      p.serve_goodput_tokens_per_s_per_chip = g.goodput_tokens_per_s_per_gpu;
    }
    p.limiting_resource = g.limiting_resource;
    p.serve = std::move(g);
  }
  return p;
}

std::vector<std::vector<hardware::Override>> checked_grid(const scenario::Session& session, const SweepSpec& spec) {
  const auto grid = sweep_grid(spec.axes);
  const std::string base = base_reference(session, spec.base);
  for (const auto& point : grid) session.system(base, "--vary", point);
  return grid;
}

std::vector<PointResult> run_sweep(const scenario::Session& session, const SweepSpec& spec,
                                   const CostCoefficients& k, const core::ProgressFn& progress) {
  const auto grid = checked_grid(session, spec);
  std::vector<PointResult> out(grid.size());
  core::parallel_for(grid.size(), [&](std::size_t i) { out[i] = evaluate_point(session, spec, grid[i], k); },
                     progress);
  return out;
}

std::vector<bool> pareto_front(const std::vector<double>& a, const std::vector<double>& b, bool maximize_b,
                               const std::vector<bool>& valid) {
  const std::size_t n = a.size();
  std::vector<bool> front(n, false);
  const auto better_b = [&](double x, double y) { return maximize_b ? x >= y : x <= y; };
  for (std::size_t i = 0; i < n; ++i) {
    if (!valid[i]) continue;
    bool dominated = false;
    for (std::size_t j = 0; j < n && !dominated; ++j) {
      if (j == i || !valid[j]) continue;
      const bool no_worse = a[j] >= a[i] && better_b(b[j], b[i]);
      const bool strictly = a[j] > a[i] || (maximize_b ? b[j] > b[i] : b[j] < b[i]);
      dominated = no_worse && strictly;
    }
    front[i] = !dominated;
  }
  return front;
}

}  // namespace xpusim::design
