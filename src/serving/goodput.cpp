#include "serving/goodput.hpp"

#include <algorithm>
#include <vector>

#include "core/dtype.hpp"

namespace xpusim::serving {
namespace {

ServeResult run_at(const model::Architecture& arch, const cost::CostModel& cost, const cost::CollectiveModel* coll,
                   const EngineProfile& engine, const Placement& placement, const GoodputWorkload& w, int tp,
                   int clients) {
  ServeSpec spec;
  spec.placement = placement;
  spec.placement.tp = tp;
  spec.gpus = w.gpus;
  spec.scheduler.max_num_seqs = clients;
  spec.scheduler.max_batched_tokens = engine.max_batched_tokens;
  spec.scheduler.chunked_prefill = engine.chunked_prefill;
  spec.scheduler.prefix_caching = engine.prefix_caching;
  spec.scheduler.preemption = engine.preemption;
  spec.scheduler.admission = engine.admission;
  spec.scheduler.block_size = engine.block_size;
  spec.scheduler.concurrency = clients;
  spec.slo_ttft_s = w.slo_ttft_s;
  spec.slo_tpot_s = w.slo_tpot_s;
  spec.seed = w.seed;
  const int replicas = w.gpus / (tp * placement.pp);
  WorkloadSpec ws;
  ws.num_requests = static_cast<long long>(replicas) * std::max(32, 4 * clients);
  ws.input.a = static_cast<double>(w.input_tokens);
  ws.output.a = static_cast<double>(w.output_tokens);
  ws.seed = w.seed;
  return simulate_serving(arch, cost, coll, engine, spec, generate_workload(ws));
}

// 1, 2, 3, 4, 6, 8, 12, ... (steps of 1.33-1.5x) up to `most`.
std::vector<int> client_ladder(int most) {
  std::vector<int> out;
  for (int p = 1; p <= most; p *= 2) {
    out.push_back(p);
    if (p >= 2 && p + p / 2 <= most) out.push_back(p + p / 2);
  }
  return out;
}

}  // namespace

GoodputResult best_slo_goodput(const model::Architecture& arch, const cost::CostModel& cost,
                               const cost::CollectiveModel* collectives, const EngineProfile& engine,
                               const Placement& placement, const GoodputWorkload& w) {
  GoodputResult best;
  std::string reason;
  for (int tp : {1, 2, 4, 8, 16}) {
    if (tp * placement.pp > w.gpus || w.gpus % (tp * placement.pp) != 0 || arch.heads % tp != 0) continue;
    double best_here = 0;
    for (int clients : client_ladder(w.max_concurrency)) {
      auto r = run_at(arch, cost, collectives, engine, placement, w, tp, clients);
      ++best.simulations;
      if (!r.feasible) {
        reason = "tp " + std::to_string(tp) + ": " + r.reason;
        break;
      }
      const double g = r.goodput_requests_per_s / w.gpus;
      const bool kv_bound = r.max_concurrent < clients;  // the KV cache could not hold every client
      if (g > best.goodput_requests_per_s_per_gpu || !best.feasible) {
        best.feasible = true;
        best.tp = tp;
        best.replicas = r.replicas;
        best.concurrency = clients;
        best.goodput_requests_per_s_per_gpu = g;
        best.limiting_resource = kv_bound ? "hbm_capacity" : "";
        best.result = std::move(r);
      }
      // Past the peak: more clients only stretch TPOT (or wait for KV blocks).
      if (g < best_here || kv_bound) break;
      best_here = g;
    }
  }
  if (!best.feasible) {
    best.reason = reason.empty() ? "no TP degree divides " + std::to_string(w.gpus) + " GPUs and the model's heads"
                                 : reason;
    best.limiting_resource = "hbm_capacity";
    return best;
  }
  const auto& r = best.result;
  best.goodput_tokens_per_s_per_gpu = best.goodput_requests_per_s_per_gpu * static_cast<double>(w.output_tokens);
  // What one GPU was busy with over the best run (a roofline of its whole work).
  const double replicas = std::max(1, best.replicas);
  const double decode_tokens = r.output_tokens_per_s * r.elapsed_s;  // all replicas
  const double flops = 2.0 * arch.params_active() * (r.prefill_tokens_computed + decode_tokens) / w.gpus;
  // fp8 weights run W8A8 on the fp8 path; every other format does its math in bf16.
  const double peak = cost.chip().peak_flops_per_s(placement.weights == WeightFormat::kFp8 ? core::Dtype::kFp8
                                                                                          : core::Dtype::kBf16);
  best.compute_s = peak > 0 ? flops / peak : 0;
  StepCostModel step(arch, cost, collectives, [&] {
    Placement p = placement;
    p.tp = best.tp;
    return p;
  }(), engine);
  const double context = static_cast<double>(w.input_tokens) + static_cast<double>(w.output_tokens) / 2.0;
  const double bytes = static_cast<double>(r.iterations) / replicas * step.weight_bytes() +
                       decode_tokens / replicas * context * step.kv_bytes_per_token();
  const double bw = cost.chip().memory().bandwidth_bytes_per_s();
  best.hbm_s = bytes / bw;
  // One decode step at the mean running batch: weights once plus every sequence's KV, against
  // 2 FLOPs per active parameter per sequence.
  const double batch = std::max(1.0, r.mean_batch_seqs / replicas);
  const double step_bytes = step.weight_bytes() + batch * context * step.kv_bytes_per_token();
  const double step_flops = 2.0 * arch.params_active() * batch / (best.tp * placement.pp);
  best.decode_bound = step_bytes / bw >= (peak > 0 ? step_flops / peak : 0) ? "hbm_bandwidth" : "compute";
  if (best.limiting_resource.empty())
    best.limiting_resource = best.result.goodput_requests_per_s <= 0 ? "slo"
                             : best.hbm_s >= best.compute_s         ? "hbm_bandwidth"
                                                                    : "compute";
  return best;
}

}  // namespace xpusim::serving
