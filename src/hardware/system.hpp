#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

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

// What is known of a system before validation: parsed from a file or built in code. Copies are
// cheap: the chip and the citations are shared.
struct SystemSpec {
  std::string name, display_name, vendor;
  std::shared_ptr<const Chip> chip;
  Node node;
  Network network;
  int max_nodes = 0;
  Calibration calibration;
  std::shared_ptr<const SourceMap> sources = std::make_shared<const SourceMap>();
  std::vector<std::string> overrides, derived;  // as in ChipSpec
  SpecOrigin origin;
};

// A system: a node design repeated up to max_nodes, with its network.
// Contract: domain_size is a multiple of chips_per_node (a domain is made of whole nodes; partitioned
// nodes are rejected) and max_nodes is enough to fill one domain; parse() and from_spec() throw
// core::Error otherwise, naming the field at its origin.
class System {
 public:
  using ChipResolver = std::function<std::shared_ptr<const Chip>(const core::ConfigNode& chip_field)>;
  static System parse(const core::ConfigNode& root, const ChipResolver& resolve_chip,
                      const CalibrationSchema& schema);
  static System from_spec(SystemSpec spec);

  const SystemSpec& spec() const { return spec_; }
  // "dgx-h100 with memory.stacks=6" for a derived system (its chip's overrides included).
  std::string label() const;

  const std::string& name() const { return spec_.name; }
  const std::string& display_name() const { return spec_.display_name; }
  const std::string& vendor() const { return spec_.vendor; }
  const Chip& chip() const { return *spec_.chip; }
  std::shared_ptr<const Chip> chip_ptr() const { return spec_.chip; }
  const Node& node() const { return spec_.node; }
  const Network& network() const { return spec_.network; }
  int max_nodes() const { return spec_.max_nodes; }
  long long max_chips() const { return static_cast<long long>(spec_.max_nodes) * spec_.node.chips_per_node; }
  const Calibration& calibration() const { return spec_.calibration; }
  const SourceMap& sources() const { return *spec_.sources; }
  const std::string& file() const { return spec_.origin.file; }

 private:
  SystemSpec spec_;
};

}  // namespace xpusim::hardware
