#pragma once

#include <string>
#include <vector>

#include "cost/collective.hpp"
#include "cost/op_cost.hpp"
#include "model/architecture.hpp"
#include "serving/engine.hpp"
#include "serving/kv_cache.hpp"
#include "serving/simulator.hpp"
#include "serving/step_cost.hpp"
#include "serving/workload.hpp"

namespace xpusim::serving {

// A serving deployment and its load: replicas of one placement on `gpus` GPUs, the scheduler
// (engine defaults with the user's limits applied) and SLOs.
struct ServeSpec {
  Placement placement;
  int gpus = 1;                 // all GPUs; replicas = gpus / (tp * pp), requests round-robin
  SchedulerOptions scheduler;   // kv_blocks is filled from the KV capacity
  double slo_ttft_s = 0;        // 0: no TTFT objective
  double slo_tpot_s = 0;
  int prefill_replicas = 0;     // disaggregated P:D (both 0: colocated)
  int decode_replicas = 0;
  std::uint64_t seed = 0;
  std::size_t trace_limit = 0;  // iterations of replica 0 to record
};

struct Distribution {
  double mean = 0, p50 = 0, p90 = 0, p99 = 0;
  static Distribution of(std::vector<double> values);
};

struct ServeResult {
  bool feasible = true;
  std::string reason;
  KvCapacity kv;
  int replicas = 0;
  long long simulated_requests = 0, completed_requests = 0, dropped_requests = 0;
  double elapsed_s = 0;
  double output_tokens_per_s = 0, total_tokens_per_s = 0, requests_per_s = 0;
  Distribution ttft_s, tpot_s, itl_s, e2e_s;
  double goodput_requests_per_s = 0;
  long long kv_blocks = 0;
  int max_concurrent = 0;
  long long preemptions = 0, iterations = 0;
  double prefix_hit_rate = 0;          // prompt tokens found in the prefix cache / prompt tokens
  double prefill_tokens_computed = 0;  // prompt tokens actually prefilled (recomputes included)
  double mean_in_system = 0;           // time-average requests in the system (Little's L)
  double mean_batch_seqs = 0;          // time-average running decode batch
  double kv_transfer_s = 0;            // disaggregated: per-request KV transfer time
  std::vector<Iteration> trace;
};

// Simulates the deployment: builds the step model and KV capacity of one replica, splits the
// requests over replicas (or over the prefill pool then the decode pool, with the prompt's KV
// sent over the scale-up or network link), and aggregates latency and throughput.
// Contract: infeasible (weights do not fit, bad split of GPUs) is a result with a reason, never
// an exception; bad arguments (non-dividing tp) throw core::Error from the step model.
ServeResult simulate_serving(const model::Architecture& arch, const cost::CostModel& cost,
                             const cost::CollectiveModel* collectives, const EngineProfile& engine,
                             const ServeSpec& spec, const std::vector<Request>& requests);

}  // namespace xpusim::serving
