#include "serving/serve.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace xpusim::serving {

Distribution Distribution::of(std::vector<double> v) {
  Distribution d;
  if (v.empty()) return d;
  std::sort(v.begin(), v.end());
  d.mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  auto pct = [&](double p) {
    const double x = p * static_cast<double>(v.size() - 1);
    const auto i = static_cast<std::size_t>(std::floor(x));
    const double f = x - static_cast<double>(i);
    return i + 1 < v.size() ? v[i] * (1 - f) + v[i + 1] * f : v[i];
  };
  d.p50 = pct(0.5);
  d.p90 = pct(0.9);
  d.p99 = pct(0.99);
  return d;
}

namespace {

std::vector<std::vector<Request>> round_robin(const std::vector<Request>& requests, int replicas,
                                              std::vector<std::vector<std::size_t>>& index) {
  std::vector<std::vector<Request>> out(static_cast<std::size_t>(replicas));
  index.assign(static_cast<std::size_t>(replicas), {});
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const auto r = i % static_cast<std::size_t>(replicas);
    out[r].push_back(requests[i]);
    index[r].push_back(i);
  }
  return out;
}

}  // namespace

ServeResult simulate_serving(const model::Architecture& arch, const cost::CostModel& cost,
                             const cost::CollectiveModel* collectives, const EngineProfile& engine,
                             const ServeSpec& spec, const std::vector<Request>& requests) {
  ServeResult res;
  const Placement& p = spec.placement;
  const int per_replica = p.tp * p.pp;
  const bool disagg = spec.prefill_replicas > 0 || spec.decode_replicas > 0;
  res.replicas = disagg ? spec.prefill_replicas + spec.decode_replicas : spec.gpus / per_replica;
  if (spec.gpus % per_replica != 0 || res.replicas < 1 || (disagg && res.replicas * per_replica > spec.gpus)) {
    res.feasible = false;
    res.reason = std::to_string(spec.gpus) + " GPUs do not hold " +
                 (disagg ? std::to_string(spec.prefill_replicas) + ":" + std::to_string(spec.decode_replicas) + " replicas of "
                         : std::string("whole replicas of ")) +
                 "tp " + std::to_string(p.tp) + " x pp " + std::to_string(p.pp);
    return res;
  }
  StepCostModel step(arch, cost, collectives, p, engine);
  res.kv = kv_capacity(step, visible_device_memory(cost.chip().memory().capacity_bytes()), spec.scheduler.max_batched_tokens);
  res.kv_blocks = res.kv.blocks;
  res.simulated_requests = static_cast<long long>(requests.size());
  if (!res.kv.feasible) {
    res.feasible = false;
    res.reason = res.kv.reason;
    return res;
  }
  SchedulerOptions so = spec.scheduler;
  so.kv_blocks = res.kv.blocks;

  std::vector<RequestTiming> timing(requests.size());
  std::vector<double> first_token(requests.size(), -1);
  double end = 0, batch_integral = 0, itl_sum = 0, itl_count = 0;
  std::vector<double> itl_hist(kItlBins, 0.0);
  long long prompt_tokens = 0, hit_tokens = 0;
  auto absorb = [&](const ReplicaRun& run, const std::vector<std::size_t>& idx, bool keep_trace) {
    for (std::size_t k = 0; k < idx.size(); ++k) timing[idx[k]] = run.requests[k];
    res.preemptions += run.preemptions;
    res.iterations += run.iterations;
    res.max_concurrent = std::max(res.max_concurrent, run.max_concurrent);
    res.prefill_tokens_computed += static_cast<double>(run.prefill_tokens_computed);
    res.mean_in_system += run.in_system_integral;
    prompt_tokens += run.prompt_tokens;
    hit_tokens += run.prefix_hit_tokens;
    end = std::max(end, run.end_s);
    batch_integral += run.decode_seq_integral;
    for (int b = 0; b < kItlBins; ++b) itl_hist[b] += run.itl_histogram[b];
    itl_sum += run.itl_sum;
    itl_count += run.itl_count;
    if (keep_trace) res.trace = run.trace;
  };

  std::vector<std::vector<std::size_t>> idx;
  if (!disagg) {
    const auto parts = round_robin(requests, res.replicas, idx);
    for (int r = 0; r < res.replicas; ++r) {
      auto run = simulate_replica(parts[r], step, so, spec.seed + static_cast<std::uint64_t>(r),
                                  r == 0 ? spec.trace_limit : 0);
      absorb(run, idx[r], r == 0);
    }
  } else {
    // Prefill pool: each request generates its first token there, then its KV crosses to a
    // decode replica (scale-up link inside a domain, else the network) and decodes there.
    SchedulerOptions pre = so;
    std::vector<Request> prefill_only = requests;
    for (auto& r : prefill_only) r.output_tokens = 1;
    const auto parts = round_robin(prefill_only, spec.prefill_replicas, idx);
    for (int r = 0; r < spec.prefill_replicas; ++r) {
      auto run = simulate_replica(parts[r], step, pre, spec.seed + r, 0);
      for (std::size_t k = 0; k < idx[r].size(); ++k) first_token[idx[r][k]] = run.requests[k].first_token_s;
      res.prefill_tokens_computed += static_cast<double>(run.prefill_tokens_computed);
      res.iterations += run.iterations;
      res.preemptions += run.preemptions;
    }
    double link = 0;
    if (collectives) {
      const bool same_domain = (spec.prefill_replicas + spec.decode_replicas) * per_replica <= collectives->domain_size();
      link = same_domain ? collectives->scale_up_bandwidth() : collectives->network_bandwidth_per_gpu();
      link *= per_replica;  // every GPU of the replica sends its shard
    }
    std::vector<Request> decode_reqs = requests;
    double transfer_sum = 0;
    for (std::size_t i = 0; i < requests.size(); ++i) {
      const double bytes = step.kv_bytes_per_token() * per_replica * requests[i].input_tokens;
      const double dt = link > 0 ? bytes / link : 0;
      transfer_sum += dt;
      decode_reqs[i].arrival_s = std::max(0.0, first_token[i]) + dt;
    }
    res.kv_transfer_s = requests.empty() ? 0 : transfer_sum / static_cast<double>(requests.size());
    std::vector<std::size_t> order(requests.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return decode_reqs[a].arrival_s < decode_reqs[b].arrival_s; });
    std::vector<Request> sorted;
    for (auto i : order) sorted.push_back(decode_reqs[i]);
    std::vector<std::vector<std::size_t>> didx;
    const auto dparts = round_robin(sorted, spec.decode_replicas, didx);
    SchedulerOptions dec = so;
    dec.decode_only = true;
    for (int r = 0; r < spec.decode_replicas; ++r) {
      auto run = simulate_replica(dparts[r], step, dec, spec.seed + 1000 + r, r == 0 ? spec.trace_limit : 0);
      for (auto& k : didx[r]) k = order[k];
      absorb(run, didx[r], r == 0);
    }
    for (std::size_t i = 0; i < requests.size(); ++i) {
      timing[i].arrival_s = requests[i].arrival_s;
      timing[i].first_token_s = first_token[i];
    }
    res.mean_in_system = 0;
    for (const auto& t : timing) res.mean_in_system += t.finish_s - t.arrival_s;
  }

  std::vector<double> ttft, tpot, e2e;
  ttft.reserve(timing.size());
  double out_tokens = 0, in_tokens = 0, good = 0;
  for (std::size_t i = 0; i < timing.size(); ++i) {
    const auto& t = timing[i];
    if (t.dropped) {
      ++res.dropped_requests;
      continue;
    }
    ++res.completed_requests;
    const double f = t.first_token_s - t.arrival_s, e = t.finish_s - t.arrival_s;
    ttft.push_back(f);
    e2e.push_back(e);
    double per = 0;
    if (t.output_tokens > 1) {
      per = (t.finish_s - t.first_token_s) / (t.output_tokens - 1);
      tpot.push_back(per);
    }
    out_tokens += t.output_tokens;
    in_tokens += requests[i].input_tokens;
    const bool ok = (spec.slo_ttft_s <= 0 || f <= spec.slo_ttft_s) && (spec.slo_tpot_s <= 0 || per <= spec.slo_tpot_s);
    if (ok) good += 1;
  }
  double first_arrival = requests.empty() ? 0 : requests.front().arrival_s;
  res.elapsed_s = std::max(0.0, end - first_arrival);
  const double T = res.elapsed_s > 0 ? res.elapsed_s : 1;
  res.output_tokens_per_s = out_tokens / T;
  res.total_tokens_per_s = (out_tokens + in_tokens) / T;
  res.requests_per_s = static_cast<double>(res.completed_requests) / T;
  res.goodput_requests_per_s = good / T;
  res.ttft_s = Distribution::of(ttft);
  res.tpot_s = Distribution::of(tpot);
  res.e2e_s = Distribution::of(e2e);
  res.itl_s.mean = itl_count > 0 ? itl_sum / itl_count : 0;
  res.itl_s.p50 = histogram_percentile(itl_hist, 0.5);
  res.itl_s.p90 = histogram_percentile(itl_hist, 0.9);
  res.itl_s.p99 = histogram_percentile(itl_hist, 0.99);
  res.mean_in_system /= T;
  res.mean_batch_seqs = batch_integral / T;
  res.prefix_hit_rate = prompt_tokens > 0 ? static_cast<double>(hit_tokens) / static_cast<double>(prompt_tokens) : 0;
  return res;
}

}  // namespace xpusim::serving
