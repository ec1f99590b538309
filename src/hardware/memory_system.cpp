#include "hardware/memory_system.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "core/suggest.hpp"

namespace xpusim::hardware {

const std::vector<std::string>& MemorySystem::known_generations() {
  static const std::vector<std::string> kNames{"hbm",   "hbm2",  "hbm2e", "hbm3",  "hbm3e",
                                               "hbm4",  "hbm4e", "gddr6", "gddr7", "lpddr5x"};
  return kNames;
}

int MemorySystem::stack_width_bits(const std::string& generation) {
  if (generation.rfind("hbm4", 0) == 0) return 2048;
  if (generation.rfind("hbm", 0) == 0) return 1024;
  return 0;  // not stacked: the catalog must give bus_width_bits
}

MemorySystem MemorySystem::make(std::string generation, int stacks, double capacity_bytes,
                                double pin_rate_bits_per_s, int bus_width_bits) {
  MemorySystem m;
  m.generation_ = std::move(generation);
  m.stacks_ = stacks;
  m.capacity_bytes_ = capacity_bytes;
  m.pin_rate_bits_per_s_ = pin_rate_bits_per_s;
  m.bus_width_bits_ = bus_width_bits > 0 ? bus_width_bits : stacks * stack_width_bits(m.generation_);
  m.bandwidth_bytes_per_s_ = m.pin_rate_bits_per_s_ * m.bus_width_bits_ / 8.0;
  return m;
}

MemorySystem MemorySystem::parse(const core::ConfigNode& node, SourceMap& sources) {
  node.expect_keys({"generation", "stacks", "capacity", "pin_rate", "bus_width_bits", "bandwidth"});
  MemorySystem m;
  const core::ConfigNode gen = node.at("generation");
  std::string g = gen.as_string();
  std::transform(g.begin(), g.end(), g.begin(), [](unsigned char c) { return std::tolower(c); });
  const auto& known = known_generations();
  if (std::find(known.begin(), known.end(), g) == known.end())
    throw gen.error("a memory generation, " + core::expected_one_of(known));
  m.generation_ = g;
  m.stacks_ = read_count(node.at("stacks"), sources);
  m.capacity_bytes_ = read_sourced_positive(node.at("capacity"), core::Dimension::kBytes, sources);

  m.bus_width_bits_ = node.has("bus_width_bits") ? read_count(node.at("bus_width_bits"), sources)
                                                  : m.stacks_ * stack_width_bits(g);
  if (m.bus_width_bits_ <= 0) throw node.error("a bus_width_bits field for non-HBM memory");

  const auto pin = read_optional(node, "pin_rate", core::Dimension::kBitsPerSecond, sources);
  const auto bw = read_optional(node, "bandwidth", core::Dimension::kBytesPerSecond, sources);
  if (!pin && !bw) throw node.error("a pin_rate or a bandwidth (or both)");
  if (pin) {
    m.pin_rate_bits_per_s_ = *pin;
    m.bandwidth_bytes_per_s_ = *pin * m.bus_width_bits_ / 8.0;
    if (bw && std::fabs(*bw / m.bandwidth_bytes_per_s_ - 1.0) > 0.03) {
      throw sourced_value_error(node.at("bandwidth"), fmt::format(
          "{} (pin_rate {} x {} bits / 8), within 3%",
          core::format_quantity(m.bandwidth_bytes_per_s_, core::Dimension::kBytesPerSecond),
          core::format_quantity(*pin, core::Dimension::kBitsPerSecond), m.bus_width_bits_));
    }
    // The published bandwidth is what vendors quote; keep it when it agrees with the derivation.
    if (bw) m.bandwidth_bytes_per_s_ = *bw;
  } else {
    m.bandwidth_bytes_per_s_ = *bw;
    m.pin_rate_bits_per_s_ = *bw * 8.0 / m.bus_width_bits_;
  }
  return m;
}

}  // namespace xpusim::hardware
