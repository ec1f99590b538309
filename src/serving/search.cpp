#include "serving/search.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "model/operator.hpp"

namespace xpusim::serving {

std::vector<SearchCandidate> search_serving(const model::Architecture& arch, const cost::CostModel& cost,
                                            const cost::CollectiveModel* collectives, const EngineProfile& engine,
                                            const ServeSpec& base, const std::vector<Request>& requests,
                                            const core::ProgressFn& progress) {
  std::vector<SearchCandidate> cands;
  for (int tp : {1, 2, 4, 8, 16}) {
    if (tp * base.placement.pp > base.gpus || base.gpus % (tp * base.placement.pp) != 0) continue;
    if (arch.heads % tp != 0) continue;
    for (int seqs : {32, 64, 128, 256, 512})
      for (long long tokens : {2048LL, 8192LL, 16384LL}) {
        SearchCandidate c;
        c.tp = tp;
        c.replicas = base.gpus / (tp * base.placement.pp);
        c.max_num_seqs = seqs;
        c.max_batched_tokens = tokens;
        cands.push_back(c);
      }
  }
  if (cands.empty())
    throw core::Error::flag("--gpus", std::to_string(base.gpus), "a GPU count that whole TP replicas divide");
  core::parallel_for(
      cands.size(),
      [&](std::size_t i) {
        auto& c = cands[i];
        ServeSpec spec = base;
        spec.placement.tp = c.tp;
        spec.scheduler.max_num_seqs = c.max_num_seqs;
        spec.scheduler.max_batched_tokens = c.max_batched_tokens;
        spec.trace_limit = 0;
        spec.prefill_replicas = spec.decode_replicas = 0;
        try {
          c.result = simulate_serving(arch, cost, collectives, engine, spec, requests);
        } catch (const core::Error& e) {
          c.result.feasible = false;
          c.result.reason = e.what();
        }
        c.goodput_per_gpu = c.result.feasible ? c.result.goodput_requests_per_s / base.gpus : 0;
      },
      progress);
  std::stable_sort(cands.begin(), cands.end(), [](const SearchCandidate& a, const SearchCandidate& b) {
    if (a.goodput_per_gpu != b.goodput_per_gpu) return a.goodput_per_gpu > b.goodput_per_gpu;
    return a.result.ttft_s.p99 < b.result.ttft_s.p99;
  });
  return cands;
}

}  // namespace xpusim::serving
