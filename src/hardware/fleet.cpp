#include "hardware/fleet.hpp"

#include <cmath>

namespace xpusim::hardware {

namespace {

std::optional<double> optional_positive(const core::ConfigNode& parent, std::string_view key, core::Dimension d,
                                        SourceMap& sources) {
  auto v = read_optional(parent, key, d, sources);
  if (v && !(*v > 0)) throw sourced_value_error(parent.at(key), "a positive number");
  return v;
}

std::vector<Override> read_set(const core::ConfigNode& node) {
  std::vector<Override> out;
  if (node.is_map()) {
    for (const auto& k : node.keys()) out.push_back({k, node.at(k).as_string()});
  } else if (node.is_list()) {
    for (const auto& item : node.items()) {
      const auto text = item.as_string();
      const auto eq = text.find('=');
      if (eq == std::string::npos || eq == 0) throw item.error("PATH=VALUE, e.g. memory.stacks=6");
      out.push_back({text.substr(0, eq), text.substr(eq + 1)});
    }
  } else {
    throw node.error("a list of PATH=VALUE or a mapping of path: value");
  }
  return out;
}

}  // namespace

Fleet Fleet::parse(const core::ConfigNode& root, const SystemResolver& resolve_system) {
  // The kind first: a file of another kind should say so, not list unknown fields.
  if (auto kind = root.find("kind"); kind && kind->as_string() != "fleet") throw kind->error("\"fleet\"");
  root.expect_keys({"name", "kind", "systems", "notes", "pue", "electricity_usd_per_kwh", "depreciation_years"});
  Fleet f;
  f.name_ = root.at("name").as_string();
  SourceMap& sources = f.sources_;
  using core::Dimension;
  f.pue_ = read_optional(root, "pue", Dimension::kDimensionless, sources);
  if (f.pue_ && !(*f.pue_ >= 1.0)) throw sourced_value_error(root.at("pue"), "a PUE >= 1 (facility / IT power)");
  f.electricity_ = optional_positive(root, "electricity_usd_per_kwh", Dimension::kDimensionless, sources);
  f.depreciation_ = optional_positive(root, "depreciation_years", Dimension::kDimensionless, sources);
  for (const auto& item : root.at("systems").items()) {
    item.expect_keys({"system", "gpus", "nodes", "price_per_node", "power_per_node", "price_per_gpu",
                      "power_per_gpu", "hbm_vendor", "set", "notes"});
    FleetEntry e;
    e.where = item.location().to_string();
    e.system = resolve_system(item.at("system"));
    const double per_node = e.system->node().chips_per_node;
    const bool has_gpus = item.has("gpus"), has_nodes = item.has("nodes");
    if (has_gpus == has_nodes) throw item.error("exactly one of 'gpus' or 'nodes'");
    if (has_gpus) {
      e.gpus = read_count(item.at("gpus"), sources);
      e.nodes = static_cast<long long>(std::ceil(static_cast<double>(e.gpus) / per_node));
    } else {
      e.nodes = read_count(item.at("nodes"), sources);
      e.gpus = e.nodes * e.system->node().chips_per_node;
    }
    const auto pick = [&](std::string_view gpu_key, std::string_view node_key, Dimension d, double catalog_node,
                          double& per_gpu, double& per_node_out) {
      if (item.has(gpu_key) && item.has(node_key))
        throw item.at(gpu_key).error("either '" + std::string(gpu_key) + "' or '" + std::string(node_key) + "', not both");
      if (auto g = optional_positive(item, gpu_key, d, sources)) {
        per_gpu = *g;
        per_node_out = *g * per_node;
      } else {
        per_node_out = optional_positive(item, node_key, d, sources).value_or(catalog_node);
        per_gpu = per_node_out / per_node;
      }
    };
    pick("price_per_gpu", "price_per_node", Dimension::kUsd, e.system->node().price_usd, e.price_per_gpu_usd,
         e.price_per_node_usd);
    pick("power_per_gpu", "power_per_node", Dimension::kWatts, e.system->node().power_w, e.power_per_gpu_w,
         e.power_per_node_w);
    if (auto v = item.find("hbm_vendor")) {
      if (v->is_map()) {
        v->expect_keys({"value", "source"});
        e.hbm_vendor = v->at("value").as_string();
        if (auto s = v->find("source")) sources[v->path()] = s->as_string();
      } else {
        e.hbm_vendor = v->as_string();
      }
    }
    if (auto s = item.find("set")) e.overrides = read_set(*s);
    f.entries_.push_back(std::move(e));
  }
  if (f.entries_.empty()) throw root.at("systems").error("at least one system entry");
  return f;
}

long long Fleet::total_chips() const {
  long long n = 0;
  for (const auto& e : entries_) n += e.gpus;
  return n;
}

double Fleet::total_power_w() const {
  double w = 0;
  for (const auto& e : entries_) w += static_cast<double>(e.gpus) * e.power_per_gpu_w;
  return w;
}

double Fleet::total_price_usd() const {
  double p = 0;
  for (const auto& e : entries_) p += static_cast<double>(e.gpus) * e.price_per_gpu_usd;
  return p;
}

}  // namespace xpusim::hardware
