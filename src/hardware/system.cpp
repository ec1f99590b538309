#include "hardware/system.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "core/suggest.hpp"

namespace xpusim::hardware {
namespace {

using core::Dimension;

ScaleUp parse_scale_up(const core::ConfigNode& n, SourceMap& sources) {
  n.expect_keys({"fabric", "topology", "bandwidth_per_chip", "domain_size", "latency", "nvls"});
  ScaleUp s;
  s.fabric = n.at("fabric").as_string();
  const core::ConfigNode topo = n.at("topology");
  s.topology = topo.as_string();
  static const std::vector<std::string> kTopologies{"switch", "mesh", "torus"};
  if (std::find(kTopologies.begin(), kTopologies.end(), s.topology) == kTopologies.end())
    throw topo.error("a topology, " + core::expected_one_of(kTopologies));
  s.bandwidth_per_chip = read_sourced_positive(n.at("bandwidth_per_chip"), Dimension::kBytesPerSecond, sources);
  s.domain_size = read_count(n.at("domain_size"), sources);
  s.latency_s = read_sourced_positive(n.at("latency"), Dimension::kSeconds, sources);
  s.nvls = n.has("nvls") ? n.at("nvls").as_bool() : false;
  return s;
}

Network parse_network(const core::ConfigNode& n, SourceMap& sources) {
  n.expect_keys({"technology", "nics_per_node", "nic_bandwidth", "rail_optimized", "tiers",
                 "oversubscription", "latency"});
  Network net;
  net.technology = n.at("technology").as_string();
  net.nics_per_node = read_count(n.at("nics_per_node"), sources);
  // NICs are sold by line rate in bits per second; store bytes per second like every bandwidth.
  net.nic_bandwidth = read_sourced_positive(n.at("nic_bandwidth"), Dimension::kBitsPerSecond, sources) / 8.0;
  net.rail_optimized = n.has("rail_optimized") ? n.at("rail_optimized").as_bool() : false;
  net.tiers = read_count(n.at("tiers"), sources);
  if (auto o = n.find("oversubscription")) {
    net.oversubscription = read_sourced(*o, Dimension::kDimensionless, sources);
    if (net.oversubscription < 1.0) throw o->error("an oversubscription ratio >= 1 (1 = non-blocking)");
  }
  net.latency_s = read_sourced_positive(n.at("latency"), Dimension::kSeconds, sources);
  return net;
}

// A scale-up domain is made of whole nodes.
std::string domain_rule(const Node& n) {
  if (n.scale_up.domain_size % n.chips_per_node == 0) return {};
  return fmt::format("a multiple of chips_per_node ({}): a scale-up domain is made of whole nodes", n.chips_per_node);
}

std::string max_nodes_rule(const Node& n, int max_nodes) {
  const int domain = n.scale_up.domain_size;
  if (static_cast<long long>(max_nodes) * n.chips_per_node >= domain) return {};
  return fmt::format("at least {} nodes, enough to fill one scale-up domain of {} chips", domain / n.chips_per_node, domain);
}

}  // namespace

System System::parse(const core::ConfigNode& root, const ChipResolver& resolve_chip,
                     const CalibrationSchema& schema) {
  // The kind first: a file of another kind should say so, not list unknown fields.
  if (auto kind = root.find("kind"); kind && kind->as_string() != "system") throw kind->error("\"system\"");
  root.expect_keys({"name", "kind", "display_name", "vendor", "chip", "node", "network", "max_nodes",
                    "calibration", "notes"});
  SystemSpec s;
  SourceMap sources;
  s.origin.file = root.file();
  s.name = root.at("name").as_string();
  s.display_name = root.has("display_name") ? root.at("display_name").as_string() : s.name;
  s.vendor = root.at("vendor").as_string();
  s.chip = resolve_chip(root.at("chip"));

  const core::ConfigNode node = root.at("node");
  node.expect_keys({"chips_per_node", "scale_up", "power", "price"});
  s.node.chips_per_node = read_count(node.at("chips_per_node"), sources);
  s.node.scale_up = parse_scale_up(node.at("scale_up"), sources);
  s.node.power_w = read_optional(node, "power", Dimension::kWatts, sources).value_or(0.0);
  s.node.price_usd = read_optional(node, "price", Dimension::kUsd, sources).value_or(0.0);
  // Cross-field rules are checked here first so the error carries the file:line of the value.
  if (auto why = domain_rule(s.node); !why.empty()) throw sourced_value_error(node.at("scale_up").at("domain_size"), why);
  s.network = parse_network(root.at("network"), sources);
  s.max_nodes = read_count(root.at("max_nodes"), sources);
  if (auto why = max_nodes_rule(s.node, s.max_nodes); !why.empty()) throw sourced_value_error(root.at("max_nodes"), why);
  auto cal = root.find("calibration");
  s.calibration = Calibration::parse(cal ? &*cal : nullptr, schema, ParamDecl::Scope::kSystem, sources);
  s.sources = std::make_shared<const SourceMap>(std::move(sources));
  return from_spec(std::move(s));
}

System System::from_spec(SystemSpec spec) {
  const auto& o = spec.origin;
  if (spec.name.empty()) throw o.error("name", "", "a non-empty name");
  if (!spec.chip) throw o.error("chip", "", "a chip");
  const auto count = [&](const char* path, long long v) {
    if (v < 1) throw o.error(path, std::to_string(v), "a positive integer");
  };
  const auto positive = [&](const char* path, double v, const char* example) {
    if (!(v > 0) || !std::isfinite(v)) throw o.error(path, std::to_string(v), std::string("a positive ") + example);
  };
  count("node.chips_per_node", spec.node.chips_per_node);
  count("node.scale_up.domain_size", spec.node.scale_up.domain_size);
  positive("node.scale_up.bandwidth_per_chip", spec.node.scale_up.bandwidth_per_chip, "bandwidth such as \"450 GB/s\"");
  positive("node.scale_up.latency", spec.node.scale_up.latency_s, "time such as \"2 us\"");
  count("network.nics_per_node", spec.network.nics_per_node);
  positive("network.nic_bandwidth", spec.network.nic_bandwidth, "line rate such as \"400 Gb/s\"");
  count("network.tiers", spec.network.tiers);
  positive("network.latency", spec.network.latency_s, "time such as \"5 us\"");
  if (!(spec.network.oversubscription >= 1.0))
    throw o.error("network.oversubscription", std::to_string(spec.network.oversubscription),
                  "an oversubscription ratio >= 1 (1 = non-blocking)");
  count("max_nodes", spec.max_nodes);
  if (auto why = domain_rule(spec.node); !why.empty())
    throw o.error("node.scale_up.domain_size", std::to_string(spec.node.scale_up.domain_size), why);
  if (auto why = max_nodes_rule(spec.node, spec.max_nodes); !why.empty())
    throw o.error("max_nodes", std::to_string(spec.max_nodes), why);
  if (!spec.sources) spec.sources = std::make_shared<const SourceMap>();
  System s;
  s.spec_ = std::move(spec);
  return s;
}

std::string System::label() const {
  std::vector<std::string> all = spec_.chip->spec().overrides;
  all.insert(all.end(), spec_.overrides.begin(), spec_.overrides.end());
  std::string out = spec_.name;
  for (std::size_t i = 0; i < all.size(); ++i) out += (i == 0 ? " with " : ", ") + all[i];
  return out;
}

}  // namespace xpusim::hardware
