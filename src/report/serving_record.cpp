#include "report/serving_record.hpp"

namespace xpusim::report {

namespace {

Record dist(const serving::Distribution& d) { return Record{{"mean", d.mean}, {"p50", d.p50}, {"p90", d.p90}, {"p99", d.p99}}; }

}  // namespace

Record serving_record(const serving::ServeResult& r, const serving::ServeSpec& spec,
                      const serving::EngineProfile& engine, const std::string& model, const std::string& system) {
  Record rec;
  rec["feasible"] = r.feasible;
  if (!r.feasible) rec["reason"] = r.reason;
  rec["simulated_requests"] = r.simulated_requests;
  rec["completed_requests"] = r.completed_requests;
  rec["dropped_requests"] = r.dropped_requests;
  rec["elapsed_s"] = r.elapsed_s;
  rec["throughput_output_tokens_per_s"] = r.output_tokens_per_s;
  rec["throughput_total_tokens_per_s"] = r.total_tokens_per_s;
  rec["throughput_requests_per_s"] = r.requests_per_s;
  rec["ttft_s"] = dist(r.ttft_s);
  rec["tpot_s"] = dist(r.tpot_s);
  rec["e2e_latency_s"] = dist(r.e2e_s);
  rec["itl_s"] = dist(r.itl_s);
  rec["goodput_requests_per_s"] = r.goodput_requests_per_s;
  rec["goodput_requests_per_s_per_gpu"] = spec.gpus > 0 ? r.goodput_requests_per_s / spec.gpus : 0.0;
  rec["kv_cache_bytes"] = r.kv.kv_bytes;
  rec["kv_blocks"] = r.kv_blocks;
  rec["max_concurrent_sequences"] = r.max_concurrent;
  rec["preemptions"] = r.preemptions;
  rec["prefix_hit_rate"] = r.prefix_hit_rate;
  rec["mean_requests_in_system"] = r.mean_in_system;
  rec["mean_decode_batch"] = r.mean_batch_seqs;
  rec["iterations"] = r.iterations;
  rec["prefill_tokens_computed"] = r.prefill_tokens_computed;
  const auto& p = spec.placement;
  rec["model"] = model;
  rec["system"] = system;
  rec["engine"] = engine.name;
  rec["gpus"] = spec.gpus;
  rec["replicas"] = r.replicas;
  rec["tp"] = p.tp;
  rec["pp"] = p.pp;
  rec["ep"] = p.ep;
  rec["weight_dtype"] = serving::weight_format_name(p.weights);
  rec["kv_dtype"] = p.kv_bytes <= 1 ? "fp8" : "bf16";
  rec["scheduler"] = spec.scheduler.kind == serving::SchedulerKind::kStatic ? "static" : "continuous";
  rec["max_num_seqs"] = spec.scheduler.max_num_seqs;
  rec["max_batched_tokens"] = spec.scheduler.max_batched_tokens;
  rec["chunked_prefill"] = spec.scheduler.chunked_prefill;
  rec["prefix_caching"] = spec.scheduler.prefix_caching;
  rec["preemption_mode"] = serving::preemption_name(spec.scheduler.preemption);
  if (spec.prefill_replicas > 0) {
    rec["disaggregate"] = std::to_string(spec.prefill_replicas) + ":" + std::to_string(spec.decode_replicas);
    rec["kv_transfer_s"] = r.kv_transfer_s;
  }
  if (spec.scheduler.spec_tokens > 0) {
    rec["speculative_tokens"] = spec.scheduler.spec_tokens;
    rec["speculative_acceptance"] = spec.scheduler.spec_acceptance;
  }
  rec["memory_per_gpu"] = Record{{"device_bytes", r.kv.device_bytes},
                                 {"weights_bytes", r.kv.weight_bytes},
                                 {"activation_peak_bytes", r.kv.activation_bytes},
                                 {"reserved_bytes", r.kv.reserved_bytes},
                                 {"kv_cache_bytes", r.kv.kv_bytes}};
  rec["slo_ttft_s"] = spec.slo_ttft_s;
  rec["slo_tpot_s"] = spec.slo_tpot_s;
  return rec;
}

Record serving_search_record(const std::vector<serving::SearchCandidate>& candidates, std::size_t top,
                             const serving::ServeSpec& spec, const serving::EngineProfile& engine,
                             const std::string& model, const std::string& system) {
  Record rec;
  rec["model"] = model;
  rec["system"] = system;
  rec["engine"] = engine.name;
  rec["gpus"] = spec.gpus;
  rec["slo_ttft_s"] = spec.slo_ttft_s;
  rec["slo_tpot_s"] = spec.slo_tpot_s;
  rec["candidates"] = candidates.size();
  Record rows = Record::array();
  for (std::size_t i = 0; i < candidates.size() && i < top; ++i) {
    const auto& c = candidates[i];
    rows.push_back({{"tp", c.tp}, {"replicas", c.replicas}, {"max_num_seqs", c.max_num_seqs},
                    {"max_batched_tokens", c.max_batched_tokens}, {"feasible", c.result.feasible},
                    {"goodput_requests_per_s_per_gpu", c.goodput_per_gpu},
                    {"throughput_output_tokens_per_s", c.result.output_tokens_per_s},
                    {"ttft_p99_s", c.result.ttft_s.p99}, {"tpot_p99_s", c.result.tpot_s.p99},
                    {"reason", c.result.reason}});
  }
  rec["top"] = rows;
  return rec;
}

Record serving_trace(const serving::ServeResult& r) {
  Record events = Record::array();
  events.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", 0}, {"args", {{"name", "replica 0"}}}});
  events.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", 0}, {"tid", 0}, {"args", {{"name", "iterations"}}}});
  for (const auto& it : r.trace) {
    const double ts = it.start_s * 1e6;
    const char* kind = it.prefill_tokens > 0 ? (it.decode_seqs > 0 ? "mixed" : "prefill") : "decode";
    events.push_back({{"name", kind}, {"ph", "X"}, {"pid", 0}, {"tid", 0}, {"ts", ts}, {"dur", it.duration_s * 1e6},
                      {"args", {{"prefill_tokens", it.prefill_tokens}, {"decode_seqs", it.decode_seqs}}}});
    events.push_back({{"name", "kv_blocks_used"}, {"ph", "C"}, {"pid", 0}, {"ts", ts},
                      {"args", {{"blocks", it.kv_blocks_used}}}});
    events.push_back({{"name", "requests"}, {"ph", "C"}, {"pid", 0}, {"ts", ts},
                      {"args", {{"running", it.running}, {"waiting", it.waiting}}}});
  }
  return Record{{"traceEvents", events}, {"displayTimeUnit", "ms"},
                {"metadata", {{"kv_blocks", r.kv_blocks}, {"iterations_recorded", r.trace.size()}}}};
}

}  // namespace xpusim::report
