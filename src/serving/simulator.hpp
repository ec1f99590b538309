#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "serving/engine.hpp"
#include "serving/step_cost.hpp"
#include "serving/workload.hpp"

namespace xpusim::serving {

enum class SchedulerKind { kStatic, kContinuous };

struct SchedulerOptions {
  SchedulerKind kind = SchedulerKind::kContinuous;
  int max_num_seqs = 256;
  long long max_batched_tokens = 8192;
  bool chunked_prefill = true;
  // Without chunked prefill: one iteration prefills every admissible waiting request (in
  // sub-batches of max_batched_tokens) before any emits its first token (TurboMind v0.1).
  bool prefill_all_waiting = false;
  // The prefill only fills the prompt's KV; the first output token comes from the next decode
  // iteration (FasterTransformer lineage: TurboMind v0.1). A 1-token prompt is that one step.
  bool first_token_from_decode = false;
  bool prefix_caching = true;
  Preemption preemption = Preemption::kRecompute;
  Admission admission = Admission::kOptimistic;
  int block_size = 16;
  long long kv_blocks = 0;
  // Speculative decoding: draft tokens per step, per-token acceptance probability, and the cost
  // of one draft token relative to a target decode step (a small draft model or an EAGLE head).
  int spec_tokens = 0;
  double spec_acceptance = 0;
  double spec_draft_cost = 0.05;
  double swap_bandwidth = 25e9;  // host link for swapped-out KV blocks, bytes/s
  // Disaggregated decode pool: a request arrives with its prompt already in cache (KV transferred).
  bool decode_only = false;
  // Closed loop: this many clients, each sending its next request when the last one finished
  // (0: open loop, requests arrive at their own times).
  int concurrency = 0;
};

// One engine iteration, for traces.
struct Iteration {
  double start_s = 0, duration_s = 0;
  int prefill_tokens = 0, decode_seqs = 0, running = 0, waiting = 0;
  long long kv_blocks_used = 0;
};

struct RequestTiming {
  double arrival_s = 0, first_token_s = -1, finish_s = -1;
  int output_tokens = 0;
  bool dropped = false;  // never fit in the KV cache
};

// What one replica's simulation produced.
struct ReplicaRun {
  std::vector<RequestTiming> requests;  // parallel to the input requests
  long long iterations = 0, preemptions = 0;
  long long prompt_tokens = 0, prefill_tokens_computed = 0, prefix_hit_tokens = 0;
  int max_concurrent = 0;
  double end_s = 0, busy_s = 0;
  double in_system_integral = 0;  // integral over time of requests arrived and not finished
  double decode_seq_integral = 0;  // integral over time of the decoding batch size
  std::vector<Iteration> trace;
  // Inter-token gaps of every decoded token after the first (log-spaced bins, see itl_bin()).
  std::vector<double> itl_histogram;
  double itl_sum = 0, itl_count = 0;
};

// Histogram bin of an inter-token gap (200 bins per decade from 1 us) and the gap at a bin's centre.
constexpr int kItlBins = 2000;
int itl_bin(double gap_s);
double itl_bin_value(int bin);
// Percentile (0..1) of a histogram of itl_bin()s.
double histogram_percentile(const std::vector<double>& hist, double p);

// Event-driven simulation of one engine replica: the only events are request arrivals and
// iteration boundaries. Each iteration the scheduler (vLLM V1 order: running decodes, running
// prefill chunks, then waiting requests FCFS within max_num_seqs, max_batched_tokens and free
// blocks) builds a StepShape, the step model times it, and the clock jumps by that time.
// Preemption frees the most recently admitted sequence (recompute: prompt and generated tokens
// are prefilled again; swap: its blocks cross the host link out and back).
// Contract: deterministic for the same inputs (seed included); requests must be sorted by
// arrival; `trace_limit` iterations at most are recorded.
ReplicaRun simulate_replica(const std::vector<Request>& requests, const StepCostModel& step,
                            const SchedulerOptions& options, std::uint64_t seed, std::size_t trace_limit = 0);

}  // namespace xpusim::serving
