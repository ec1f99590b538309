#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "hardware/sourced.hpp"

namespace xpusim::hardware {

// The open description of a chip's memory: what a catalog file or code states. Fields left empty
// are derived by MemorySystem::from_spec (bus width from stacks, bandwidth from pin rate or back).
struct MemorySystemSpec {
  std::string generation;             // "hbm3", "hbm3e", "gddr6" (lower case)
  int stacks = 0;
  double capacity_bytes = 0;
  std::optional<double> pin_rate_bits_per_s;
  std::optional<int> bus_width_bits;  // enabled interface width; default stacks x stack width
  std::optional<double> bandwidth_bytes_per_s;
};

// Names the origin of a spec field in errors: an override ("--set memory.stacks") or the file
// the field was read from. Built by the layer that applied the overrides.
struct SpecOrigin {
  std::string file;                                // catalog or user file, may be empty
  std::map<std::string, std::string> overridden;   // field path -> the value text given
  // The error for a bad value of `path` (display text `value`), at its origin.
  core::Error error(const std::string& path, const std::string& value, std::string expected) const;
};

// A chip's attached memory: HBM generation x stacks, capacity, pin rate, peak bandwidth.
// Contract: peak bandwidth = pin rate x interface width / 8; when both a bandwidth and a pin rate
// are given they must agree within 3% (vendors round); an HBM interface is at most stacks x the
// generation's stack width (fewer bits when channels are disabled, as on B200). Violations throw
// core::Error naming the field at its origin.
class MemorySystem {
 public:
  static MemorySystem parse(const core::ConfigNode& node, SourceMap& sources);
  // Validates a spec and derives what it leaves out.
  static MemorySystem from_spec(const MemorySystemSpec& spec, const SpecOrigin& origin = {});
  static MemorySystem make(std::string generation, int stacks, double capacity_bytes,
                           double pin_rate_bits_per_s, int bus_width_bits = 0);

  const std::string& generation() const { return generation_; }  // "hbm3", "hbm3e", "gddr6"
  int stacks() const { return stacks_; }
  double capacity_bytes() const { return capacity_bytes_; }
  double pin_rate_bits_per_s() const { return pin_rate_bits_per_s_; }
  int bus_width_bits() const { return bus_width_bits_; }
  double bandwidth_bytes_per_s() const { return bandwidth_bytes_per_s_; }
  // Every field filled in: from_spec(spec()) gives this memory system again.
  MemorySystemSpec spec() const;

  // Interface width of one stack of a generation (1024 bits up to HBM3E, 2048 for HBM4).
  static int stack_width_bits(const std::string& generation);
  static const std::vector<std::string>& known_generations();
  // The pin rate a design of this generation runs at when nothing else says (JEDEC's top rate, or
  // for HBM3E, beyond JEDEC, the 8.0 Gb/s grade shipped on B200), with its source; empty for
  // generations without one (GDDR, LPDDR: the part fixes it).
  struct DefaultPinRate {
    double bits_per_s = 0;
    std::string source;
  };
  static std::optional<DefaultPinRate> default_pin_rate(const std::string& generation);

 private:
  std::string generation_;
  int stacks_ = 0;
  double capacity_bytes_ = 0;
  double pin_rate_bits_per_s_ = 0;
  int bus_width_bits_ = 0;
  double bandwidth_bytes_per_s_ = 0;
};

}  // namespace xpusim::hardware
