#pragma once

#include <vector>

#include "core/parallel.hpp"
#include "serving/serve.hpp"

namespace xpusim::serving {

// One layout and batch-limit choice tried by the search and how it did.
struct SearchCandidate {
  int tp = 1;
  int replicas = 1;
  int max_num_seqs = 0;
  long long max_batched_tokens = 0;
  double goodput_per_gpu = 0;  // requests/s meeting the SLO, per GPU
  ServeResult result;
};

// `xpusim serve --search`: TP degree (dividing heads, whole replicas on the GPUs), replicas,
// max_num_seqs and max_batched_tokens, each simulated on the same requests in parallel; sorted by
// goodput per GPU (ties: lower p99 TTFT). Contract: infeasible candidates stay in the list with
// their reason; `progress` is called as candidates finish.
std::vector<SearchCandidate> search_serving(const model::Architecture& arch, const cost::CostModel& cost,
                                            const cost::CollectiveModel* collectives, const EngineProfile& engine,
                                            const ServeSpec& base, const std::vector<Request>& requests,
                                            const core::ProgressFn& progress = {});

}  // namespace xpusim::serving
