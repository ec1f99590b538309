#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "hardware/overrides.hpp"
#include "hardware/sourced.hpp"
#include "hardware/system.hpp"

namespace xpusim::hardware {

// One line of an inventory: so many GPUs (or nodes) of a system, with what they cost and draw.
struct FleetEntry {
  std::shared_ptr<const System> system;
  long long gpus = 0;             // `gpus:`, or `nodes:` x chips per node
  long long nodes = 0;            // `nodes:` as given; gpus / chips per node (rounded up) otherwise
  double price_per_node_usd = 0;  // from the file, else the system's, else 0 (unknown)
  double power_per_node_w = 0;    // likewise
  double price_per_gpu_usd = 0;   // price_per_gpu, else price_per_node / chips per node
  double power_per_gpu_w = 0;     // power_per_gpu, else power_per_node / chips per node
  std::string hbm_vendor;         // empty when not given
  std::vector<Override> overrides;  // `set:` of this line, applied by the caller (it has the schema)
  std::string where;              // "file:line" of the line, for messages
};

// An inventory of systems (mixed generations allowed) and the facility it runs in.
// Contract: parse() validates every field (names the file:line and field of a bad one); each
// optional number may be written bare or as {value, source}, and its source is kept in sources()
// under its path ("systems[0].price_per_gpu", "pue") so a report can label it.
class Fleet {
 public:
  using SystemResolver = std::function<std::shared_ptr<const System>(const core::ConfigNode& field)>;
  static Fleet parse(const core::ConfigNode& root, const SystemResolver& resolve_system);

  const std::string& name() const { return name_; }
  const std::vector<FleetEntry>& entries() const { return entries_; }
  long long total_chips() const;
  double total_power_w() const;
  double total_price_usd() const;
  std::optional<double> pue() const { return pue_; }
  std::optional<double> electricity_usd_per_kwh() const { return electricity_; }
  std::optional<double> depreciation_years() const { return depreciation_; }
  const SourceMap& sources() const { return sources_; }

 private:
  std::string name_;
  std::vector<FleetEntry> entries_;
  std::optional<double> pue_, electricity_, depreciation_;
  SourceMap sources_;
};

}  // namespace xpusim::hardware
