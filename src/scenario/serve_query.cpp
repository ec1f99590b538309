#include "scenario/serve_query.hpp"

#include <charconv>
#include <stdexcept>

#include "core/error.hpp"
#include "core/limits.hpp"
#include "hardware/overrides.hpp"

namespace xpusim::scenario {
namespace {

bool on_off(const std::string& flag, const std::string& v, bool fallback) {
  if (v.empty()) return fallback;
  if (v == "on" || v == "true") return true;
  if (v == "off" || v == "false") return false;
  throw core::Error::flag(flag, v, "on or off");
}

std::vector<serving::Request> workload_of(const Session& session, const ServeQuery& q) {
  if (!q.workload.empty()) return serving::load_trace(q.workload);
  serving::WorkloadSpec w;
  if (q.num_requests < 1 || q.num_requests > core::kMaxServeRequests)
    throw core::Error::flag("--num-requests", std::to_string(q.num_requests),
                            "a request count from 1 to 10,000,000 (about 100,000 are simulated per second)");
  w.num_requests = q.num_requests;
  w.input = serving::parse_length(q.input_len, "--input-len", session.data_dir());
  w.output = serving::parse_length(q.output_len, "--output-len", session.data_dir());
  const std::string arrival = q.arrival.empty() ? (q.rate > 0 ? "poisson" : "offline") : q.arrival;
  if (arrival == "offline") w.arrival = serving::ArrivalKind::kOffline;
  else if (arrival == "poisson") w.arrival = serving::ArrivalKind::kPoisson;
  else if (arrival == "gamma") w.arrival = serving::ArrivalKind::kGamma;
  else throw core::Error::flag("--arrival", arrival, "offline, poisson or gamma");
  if (w.arrival != serving::ArrivalKind::kOffline && !(q.rate > 0))
    throw core::Error::flag("--rate", std::to_string(q.rate), "a request rate > 0 per second for " + arrival + " arrivals");
  if (!(q.burstiness > 0)) throw core::Error::flag("--burstiness", std::to_string(q.burstiness), "a Gamma shape > 0");
  if (q.shared_prefix < 0 || q.shared_prefix >= 1)
    throw core::Error::flag("--shared-prefix", std::to_string(q.shared_prefix), "a fraction in [0, 1)");
  w.rate_per_s = q.rate;
  w.burstiness = q.burstiness;
  w.seed = q.seed;
  w.shared_prefix_fraction = q.shared_prefix;
  w.prefix_groups = q.prefix_groups;
  return serving::generate_workload(w);
}

template <class T>
T number_of(const std::string& flag, const std::string& text, const char* expected) {
  T v{};
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || r.ec != std::errc() || r.ptr != text.data() + text.size()) throw core::Error::flag(flag, text, expected);
  return v;
}

}  // namespace

const std::vector<ServeField>& serve_fields() {
  using Q = ServeQuery;
  static const std::vector<ServeField> fields = {
      {"model", "Model name or HF config.json", &Q::model},
      {"system", "System name or YAML file", &Q::system},
      {"gpus", "GPUs in all (replicas = gpus / (tp x pp)); default tp x pp", &Q::gpus, false},
      {"tp", "Tensor parallel degree", &Q::tp},
      {"pp", "Pipeline parallel degree", &Q::pp},
      {"ep", "Expert parallel degree (MoE)", &Q::ep},
      {"dtype", "Weight precision: bf16|fp16|fp8|int8|int4", &Q::dtype},
      {"kv_dtype", "KV cache precision: auto|bf16|fp8", &Q::kv_dtype},
      {"engine", "Engine profile: vllm|sglang|trtllm|lmdeploy|gpt-fast or a YAML file", &Q::engine},
      {"scheduler", "static|continuous", &Q::scheduler},
      {"max_num_seqs", "Running sequences at most (default: engine's)", &Q::max_num_seqs, false},
      {"max_batched_tokens", "Tokens per iteration (default: engine's)", &Q::max_batched_tokens, false},
      {"chunked_prefill", "on|off (default: engine's)", &Q::chunked_prefill, false},
      {"prefix_caching", "on|off (default: engine's)", &Q::prefix_caching, false},
      {"preemption", "recompute|swap (default: engine's)", &Q::preemption, false},
      {"input_len", "Prompt tokens: N, uniform:A:B, lognormal:MEDIAN:SIGMA or histogram", &Q::input_len},
      {"output_len", "Output tokens, same forms", &Q::output_len},
      {"workload", "Trace to replay (JSONL or CSV: arrival_s, input_tokens, output_tokens)", &Q::workload, false},
      {"arrival", "offline|poisson|gamma (default: poisson with --rate, else offline)", &Q::arrival, false},
      {"rate", "Mean request rate per second", &Q::rate, false},
      {"concurrency", "Closed loop: this many clients, each sending on completion", &Q::concurrency, false},
      {"burstiness", "Gamma shape (1 = Poisson, < 1 burstier)", &Q::burstiness},
      {"num_requests", "Requests to simulate (at most 10,000,000)", &Q::num_requests},
      {"shared_prefix", "Fraction of each prompt shared within its prefix group", &Q::shared_prefix, false},
      {"prefix_groups", "Distinct shared prefixes", &Q::prefix_groups},
      {"seed", "Random seed", &Q::seed},
      {"slo_ttft", "TTFT objective, seconds (0: none)", &Q::slo_ttft, false},
      {"slo_tpot", "TPOT objective, seconds (0: none)", &Q::slo_tpot, false},
      {"disaggregate", "P:D prefill and decode replicas (KV sent over the links)", &Q::disaggregate, false},
      {"spec_tokens", "Speculative decoding: draft tokens per step", &Q::spec_tokens, false},
      {"spec_acceptance", "Speculative decoding: per-token acceptance", &Q::spec_acceptance},
      {"set", "Hardware override PATH=VALUE (repeatable)", &Q::sets, false},
  };
  return fields;
}

const ServeField* find_serve_field(const std::string& name) {
  for (const auto& f : serve_fields())
    if (name == f.name) return &f;
  return nullptr;
}

std::string ServeField::flag() const {
  std::string out = std::string("--") + name;
  for (auto& c : out) if (c == '_') c = '-';
  return out;
}

void ServeField::apply(ServeQuery& q, const std::string& text) const {
  const std::string f = flag();
  std::visit(
      [&](auto m) {
        using T = std::remove_reference_t<decltype(q.*m)>;
        if constexpr (std::is_same_v<T, std::string>) q.*m = text;
        else if constexpr (std::is_same_v<T, std::vector<std::string>>) (q.*m).push_back(text);
        else if constexpr (std::is_same_v<T, double>) q.*m = number_of<double>(f, text, "a number");
        else if constexpr (std::is_same_v<T, std::uint64_t>) q.*m = number_of<std::uint64_t>(f, text, "a non-negative integer");
        else q.*m = number_of<T>(f, text, "an integer");
      },
      member);
}

ServeSetup resolve_serve(const Session& session, const ServeQuery& q) {
  ServeSetup out;
  out.system = session.system(q.system, "--system", hardware::parse_overrides(q.sets));
  out.arch = session.architecture(q.model);
  out.cost = session.cost_model(out.system->chip_ptr());
  out.collectives = std::make_unique<cost::CollectiveModel>(*out.system);
  out.engine = serving::load_engine(q.engine, session.data_dir());
  const auto& engine = out.engine;

  serving::ServeSpec& spec = out.spec;
  auto& p = spec.placement;
  p.tp = q.tp;
  p.pp = q.pp;
  p.ep = q.ep;
  p.weights = serving::parse_weight_format(q.dtype, "--dtype");
  if (q.kv_dtype == "auto") p.kv_bytes = 2;
  else if (q.kv_dtype == "fp8") p.kv_bytes = 1;
  else if (q.kv_dtype == "bf16" || q.kv_dtype == "fp16") p.kv_bytes = 2;
  else throw core::Error::flag("--kv-dtype", q.kv_dtype, "one of: auto, bf16, fp16, fp8");
  spec.gpus = q.gpus > 0 ? q.gpus : q.tp * q.pp;
  auto& s = spec.scheduler;
  if (q.scheduler == "static") s.kind = serving::SchedulerKind::kStatic;
  else if (q.scheduler != "continuous") throw core::Error::flag("--scheduler", q.scheduler, "static or continuous");
  s.max_num_seqs = q.max_num_seqs > 0 ? q.max_num_seqs : engine.max_num_seqs;
  s.max_batched_tokens = q.max_batched_tokens > 0 ? q.max_batched_tokens : engine.max_batched_tokens;
  s.chunked_prefill = on_off("--chunked-prefill", q.chunked_prefill, engine.chunked_prefill);
  s.prefill_all_waiting = engine.prefill_all_waiting;
  s.first_token_from_decode = engine.first_token_from_decode;
  s.prefix_caching = on_off("--prefix-caching", q.prefix_caching, engine.prefix_caching);
  s.preemption = engine.preemption;
  if (q.preemption == "swap") s.preemption = serving::Preemption::kSwap;
  else if (q.preemption == "recompute") s.preemption = serving::Preemption::kRecompute;
  else if (!q.preemption.empty()) throw core::Error::flag("--preemption", q.preemption, "recompute or swap");
  s.admission = engine.admission;
  s.block_size = engine.block_size;
  s.spec_tokens = q.spec_tokens;
  if (q.concurrency < 0) throw core::Error::flag("--concurrency", std::to_string(q.concurrency), "a client count >= 1");
  s.concurrency = q.concurrency;
  if (q.spec_acceptance < 0 || q.spec_acceptance > 1)
    throw core::Error::flag("--spec-acceptance", std::to_string(q.spec_acceptance), "a probability in [0, 1]");
  s.spec_acceptance = q.spec_acceptance;
  spec.slo_ttft_s = q.slo_ttft;
  spec.slo_tpot_s = q.slo_tpot;
  spec.seed = q.seed;
  spec.trace_limit = q.keep_trace ? 200000 : 0;
  if (!q.disaggregate.empty()) {
    const auto colon = q.disaggregate.find(':');
    try {
      if (colon == std::string::npos) throw std::invalid_argument("no colon");
      spec.prefill_replicas = std::stoi(q.disaggregate.substr(0, colon));
      spec.decode_replicas = std::stoi(q.disaggregate.substr(colon + 1));
    } catch (const std::exception&) {
      spec.prefill_replicas = 0;
    }
    if (spec.prefill_replicas < 1 || spec.decode_replicas < 1)
      throw core::Error::flag("--disaggregate", q.disaggregate, "P:D, prefill and decode replica counts >= 1, e.g. 1:3");
  }
  out.requests = workload_of(session, q);
  return out;
}

}  // namespace xpusim::scenario
