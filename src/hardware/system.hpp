#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/config.hpp"
#include "hardware/chip.hpp"
#include "hardware/sourced.hpp"

namespace xpusim::hardware {

// Scale-up fabric of a node: the high-bandwidth domain (NVLink/NVSwitch, Infinity Fabric, ICI).
struct ScaleUp {
  std::string fabric;                 // "NVLink 4 + NVSwitch"
  std::string topology;               // "switch" (all-to-all through switches), "mesh", "torus"
  double bandwidth_per_chip = 0;      // bytes/s per direction, per chip
  int domain_size = 0;                // chips reachable over the fabric (8, 72, 8960)
  double latency_s = 0;               // one-hop latency of a small message
  bool nvls = false;                  // in-switch reduction (NVLink SHARP)
};

// A node: chips sharing a host and the scale-up fabric.
struct Node {
  int chips_per_node = 0;
  ScaleUp scale_up;
  double power_w = 0;       // whole node at max load, 0 when unknown
  double price_usd = 0;     // 0 when unknown
};

// Scale-out network between nodes.
struct Network {
  int nics_per_node = 0;
  double nic_bandwidth = 0;      // bytes/s per direction, per NIC
  bool rail_optimized = false;   // NIC i of every node on the same leaf (rail)
  int tiers = 0;                 // switch tiers of the fat tree
  double oversubscription = 1;   // >= 1; bandwidth divides by it above the leaf
  double latency_s = 0;          // end-to-end small-message latency across the fabric
  std::string technology;        // "InfiniBand NDR", "RoCE", "DCN"
};

// A system: a node design repeated up to max_nodes, with its network.
// Contract: domain_size is a multiple of chips_per_node (a domain is made of whole nodes; partitioned
// nodes are rejected) and max_nodes is enough to fill one domain; parse() throws otherwise.
class System {
 public:
  using ChipResolver = std::function<std::shared_ptr<const Chip>(const core::ConfigNode& chip_field)>;
  static System parse(const core::ConfigNode& root, const ChipResolver& resolve_chip,
                      const CalibrationSchema& schema);

  const std::string& name() const { return name_; }
  const std::string& display_name() const { return display_name_; }
  const std::string& vendor() const { return vendor_; }
  const Chip& chip() const { return *chip_; }
  std::shared_ptr<const Chip> chip_ptr() const { return chip_; }
  const Node& node() const { return node_; }
  const Network& network() const { return network_; }
  int max_nodes() const { return max_nodes_; }
  long long max_chips() const { return static_cast<long long>(max_nodes_) * node_.chips_per_node; }
  const Calibration& calibration() const { return calibration_; }
  const SourceMap& sources() const { return sources_; }
  const std::string& file() const { return file_; }

 private:
  std::string name_, display_name_, vendor_, file_;
  std::shared_ptr<const Chip> chip_;
  Node node_;
  Network network_;
  int max_nodes_ = 0;
  Calibration calibration_;
  SourceMap sources_;
};

}  // namespace xpusim::hardware
