#include <algorithm>
#include <fstream>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "report/serving_record.hpp"
#include "serving/search.hpp"
#include "serving/serve.hpp"
#include "validation/inference_suite.hpp"

namespace xpusim::cli {
namespace {

struct ServeOptions {
  std::string model = "llama3-8b", system = "dgx-h100", engine = "vllm", dtype = "bf16", kv_dtype = "auto";
  std::string scheduler = "continuous", input_len = "1000", output_len = "250", workload, arrival, trace;
  std::string chunked_prefill, prefix_caching, preemption, disaggregate;
  int gpus = 0, tp = 1, pp = 1, ep = 1, max_num_seqs = 0, spec_tokens = 0, top = 10, prefix_groups = 1, concurrency = 0;
  long long max_batched_tokens = 0, num_requests = 1000;
  double rate = 0, burstiness = 1, slo_ttft = 0, slo_tpot = 0, spec_acceptance = 0.7, shared_prefix = 0;
  std::uint64_t seed = 0;
  bool search = false, calibrate = false;
  std::vector<std::string> sets;
};

bool on_off(const std::string& flag, const std::string& v, bool fallback) {
  if (v.empty()) return fallback;
  if (v == "on" || v == "true") return true;
  if (v == "off" || v == "false") return false;
  throw core::Error::flag(flag, v, "on or off");
}

// `--calibrate`: refits the engine profiles on the calibration rows of the inference suite and
// prints the values to write into data/engines/*.yaml.
void run_calibrate(Context& ctx) {
  const auto& session = ctx.session();
  const auto rows = validation::load_inference_rows(session.data_dir() / "validation" / "inference_calibration.csv");
  const auto engines = validation::fit_engine_overheads(rows, session.catalog(), session.timings(), session.data_dir());
  report::Record rec;
  report::Record list = report::Record::array();
  for (const auto& e : engines)
    list.push_back({{"engine", e.name},
                    {"device_efficiency", e.device_efficiency},
                    {"compute_efficiency", e.compute_efficiency},
                    {"compute_efficiency_fp8", e.compute_efficiency_fp8},
                    {"attention_efficiency", e.attention_efficiency},
                    {"step_overhead_s", e.step_overhead_s},
                    {"per_seq_overhead_s", e.per_seq_overhead_s},
                    {"graph_kernel_gap_s", e.graph_kernel_gap_s},
                    {"dequant_elements_per_sm_cycle", e.dequant_elements_per_sm_cycle},
                    {"custom_allreduce_latency_s", e.custom_allreduce_latency_s},
                    {"allreduce_min_latency_s", e.allreduce_min_latency_s}});
  rec["calibration_rows"] = std::count_if(rows.rows.begin(), rows.rows.end(), [](const auto& r) { return r.calibration; });
  rec["engines"] = list;
  ctx.emit(rec);
}

void run_serve(Context& ctx, const ServeOptions& o) {
  if (o.calibrate) return run_calibrate(ctx);
  const auto& session = ctx.session();
  const auto system = session.system(o.system, "--system", hardware::parse_overrides(o.sets));
  const auto arch = session.architecture(o.model);
  const auto cost = session.cost_model(system->chip_ptr());
  const cost::CollectiveModel collectives(*system);
  const auto engine = serving::load_engine(o.engine, session.data_dir());

  serving::ServeSpec spec;
  auto& p = spec.placement;
  p.tp = o.tp;
  p.pp = o.pp;
  p.ep = o.ep;
  p.weights = serving::parse_weight_format(o.dtype, "--dtype");
  if (o.kv_dtype == "auto") p.kv_bytes = 2;
  else if (o.kv_dtype == "fp8") p.kv_bytes = 1;
  else if (o.kv_dtype == "bf16" || o.kv_dtype == "fp16") p.kv_bytes = 2;
  else throw core::Error::flag("--kv-dtype", o.kv_dtype, "one of: auto, bf16, fp16, fp8");
  spec.gpus = o.gpus > 0 ? o.gpus : o.tp * o.pp;
  auto& s = spec.scheduler;
  if (o.scheduler == "static") s.kind = serving::SchedulerKind::kStatic;
  else if (o.scheduler != "continuous") throw core::Error::flag("--scheduler", o.scheduler, "static or continuous");
  s.max_num_seqs = o.max_num_seqs > 0 ? o.max_num_seqs : engine.max_num_seqs;
  s.max_batched_tokens = o.max_batched_tokens > 0 ? o.max_batched_tokens : engine.max_batched_tokens;
  s.chunked_prefill = on_off("--chunked-prefill", o.chunked_prefill, engine.chunked_prefill);
  s.prefill_all_waiting = engine.prefill_all_waiting;
  s.first_token_from_decode = engine.first_token_from_decode;
  s.prefix_caching = on_off("--prefix-caching", o.prefix_caching, engine.prefix_caching);
  s.preemption = engine.preemption;
  if (o.preemption == "swap") s.preemption = serving::Preemption::kSwap;
  else if (o.preemption == "recompute") s.preemption = serving::Preemption::kRecompute;
  else if (!o.preemption.empty()) throw core::Error::flag("--preemption", o.preemption, "recompute or swap");
  s.admission = engine.admission;
  s.block_size = engine.block_size;
  s.spec_tokens = o.spec_tokens;
  if (o.concurrency < 0) throw core::Error::flag("--concurrency", std::to_string(o.concurrency), "a client count >= 1");
  s.concurrency = o.concurrency;
  if (o.spec_acceptance < 0 || o.spec_acceptance > 1)
    throw core::Error::flag("--spec-acceptance", std::to_string(o.spec_acceptance), "a probability in [0, 1]");
  s.spec_acceptance = o.spec_acceptance;
  spec.slo_ttft_s = o.slo_ttft;
  spec.slo_tpot_s = o.slo_tpot;
  spec.seed = o.seed;
  spec.trace_limit = o.trace.empty() ? 0 : 200000;
  if (!o.disaggregate.empty()) {
    const auto colon = o.disaggregate.find(':');
    try {
      if (colon == std::string::npos) throw std::invalid_argument("no colon");
      spec.prefill_replicas = std::stoi(o.disaggregate.substr(0, colon));
      spec.decode_replicas = std::stoi(o.disaggregate.substr(colon + 1));
    } catch (const std::exception&) {
      spec.prefill_replicas = 0;
    }
    if (spec.prefill_replicas < 1 || spec.decode_replicas < 1)
      throw core::Error::flag("--disaggregate", o.disaggregate, "P:D, prefill and decode replica counts >= 1, e.g. 1:3");
  }

  std::vector<serving::Request> requests;
  if (!o.workload.empty()) {
    requests = serving::load_trace(o.workload);
  } else {
    serving::WorkloadSpec w;
    w.num_requests = o.num_requests;
    w.input = serving::parse_length(o.input_len, "--input-len", session.data_dir());
    w.output = serving::parse_length(o.output_len, "--output-len", session.data_dir());
    const std::string arrival = o.arrival.empty() ? (o.rate > 0 ? "poisson" : "offline") : o.arrival;
    if (arrival == "offline") w.arrival = serving::ArrivalKind::kOffline;
    else if (arrival == "poisson") w.arrival = serving::ArrivalKind::kPoisson;
    else if (arrival == "gamma") w.arrival = serving::ArrivalKind::kGamma;
    else throw core::Error::flag("--arrival", arrival, "offline, poisson or gamma");
    if (w.arrival != serving::ArrivalKind::kOffline && !(o.rate > 0))
      throw core::Error::flag("--rate", std::to_string(o.rate), "a request rate > 0 per second for " + arrival + " arrivals");
    if (!(o.burstiness > 0)) throw core::Error::flag("--burstiness", std::to_string(o.burstiness), "a Gamma shape > 0");
    if (o.shared_prefix < 0 || o.shared_prefix >= 1)
      throw core::Error::flag("--shared-prefix", std::to_string(o.shared_prefix), "a fraction in [0, 1)");
    w.rate_per_s = o.rate;
    w.burstiness = o.burstiness;
    w.seed = o.seed;
    w.shared_prefix_fraction = o.shared_prefix;
    w.prefix_groups = o.prefix_groups;
    requests = serving::generate_workload(w);
  }

  if (o.search) {
    const auto cands = serving::search_serving(*arch, *cost, &collectives, engine, spec, requests, ctx.progress("search"));
    report::Record rec;
    rec["model"] = o.model;
    rec["system"] = system->label();
    rec["engine"] = engine.name;
    rec["gpus"] = spec.gpus;
    rec["slo_ttft_s"] = spec.slo_ttft_s;
    rec["slo_tpot_s"] = spec.slo_tpot_s;
    rec["candidates"] = cands.size();
    report::Record rows = report::Record::array();
    for (std::size_t i = 0; i < cands.size() && static_cast<int>(i) < o.top; ++i) {
      const auto& c = cands[i];
      rows.push_back({{"tp", c.tp}, {"replicas", c.replicas}, {"max_num_seqs", c.max_num_seqs},
                      {"max_batched_tokens", c.max_batched_tokens}, {"feasible", c.result.feasible},
                      {"goodput_requests_per_s_per_gpu", c.goodput_per_gpu},
                      {"throughput_output_tokens_per_s", c.result.output_tokens_per_s},
                      {"ttft_p99_s", c.result.ttft_s.p99}, {"tpot_p99_s", c.result.tpot_s.p99},
                      {"reason", c.result.reason}});
    }
    rec["top"] = rows;
    ctx.emit(rec);
    if (cands.empty() || !cands.front().result.feasible) ctx.exit_code = 1;
    return;
  }

  const auto result = serving::simulate_serving(*arch, *cost, &collectives, engine, spec, requests);
  if (!o.trace.empty()) {
    std::ofstream out(o.trace);
    if (!out) throw core::Error::flag("--trace", o.trace, "a writable file path");
    out << report::serving_trace(result).dump() << "\n";
  }
  ctx.emit(report::serving_record(result, spec, engine, o.model, system->label()));
  if (!result.feasible) ctx.exit_code = 1;
}

}  // namespace

void add_serve_command(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("serve", "Simulate LLM serving: TTFT, TPOT, throughput and goodput of an engine under load");
  auto o = std::make_shared<ServeOptions>();
  cmd->add_option("--model", o->model, "Model name or HF config.json")->capture_default_str();
  cmd->add_option("--system", o->system, "System name or YAML file")->capture_default_str();
  cmd->add_option("--gpus", o->gpus, "GPUs in all (replicas = gpus / (tp x pp)); default tp x pp");
  cmd->add_option("--tp", o->tp, "Tensor parallel degree")->capture_default_str();
  cmd->add_option("--pp", o->pp, "Pipeline parallel degree")->capture_default_str();
  cmd->add_option("--ep", o->ep, "Expert parallel degree (MoE)")->capture_default_str();
  cmd->add_option("--dtype", o->dtype, "Weight precision: bf16|fp16|fp8|int8|int4")->capture_default_str();
  cmd->add_option("--kv-dtype", o->kv_dtype, "KV cache precision: auto|bf16|fp8")->capture_default_str();
  cmd->add_option("--engine", o->engine, "Engine profile: vllm|sglang|trtllm|lmdeploy|gpt-fast or a YAML file")->capture_default_str();
  cmd->add_option("--scheduler", o->scheduler, "static|continuous")->capture_default_str();
  cmd->add_option("--max-num-seqs", o->max_num_seqs, "Running sequences at most (default: engine's)");
  cmd->add_option("--max-batched-tokens", o->max_batched_tokens, "Tokens per iteration (default: engine's)");
  cmd->add_option("--chunked-prefill", o->chunked_prefill, "on|off (default: engine's)");
  cmd->add_option("--prefix-caching", o->prefix_caching, "on|off (default: engine's)");
  cmd->add_option("--preemption", o->preemption, "recompute|swap (default: engine's)");
  cmd->add_option("--input-len", o->input_len, "Prompt tokens: N, uniform:A:B, lognormal:MEDIAN:SIGMA or histogram")->capture_default_str();
  cmd->add_option("--output-len", o->output_len, "Output tokens, same forms")->capture_default_str();
  cmd->add_option("--workload", o->workload, "Trace to replay (JSONL or CSV: arrival_s, input_tokens, output_tokens)");
  cmd->add_option("--arrival", o->arrival, "offline|poisson|gamma (default: poisson with --rate, else offline)");
  cmd->add_option("--rate", o->rate, "Mean request rate per second");
  cmd->add_option("--concurrency", o->concurrency, "Closed loop: this many clients, each sending on completion");
  cmd->add_option("--burstiness", o->burstiness, "Gamma shape (1 = Poisson, < 1 burstier)")->capture_default_str();
  cmd->add_option("--num-requests", o->num_requests, "Requests to simulate")->capture_default_str();
  cmd->add_option("--shared-prefix", o->shared_prefix, "Fraction of each prompt shared within its prefix group");
  cmd->add_option("--prefix-groups", o->prefix_groups, "Distinct shared prefixes")->capture_default_str();
  cmd->add_option("--seed", o->seed, "Random seed")->capture_default_str();
  cmd->add_option("--slo-ttft", o->slo_ttft, "TTFT objective, seconds (0: none)");
  cmd->add_option("--slo-tpot", o->slo_tpot, "TPOT objective, seconds (0: none)");
  cmd->add_option("--disaggregate", o->disaggregate, "P:D prefill and decode replicas (KV sent over the links)");
  cmd->add_option("--spec-tokens", o->spec_tokens, "Speculative decoding: draft tokens per step");
  cmd->add_option("--spec-acceptance", o->spec_acceptance, "Speculative decoding: per-token acceptance")->capture_default_str();
  cmd->add_option("--trace", o->trace, "Write a Perfetto timeline of iterations and KV occupancy to FILE");
  cmd->add_flag("--search", o->search, "Search TP, replicas and batch limits for the best goodput per GPU under the SLO");
  cmd->add_flag("--calibrate", o->calibrate,
                "Refit the engine profiles on the inference suite's calibration rows and print the values");
  cmd->add_option("--top", o->top, "Candidates shown by --search")->capture_default_str();
  cmd->add_option("--set", o->sets, "Hardware override PATH=VALUE (repeatable)");
  ctx.add_format_option(cmd);
  cmd->callback([&ctx, o] { run_serve(ctx, *o); });
}

}  // namespace xpusim::cli
