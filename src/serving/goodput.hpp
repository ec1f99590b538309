#pragma once

#include <string>

#include "serving/serve.hpp"

namespace xpusim::serving {

// A serving workload to rate a system by: fixed prompt and output lengths, SLOs, and the GPUs
// serving it (whole TP replicas). What `chip sweep --serve` and the fleet's `serving` measure use.
struct GoodputWorkload {
  long long input_tokens = 2048, output_tokens = 256;
  double slo_ttft_s = 2.0, slo_tpot_s = 0.05;
  int gpus = 8;
  int max_concurrency = 256;  // per replica: the highest client count tried
  std::uint64_t seed = 0;
};

// The highest SLO goodput found and what bounds it.
struct GoodputResult {
  bool feasible = false;
  std::string reason;  // why no TP degree serves the model (weights do not fit, ...)
  int tp = 0, replicas = 0;
  int concurrency = 0;  // closed-loop clients per replica at the best point
  double goodput_requests_per_s_per_gpu = 0;
  double goodput_tokens_per_s_per_gpu = 0;  // output tokens of requests that met both SLOs
  // Busy time of one GPU over the best run, from its work: FLOPs at peak (compute) and bytes at
  // the HBM bandwidth (weights once per iteration, KV read by every decode token).
  double compute_s = 0, hbm_s = 0;
  // What bounds a decode step at the best run's mean batch (weights + KV bytes at the HBM
  // bandwidth against its FLOPs at peak): hbm_bandwidth | compute.
  std::string decode_bound;
  // compute | hbm_bandwidth | hbm_capacity (KV blocks cap the clients) | slo (no load meets it)
  std::string limiting_resource;
  long long simulations = 0;
  ServeResult result;  // the best run
};

// Highest goodput per GPU under the SLOs: for every TP degree (dividing heads and the GPUs), the
// closed-loop client count per replica grows from 1 (1, 2, 3, 4, 6, 8, 12, ...) while goodput grows (max_num_seqs = clients,
// the engine's token budget), each run simulated by simulate_serving on 4 x clients requests
// (at least 32). Contract: deterministic; infeasible is a result with the reason of the largest
// TP degree tried; throws only what simulate_serving throws for bad arguments.
GoodputResult best_slo_goodput(const model::Architecture& arch, const cost::CostModel& cost,
                               const cost::CollectiveModel* collectives, const EngineProfile& engine,
                               const Placement& placement, const GoodputWorkload& workload);

}  // namespace xpusim::serving
