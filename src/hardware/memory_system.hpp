#pragma once

#include <string>

#include "core/config.hpp"
#include "hardware/sourced.hpp"

namespace xpusim::hardware {

// A chip's attached memory: HBM generation x stacks, capacity, pin rate, peak bandwidth.
// Contract: peak bandwidth = pin rate x interface width / 8; when the catalog gives both a
// bandwidth and a pin rate they must agree within 3% (vendors round), otherwise parsing fails.
class MemorySystem {
 public:
  static MemorySystem parse(const core::ConfigNode& node, SourceMap& sources);
  static MemorySystem make(std::string generation, int stacks, double capacity_bytes,
                           double pin_rate_bits_per_s, int bus_width_bits = 0);

  const std::string& generation() const { return generation_; }  // "hbm3", "hbm3e", "gddr6"
  int stacks() const { return stacks_; }
  double capacity_bytes() const { return capacity_bytes_; }
  double pin_rate_bits_per_s() const { return pin_rate_bits_per_s_; }
  int bus_width_bits() const { return bus_width_bits_; }
  double bandwidth_bytes_per_s() const { return bandwidth_bytes_per_s_; }

  // Interface width of one stack of a generation (1024 bits up to HBM3E, 2048 for HBM4).
  static int stack_width_bits(const std::string& generation);
  static const std::vector<std::string>& known_generations();

 private:
  std::string generation_;
  int stacks_ = 0;
  double capacity_bytes_ = 0;
  double pin_rate_bits_per_s_ = 0;
  int bus_width_bits_ = 0;
  double bandwidth_bytes_per_s_ = 0;
};

}  // namespace xpusim::hardware
