#include "serving/engine.hpp"

#include <algorithm>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/suggest.hpp"

namespace xpusim::serving {

namespace {

double number(const core::ConfigNode& root, std::string_view key, core::Dimension d, double fallback,
              hardware::SourceMap& sources, bool positive = true) {
  auto node = root.find(key);
  if (!node || node->is_null()) return fallback;
  return positive ? hardware::read_sourced_positive(*node, d, sources) : hardware::read_sourced(*node, d, sources);
}

bool flag(const core::ConfigNode& root, std::string_view key, bool fallback) {
  auto node = root.find(key);
  if (!node) return fallback;
  if (node->is_map()) {
    node->expect_keys({"value", "source", "note"});
    return node->at("value").as_bool();
  }
  return node->as_bool();
}

std::string word(const core::ConfigNode& root, std::string_view key, std::string fallback) {
  auto node = root.find(key);
  if (!node) return fallback;
  if (node->is_map()) {
    node->expect_keys({"value", "source", "note"});
    return node->at("value").as_string();
  }
  return node->as_string();
}

}  // namespace

std::vector<std::string> builtin_engine_names(const std::filesystem::path& data_dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(data_dir / "engines", ec))
    if (e.path().extension() == ".yaml") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

EngineProfile load_engine(const std::string& name_or_file, const std::filesystem::path& data_dir) {
  std::filesystem::path path = name_or_file;
  if (path.extension() != ".yaml" && path.extension() != ".yml") {
    path = data_dir / "engines" / (name_or_file + ".yaml");
    if (!std::filesystem::exists(path)) {
      throw core::Error::flag("--engine", name_or_file,
                              core::expected_one_of(builtin_engine_names(data_dir)) + ", or an engine YAML file");
    }
  } else if (!std::filesystem::exists(path)) {
    throw core::Error::flag("--engine", name_or_file, "an existing engine YAML file");
  }
  const auto root = core::ConfigNode::load_file(path);
  root.expect_keys({"name", "display_name", "block_size", "max_num_seqs", "max_batched_tokens", "chunked_prefill", "prefill_all_waiting", "first_token_from_decode",
                    "prefix_caching", "preemption", "admission", "memory_fraction", "fraction_of_free",
                    "non_torch_memory", "cuda_graphs", "cuda_graph_max_tokens", "step_overhead",
                    "per_seq_overhead", "graph_kernel_gap", "prefill_seq_overhead", "device_efficiency", "compute_efficiency", "compute_efficiency_fp8", "attention_efficiency", "dequant_elements_per_sm_cycle",
                    "custom_allreduce_latency", "allreduce_min_latency", "per_seq_overhead_max", "notes"});
  EngineProfile e;
  e.file = path.string();
  auto& s = e.sources;
  e.name = root.at("name").as_string();
  e.display_name = root.has("display_name") ? root.at("display_name").as_string() : e.name;
  using D = core::Dimension;
  e.block_size = static_cast<int>(number(root, "block_size", D::kDimensionless, e.block_size, s));
  e.max_num_seqs = static_cast<int>(number(root, "max_num_seqs", D::kDimensionless, e.max_num_seqs, s));
  e.max_batched_tokens =
      static_cast<long long>(number(root, "max_batched_tokens", D::kDimensionless, double(e.max_batched_tokens), s));
  e.chunked_prefill = flag(root, "chunked_prefill", e.chunked_prefill);
  e.prefix_caching = flag(root, "prefix_caching", e.prefix_caching);
  e.prefill_all_waiting = flag(root, "prefill_all_waiting", e.prefill_all_waiting);
  e.first_token_from_decode = flag(root, "first_token_from_decode", e.first_token_from_decode);
  const std::string pre = word(root, "preemption", "recompute");
  if (pre == "recompute") e.preemption = Preemption::kRecompute;
  else if (pre == "swap") e.preemption = Preemption::kSwap;
  else throw root.at("preemption").error("recompute or swap");
  const std::string adm = word(root, "admission", "optimistic");
  if (adm == "optimistic") e.admission = Admission::kOptimistic;
  else if (adm == "guaranteed_no_evict") e.admission = Admission::kGuaranteedNoEvict;
  else throw root.at("admission").error("optimistic or guaranteed_no_evict");
  e.memory_fraction = number(root, "memory_fraction", D::kDimensionless, e.memory_fraction, s);
  if (e.memory_fraction > 1.0) throw root.at("memory_fraction").error("a fraction in (0, 1]");
  e.fraction_of_free = flag(root, "fraction_of_free", e.fraction_of_free);
  e.non_torch_memory_bytes = number(root, "non_torch_memory", D::kBytes, e.non_torch_memory_bytes, s, false);
  e.cuda_graphs = flag(root, "cuda_graphs", e.cuda_graphs);
  e.cuda_graph_max_tokens = static_cast<long long>(
      number(root, "cuda_graph_max_tokens", D::kDimensionless, double(e.cuda_graph_max_tokens), s));
  e.step_overhead_s = number(root, "step_overhead", D::kSeconds, 0, s, false);
  e.per_seq_overhead_s = number(root, "per_seq_overhead", D::kSeconds, 0, s, false);
  e.graph_kernel_gap_s = number(root, "graph_kernel_gap", D::kSeconds, e.graph_kernel_gap_s, s, false);
  e.prefill_seq_overhead_s = number(root, "prefill_seq_overhead", D::kSeconds, 0, s, false);
  e.device_efficiency = number(root, "device_efficiency", D::kDimensionless, 1.0, s);
  if (e.device_efficiency > 1.0) throw root.at("device_efficiency").error("a fraction in (0, 1]");
  e.compute_efficiency = number(root, "compute_efficiency", D::kDimensionless, 1.0, s);
  if (e.compute_efficiency > 1.0) throw root.at("compute_efficiency").error("a fraction in (0, 1]");
  e.compute_efficiency_fp8 = number(root, "compute_efficiency_fp8", D::kDimensionless, e.compute_efficiency, s);
  if (e.compute_efficiency_fp8 > 1.0) throw root.at("compute_efficiency_fp8").error("a fraction in (0, 1]");
  e.attention_efficiency = number(root, "attention_efficiency", D::kDimensionless, 1.0, s);
  if (e.attention_efficiency > 1.0) throw root.at("attention_efficiency").error("a fraction in (0, 1]");
  e.dequant_elements_per_sm_cycle = number(root, "dequant_elements_per_sm_cycle", D::kDimensionless, 0, s, false);
  e.custom_allreduce_latency_s = number(root, "custom_allreduce_latency", D::kSeconds, 0, s, false);
  e.allreduce_min_latency_s = number(root, "allreduce_min_latency", D::kSeconds, 0, s, false);
  e.per_seq_overhead_max_s = number(root, "per_seq_overhead_max", D::kSeconds, e.per_seq_overhead_max_s, s);
  return e;
}

const char* preemption_name(Preemption p) { return p == Preemption::kSwap ? "swap" : "recompute"; }

}  // namespace xpusim::serving
