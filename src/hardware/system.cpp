#include "hardware/system.hpp"

#include <algorithm>
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

}  // namespace

System System::parse(const core::ConfigNode& root, const ChipResolver& resolve_chip,
                     const CalibrationSchema& schema) {
  // The kind first: a file of another kind should say so, not list unknown fields.
  if (auto kind = root.find("kind"); kind && kind->as_string() != "system") throw kind->error("\"system\"");
  root.expect_keys({"name", "kind", "display_name", "vendor", "chip", "node", "network", "max_nodes",
                    "calibration", "notes"});
  System s;
  s.file_ = root.file();
  s.name_ = root.at("name").as_string();
  s.display_name_ = root.has("display_name") ? root.at("display_name").as_string() : s.name_;
  s.vendor_ = root.at("vendor").as_string();
  s.chip_ = resolve_chip(root.at("chip"));

  const core::ConfigNode node = root.at("node");
  node.expect_keys({"chips_per_node", "scale_up", "power", "price"});
  s.node_.chips_per_node = read_count(node.at("chips_per_node"), s.sources_);
  s.node_.scale_up = parse_scale_up(node.at("scale_up"), s.sources_);
  s.node_.power_w = read_optional(node, "power", Dimension::kWatts, s.sources_).value_or(0.0);
  s.node_.price_usd = read_optional(node, "price", Dimension::kUsd, s.sources_).value_or(0.0);
  const int domain = s.node_.scale_up.domain_size;
  if (domain % s.node_.chips_per_node != 0) {
    throw sourced_value_error(node.at("scale_up").at("domain_size"),
        fmt::format("a multiple of chips_per_node ({}): a scale-up domain is made of whole nodes",
                    s.node_.chips_per_node));
  }
  s.network_ = parse_network(root.at("network"), s.sources_);
  s.max_nodes_ = read_count(root.at("max_nodes"), s.sources_);
  if (static_cast<long long>(s.max_nodes_) * s.node_.chips_per_node < domain) {
    throw sourced_value_error(root.at("max_nodes"),
        fmt::format("at least {} nodes, enough to fill one scale-up domain of {} chips",
                    domain / s.node_.chips_per_node, domain));
  }
  auto cal = root.find("calibration");
  s.calibration_ = Calibration::parse(cal ? &*cal : nullptr, schema, ParamDecl::Scope::kSystem, s.sources_);
  return s;
}

}  // namespace xpusim::hardware
