#include "hardware/fleet.hpp"

namespace xpusim::hardware {

Fleet Fleet::parse(const core::ConfigNode& root, const SystemResolver& resolve_system) {
  // The kind first: a file of another kind should say so, not list unknown fields.
  if (auto kind = root.find("kind"); kind && kind->as_string() != "fleet") throw kind->error("\"fleet\"");
  root.expect_keys({"name", "kind", "systems", "notes"});
  Fleet f;
  f.name_ = root.at("name").as_string();
  SourceMap sources;
  for (const auto& item : root.at("systems").items()) {
    item.expect_keys({"system", "nodes", "price_per_node", "power_per_node"});
    FleetEntry e;
    e.system = resolve_system(item.at("system"));
    e.nodes = read_count(item.at("nodes"), sources);
    e.price_per_node_usd = read_optional(item, "price_per_node", core::Dimension::kUsd, sources)
                               .value_or(e.system->node().price_usd);
    e.power_per_node_w = read_optional(item, "power_per_node", core::Dimension::kWatts, sources)
                             .value_or(e.system->node().power_w);
    f.entries_.push_back(std::move(e));
  }
  if (f.entries_.empty()) throw root.at("systems").error("at least one system entry");
  return f;
}

long long Fleet::total_chips() const {
  long long n = 0;
  for (const auto& e : entries_) n += e.nodes * e.system->node().chips_per_node;
  return n;
}

double Fleet::total_power_w() const {
  double w = 0;
  for (const auto& e : entries_) w += static_cast<double>(e.nodes) * e.power_per_node_w;
  return w;
}

double Fleet::total_price_usd() const {
  double p = 0;
  for (const auto& e : entries_) p += static_cast<double>(e.nodes) * e.price_per_node_usd;
  return p;
}

}  // namespace xpusim::hardware
