#include "training/stack.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/suggest.hpp"

namespace xpusim::training {
namespace {

// A key's node: {value: x, source: "..."} or a bare scalar.
core::ConfigNode value_node(const core::ConfigNode& n) {
  if (n.is_map()) {
    n.expect_keys({"value", "source"});
    return n.at("value");
  }
  return n;
}

double non_negative(const core::ConfigNode& n) {
  const double v = n.as_double();
  if (!(v >= 0)) throw n.error("a number >= 0");
  return v;
}

// Only the two the outputs name (grad_reduce / optimizer_state: "fp32" or "bf16").
double dtype_bytes(const core::ConfigNode& n) {
  const std::string t = n.as_string();
  if (t == "fp32") return 4;
  if (t == "bf16") return 2;
  throw n.error("fp32 or bf16");
}

}  // namespace

StackOptions parse_stack(const core::ConfigNode& root, std::string name) {
  StackOptions s;
  s.name = std::move(name);
  if (!root.is_map()) throw root.error("a map of stack parameters");
  root.expect_keys({"name", "kind", "display_name", "unfused_passes", "loss_extra_bytes", "launch_overhead",
                    "comm_sm_share", "step_overhead", "optimizer_passes", "fsdp_prefetch",
                    "activation_fragmentation", "loss_saved_bytes", "grad_reduce_dtype", "optimizer_state_dtype", "tp_comm_overlap", "attention_time_factor", "allocator_reserve"});
  if (const auto k = root.find("kind"); k && k->as_string() != "stack") throw k->error("stack");
  if (const auto n = root.find("name")) s.name = n->as_string();
  const auto get = [&](std::string_view key, auto&& read) {
    if (const auto n = root.find(key)) read(value_node(*n));
  };
  get("unfused_passes", [&](const core::ConfigNode& n) { s.unfused_passes = non_negative(n); });
  get("loss_extra_bytes", [&](const core::ConfigNode& n) { s.loss_extra_bytes = non_negative(n); });
  get("launch_overhead", [&](const core::ConfigNode& n) {
    s.launch_s = n.is_scalar() && n.text() == "0" ? 0.0 : n.as_quantity(core::Dimension::kSeconds);
    if (!(s.launch_s >= 0)) throw n.error("a time >= 0");
  });
  get("comm_sm_share", [&](const core::ConfigNode& n) {
    s.comm_sm_share = non_negative(n);
    if (s.comm_sm_share >= 1) throw n.error("a fraction in [0, 1)");
  });
  get("step_overhead", [&](const core::ConfigNode& n) {
    s.step_overhead_s = n.is_scalar() && n.text() == "0" ? 0.0 : n.as_quantity(core::Dimension::kSeconds);
    if (!(s.step_overhead_s >= 0)) throw n.error("a time >= 0");
  });
  get("optimizer_passes", [&](const core::ConfigNode& n) {
    s.optimizer_passes = non_negative(n);
    if (s.optimizer_passes < 1) throw n.error("a number >= 1 (one fused Adam pass)");
  });
  get("fsdp_prefetch", [&](const core::ConfigNode& n) {
    const auto v = n.as_int();
    if (v < 0 || v > 64) throw n.error("an integer in [0, 64]");
    s.fsdp_prefetch = static_cast<int>(v);
  });
  get("activation_fragmentation", [&](const core::ConfigNode& n) { s.activation_fragmentation = non_negative(n); });
  get("loss_saved_bytes", [&](const core::ConfigNode& n) { s.loss_saved_bytes = non_negative(n); });
  get("grad_reduce_dtype", [&](const core::ConfigNode& n) { s.grad_reduce_bytes = dtype_bytes(n); });
  // Master weights, momentum and variance: three values per parameter.
  get("optimizer_state_dtype", [&](const core::ConfigNode& n) { s.optimizer_state_bytes = 3 * dtype_bytes(n); });
  get("attention_time_factor", [&](const core::ConfigNode& n) {
    s.attention_time_factor = n.as_double();
    if (!(s.attention_time_factor > 0)) throw n.error("a positive time factor");
  });
  get("allocator_reserve", [&](const core::ConfigNode& n) {
    s.allocator_reserve_bytes = n.is_scalar() && n.text() == "0" ? 0.0 : n.as_quantity(core::Dimension::kBytes);
    if (!(s.allocator_reserve_bytes >= 0)) throw n.error("a size >= 0");
  });
  get("tp_comm_overlap", [&](const core::ConfigNode& n) { s.tp_comm_overlap = n.as_bool(); });
  return s;
}

void apply_stack(Layout& layout, const StackOptions& stack) {
  layout.stack = stack;
  layout.framework.grad_reduce_bytes = stack.grad_reduce_bytes;
  layout.framework.optimizer_state_bytes = stack.optimizer_state_bytes;
  layout.framework.overlap_tp_comm = stack.tp_comm_overlap;
}

StackOptions load_stack_file(const std::filesystem::path& yaml) {
  return parse_stack(core::ConfigNode::load_file(yaml), yaml.stem().string());
}

std::vector<std::string> builtin_stack_names(const std::filesystem::path& data_dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(data_dir / "stacks", ec))
    if (e.path().extension() == ".yaml") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

StackOptions load_stack(const std::string& name_or_path, const std::filesystem::path& data_dir,
                        const std::string& flag) {
  const std::filesystem::path shipped = data_dir / "stacks" / (name_or_path + ".yaml");
  if (name_or_path.find('/') == std::string::npos && std::filesystem::exists(shipped)) return load_stack_file(shipped);
  if (name_or_path.ends_with(".yaml") && std::filesystem::exists(name_or_path)) return load_stack_file(name_or_path);
  throw core::Error::flag(flag, name_or_path,
                          "a shipped stack or a stack YAML file: " + core::expected_one_of(builtin_stack_names(data_dir)));
}

}  // namespace xpusim::training
