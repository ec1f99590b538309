#include "fleet/training_layouts.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace xpusim::fleet {

std::vector<training::Layout> training_candidates(const model::Architecture& arch, const hardware::System& system,
                                                  long long gpus, long long seq_len, long long global_batch) {
  using training::Recompute;
  std::vector<training::Layout> out;
  const int domain = std::max(1, system.node().scale_up.domain_size);
  std::vector<int> eps{1};
  if (arch.moe.is_moe()) eps.push_back(std::min(8, arch.moe.num_experts));
  for (int tp : {1, 2, 4, 8}) {
    if (tp > domain || tp > gpus) continue;
    for (int pp : {1, 2, 4, 8, 16}) {
      // Layers that do not divide: the edge stages may hold one fewer (Llama 3 405B: 126 on 16).
      const bool trim = arch.layers % pp != 0 && (arch.layers + 2) % pp == 0;
      if ((arch.layers % pp != 0 && !trim) || static_cast<long long>(tp) * pp > gpus) continue;
      for (int ep : eps) {
        for (long long mb : {1LL, 2LL, 4LL}) {
          for (auto rc : {Recompute::kNone, Recompute::kSelective, Recompute::kFull}) {
            auto l = training::make_layout(gpus, tp, pp, 1, 1, seq_len, global_batch, mb);
            l.ep = ep;
            l.recompute = rc;
            l.zero = 1;
            l.trim_edge_stages = trim;
            out.push_back(l);
          }
        }
      }
    }
  }
  return out;
}

training::StepResult fastest_training_layout(const training::StepModel& model, long long gpus, long long seq_len,
                                             long long global_batch) {
  training::StepResult best;
  std::string first_reason;
  for (const auto& l : training_candidates(model.architecture(), model.system(), gpus, seq_len, global_batch)) {
    const auto fit = model.check_memory(l);
    if (!fit.fits) {
      if (first_reason.empty()) first_reason = fit.reason;
      continue;
    }
    training::StepResult r;
    try {
      r = model.evaluate(l);
    } catch (const core::Error&) {  // a tp the operator inventory rejects (StepModel's known gap)
      continue;
    }
    if (r.feasible && (!best.feasible || r.step_time_s < best.step_time_s)) best = std::move(r);
  }
  if (!best.feasible)
    best.reason = "no candidate layout (tp 1-8, pp 1-16, micro-batch 1-4, any recompute) fits" +
                  (first_reason.empty() ? std::string() : ": first rejected because " + first_reason);
  return best;
}

}  // namespace xpusim::fleet
