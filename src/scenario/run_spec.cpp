#include "scenario/run_spec.hpp"

#include <algorithm>

#include "core/limits.hpp"
#include "core/suggest.hpp"

namespace xpusim::scenario {
namespace {

using training::Layout;

long long positive(const FieldValue& v) {
  std::size_t used = 0;
  long long n = 0;
  try {
    n = std::stoll(v.text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != v.text.size() || v.text.empty() || n <= 0) throw v.error("a positive integer");
  return n;
}

long long bounded(const FieldValue& v, long long limit, const char* why) {
  const long long n = positive(v);
  if (n > limit) throw v.error("a positive integer of at most " + std::to_string(limit) + " (" + why + ")");
  return n;
}

// Parallel sizes are ints; a size past 1e9 is a typo, not a machine.
int small_positive(const FieldValue& v) {
  const long long n = positive(v);
  if (n > 1'000'000'000) throw v.error("a positive integer below 1e9");
  return static_cast<int>(n);
}

bool boolean(const FieldValue& v) {
  if (v.text == "true") return true;
  if (v.text == "false") return false;
  throw v.error("true or false");
}

std::size_t choice(const FieldValue& v, const std::vector<std::string>& choices) {
  const auto it = std::find(choices.begin(), choices.end(), v.text);
  if (it == choices.end()) throw v.error(core::expected_one_of(choices));
  return static_cast<std::size_t>(it - choices.begin());
}

using Apply = std::function<void(const FieldValue&, Scenario&)>;

RunField text(std::string name, std::string flag, bool required, std::string description,
              std::function<void(Scenario&, std::string)> set) {
  return RunField{std::move(name), std::move(flag), FieldType::kText, "", "", required, false, {},
                  std::move(description), [set](const FieldValue& v, Scenario& s) {
                    if (v.text.empty()) throw v.error("a non-empty value");
                    set(s, v.text);
                  }};
}

RunField count(std::string name, std::string flag, std::string unit, std::string def, bool required,
               std::string description, std::function<void(Layout&, const FieldValue&)> set) {
  return RunField{std::move(name), std::move(flag), FieldType::kCount, std::move(unit), std::move(def), required,
                  false, {}, std::move(description),
                  [set](const FieldValue& v, Scenario& s) { set(s.layout, v); }};
}

RunField pick(std::string name, std::string flag, std::vector<std::string> choices, std::string def,
              std::string description, std::function<void(Layout&, std::size_t)> set) {
  auto c = choices;
  return RunField{std::move(name), std::move(flag), FieldType::kChoice, "", std::move(def), false, false,
                  std::move(choices), std::move(description),
                  [set, c](const FieldValue& v, Scenario& s) { set(s.layout, choice(v, c)); }};
}

RunField toggle(std::string name, std::string flag, bool def, std::string description,
                std::function<void(Layout&, bool)> set) {
  // A switch that is on by default is turned off by its flag ("--no-sp").
  return RunField{std::move(name), std::move(flag), FieldType::kBool, "", def ? "true" : "false", false, def, {},
                  std::move(description), [set](const FieldValue& v, Scenario& s) { set(s.layout, boolean(v)); }};
}

std::vector<RunField> build_training_fields() {
  std::vector<RunField> f;
  f.push_back(text("model", "--model", true, "Model: shipped name (llama3-70b) or a HuggingFace config.json",
                   [](Scenario& s, std::string v) { s.model = std::move(v); }));
  f.push_back(text("system", "--system", true, "System: catalog name (dgx-h100) or a YAML file",
                   [](Scenario& s, std::string v) { s.system = std::move(v); }));
  f.push_back(RunField{"set", "--set", FieldType::kOverrides, "", "", false, false, {},
                       "Override a hardware field by dotted path, e.g. memory.stacks=8 (repeatable; system paths "
                       "such as node.scale_up.domain_size=16 too)",
                       [](const FieldValue& v, Scenario& s) {
                         // A bad override is reported where it was given (flag or file:line).
                         try {
                           s.overrides.push_back(hardware::parse_override(v.text));
                         } catch (const core::Error& e) {
                           throw v.error(e.expected());
                         }
                       }});
  f.push_back(count("gpus", "--gpus", "GPUs", "", true, "Number of GPUs",
                    [](Layout& l, const FieldValue& v) { l.gpus = positive(v); }));
  f.push_back(count("tp", "--tp", "GPUs", "1", false, "Tensor parallel size",
                    [](Layout& l, const FieldValue& v) { l.tp = small_positive(v); }));
  f.push_back(count("pp", "--pp", "stages", "1", false, "Pipeline parallel size",
                    [](Layout& l, const FieldValue& v) { l.pp = small_positive(v); }));
  f.push_back(count("vpp", "--vpp", "chunks", "1", false,
                    "Virtual pipeline stages per GPU, interleaved 1F1B when > 1",
                    [](Layout& l, const FieldValue& v) { l.vpp = small_positive(v); }));
  f.push_back(count("dp", "--dp", "GPUs", "", false, "Data parallel size (default: gpus / (tp*pp*cp))",
                    [](Layout& l, const FieldValue& v) { l.dp = small_positive(v); }));
  f.push_back(count("cp", "--cp", "GPUs", "1", false, "Context parallel size, ring attention",
                    [](Layout& l, const FieldValue& v) { l.cp = small_positive(v); }));
  f.push_back(count("ep", "--ep", "GPUs", "1", false, "Expert parallel size, carved out of dp*cp",
                    [](Layout& l, const FieldValue& v) { l.ep = small_positive(v); }));
  f.push_back(count("etp", "--etp", "GPUs", "", false, "Expert tensor parallel size (default: tp)",
                    [](Layout& l, const FieldValue& v) { l.etp = small_positive(v); }));
  f.push_back(count("seq_len", "--seq-len", "tokens", "", true, "Sequence length in tokens",
                    [](Layout& l, const FieldValue& v) {
                      l.seq_len = bounded(v, core::kMaxSequenceTokens, "13x the longest published context");
                    }));
  f.push_back(count("global_batch", "--global-batch", "sequences", "", true, "Sequences per optimizer step",
                    [](Layout& l, const FieldValue& v) { l.global_batch = bounded(v, 1LL << 31, "2^31 sequences"); }));
  f.push_back(count("micro_batch", "--micro-batch", "sequences", "auto", false,
                    "Sequences per micro-batch (auto: the fastest that fits, reported as micro_batch_auto)",
                    [](Layout& l, const FieldValue& v) {
                      l.micro_batch = v.text == "auto" ? 0 : bounded(v, 1LL << 31, "2^31 sequences");
                    }));
  f.push_back(pick("recompute", "--recompute", {"none", "selective", "full"}, "none", "Activation recomputation",
                   [](Layout& l, std::size_t i) { l.recompute = static_cast<training::Recompute>(i); }));
  f.push_back(pick("zero", "--zero", {"0", "1", "2", "3"}, "1",
                   "ZeRO stage (1 = distributed optimizer, 3 = FSDP)",
                   [](Layout& l, std::size_t i) { l.zero = static_cast<int>(i); }));
  f.push_back(pick("dtype", "--dtype", {"bf16", "fp8"}, "bf16", "GEMM precision",
                   [](Layout& l, std::size_t i) { l.dtype = i == 0 ? core::Dtype::kBf16 : core::Dtype::kFp8; }));
  f.push_back(RunField{"order", "--order", FieldType::kText, "", "tp-cp-ep-dp-pp", false, false, {},
                       "Rank order, innermost first", [](const FieldValue& v, Scenario& s) {
                         try {
                           s.layout.order = training::parse_axis_order(v.text, "order");
                         } catch (const core::Error& e) {
                           throw v.error(e.expected());
                         }
                       }});
  f.push_back(toggle("sequence_parallel", "--no-sp", true, "Sequence parallelism when tp > 1 (--no-sp disables it)",
                     [](Layout& l, bool on) { l.sequence_parallel = on; }));
  f.push_back(toggle("trim_edge_stages", "--trim-edge-stages", false,
                     "Count the embedding and the head as a layer each in the pipeline split even when the layers "
                     "divide pp*vpp (uneven layer counts always split that way: 126 layers on pp 16 -> 7,8,...,8,7)",
                     [](Layout& l, bool on) { l.trim_edge_stages = on; }));
  f.push_back(RunField{"pipeline_layers", "--pipeline-layers", FieldType::kText, "", "", false, false, {},
                       "Decoder layers per pipeline stage (pp entries) or per chunk (pp*vpp, chunk v*pp+s), e.g. "
                       "7,8,8,8,8,8,8,8,8,8,8,8,8,8,8,7 (default: even, or Megatron's uneven split)",
                       [](const FieldValue& v, Scenario& s) {
                         std::vector<int> layers;
                         std::size_t start = 0;
                         while (start <= v.text.size()) {
                           const auto end = std::min(v.text.find(',', start), v.text.size());
                           layers.push_back(small_positive(FieldValue{v.text.substr(start, end - start), [&v](std::string) {
                                                              return v.error("a comma-separated list of positive layer counts");
                                                            }}));
                           start = end + 1;
                         }
                         s.layout.pipeline_layers = std::make_shared<const std::vector<int>>(std::move(layers));
                       }});
  f.push_back(RunField{"stack", "--stack", FieldType::kText, "", "megatron-core", false, false, {},
                       "Software stack: megatron-core, nemo, pytorch-fsdp, deepspeed (data/stacks/) or a stack YAML "
                       "file",
                       [](const FieldValue& v, Scenario& s) {
                         if (v.text.empty()) throw v.error("a stack name or a stack YAML file");
                         s.stack = v.text;
                       }});
  f.push_back(RunField{"grad_reduce", "--grad-reduce", FieldType::kChoice, "", "stack", false, false,
                       {"stack", "fp32", "bf16"}, "Gradient reduction precision (stack: the stack's default)",
                       [](const FieldValue& v, Scenario& s) {
                         const std::size_t i = choice(v, {"stack", "fp32", "bf16"});
                         s.grad_reduce_bytes = i == 0 ? 0.0 : i == 1 ? 4.0 : 2.0;
                       }});
  f.push_back(RunField{"optimizer_state", "--optimizer-state", FieldType::kChoice, "", "stack", false, false,
                       {"stack", "fp32", "bf16"},
                       "Adam state precision: master weights, momentum and variance (stack: the stack's default)",
                       [](const FieldValue& v, Scenario& s) {
                         const std::size_t i = choice(v, {"stack", "fp32", "bf16"});
                         s.optimizer_state_bytes = i == 0 ? 0.0 : i == 1 ? 12.0 : 6.0;
                       }});
  f.push_back(toggle("tp_overlap", "--tp-overlap", false, "Hide TP collectives behind GEMMs (userbuffers-style overlap)",
                     [](Layout& l, bool on) { l.framework.overlap_tp_comm = on; }));
  f.push_back(toggle("cp_overlap", "--no-cp-overlap", true,
                     "Overlap the ring-attention KV exchange with attention (--no-cp-overlap exposes it)",
                     [](Layout& l, bool on) { l.framework.overlap_cp_comm = on; }));
  f.push_back(toggle("dp_overlap", "--no-dp-overlap", true,
                     "Overlap the gradient reduction and parameter gather with compute (--no-dp-overlap runs them "
                     "after/before it)",
                     [](Layout& l, bool on) {
                       l.framework.overlap_grad_reduce = l.framework.overlap_param_gather = on;
                     }));
  return f;
}

}  // namespace

const std::vector<RunField>& training_fields() {
  static const std::vector<RunField> fields = build_training_fields();
  return fields;
}

const RunField* find_field(std::string_view name) {
  for (const auto& f : training_fields())
    if (f.name == name) return &f;
  return nullptr;
}

}  // namespace xpusim::scenario
