#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "hardware/system.hpp"

namespace xpusim::hardware {

// One line of an inventory: so many nodes of a system, with what they cost and draw.
struct FleetEntry {
  std::shared_ptr<const System> system;
  long long nodes = 0;
  double price_per_node_usd = 0;  // from the file, else the system's, else 0 (unknown)
  double power_per_node_w = 0;    // likewise
};

// An inventory of systems (mixed generations allowed).
class Fleet {
 public:
  using SystemResolver = std::function<std::shared_ptr<const System>(const core::ConfigNode& field)>;
  static Fleet parse(const core::ConfigNode& root, const SystemResolver& resolve_system);

  const std::string& name() const { return name_; }
  const std::vector<FleetEntry>& entries() const { return entries_; }
  long long total_chips() const;
  double total_power_w() const;
  double total_price_usd() const;

 private:
  std::string name_;
  std::vector<FleetEntry> entries_;
};

}  // namespace xpusim::hardware
