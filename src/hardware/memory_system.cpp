#include "hardware/memory_system.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <fmt/format.h>

#include "core/suggest.hpp"

namespace xpusim::hardware {

core::Error SpecOrigin::error(const std::string& path, const std::string& value, std::string expected) const {
  if (overridden.count(path)) return core::Error::flag("--set " + path, overridden.at(path), std::move(expected));
  return core::Error(core::SourceLocation{file, 0, 0}, path, value, std::move(expected));
}

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

std::optional<MemorySystem::DefaultPinRate> MemorySystem::default_pin_rate(const std::string& generation) {
  // refdata hbm_generations.csv (pin_rate_gbps rows).
  static const std::map<std::string, DefaultPinRate> kRates{
      {"hbm", {1.0e9, "JESD235: 1 Gb/s per pin (refdata hbm_generations.csv, gem5 hbm.py)"}},
      {"hbm2", {2.4e9, "JESD235B: 2.4 Gb/s per pin (refdata hbm_generations.csv, JEDEC press release 2018-12-17)"}},
      {"hbm2e", {3.2e9, "JESD235C: 3.2 Gb/s per pin (refdata hbm_generations.csv, TechSpot JEDEC table)"}},
      {"hbm3", {6.4e9, "JESD238: up to 6.4 Gb/s per pin (refdata hbm_generations.csv, JEDEC press release 2022-01)"}},
      {"hbm3e", {8.0e9, "estimate: 8.0 Gb/s, the grade of timing set hbm3e-8000 and of B200 (8 TB/s over 8 stacks); "
                        "vendor bins reach 9.2-9.6 Gb/s (refdata hbm_generations.csv)"}},
      {"hbm4", {8.0e9, "JESD270-4: 8 Gb/s per pin (refdata hbm_generations.csv)"}},
  };
  auto it = kRates.find(generation);
  if (it == kRates.end()) return std::nullopt;
  return it->second;
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

MemorySystemSpec MemorySystem::spec() const {
  return MemorySystemSpec{generation_, stacks_, capacity_bytes_, pin_rate_bits_per_s_, bus_width_bits_,
                          bandwidth_bytes_per_s_};
}

namespace {

// Checks shared by parse() (which reports file:line first) and from_spec().
std::string bandwidth_mismatch(double pin, double bw, int width) {
  const double derived = pin * width / 8.0;
  if (std::fabs(bw / derived - 1.0) <= 0.03) return {};
  return fmt::format("{} (pin_rate {} x {} bits / 8), within 3%",
                     core::format_quantity(derived, core::Dimension::kBytesPerSecond),
                     core::format_quantity(pin, core::Dimension::kBitsPerSecond), width);
}

std::string width_too_wide(const std::string& generation, int stacks, int width) {
  const int sw = MemorySystem::stack_width_bits(generation);
  if (sw == 0 || width <= stacks * sw) return {};
  return fmt::format("at most {} bits (memory.stacks {} x {} bits per {} stack)", stacks * sw, stacks, sw, generation);
}

}  // namespace

MemorySystem MemorySystem::from_spec(const MemorySystemSpec& s, const SpecOrigin& origin) {
  MemorySystem m;
  const auto& known = known_generations();
  if (std::find(known.begin(), known.end(), s.generation) == known.end())
    throw origin.error("memory.generation", s.generation, "a memory generation, " + core::expected_one_of(known));
  m.generation_ = s.generation;
  if (s.stacks < 1) throw origin.error("memory.stacks", std::to_string(s.stacks), "a positive integer");
  m.stacks_ = s.stacks;
  if (!(s.capacity_bytes > 0))
    throw origin.error("memory.capacity", core::format_quantity(s.capacity_bytes, core::Dimension::kBytes),
                       "a positive size such as \"80 GiB\"");
  m.capacity_bytes_ = s.capacity_bytes;
  m.bus_width_bits_ = s.bus_width_bits ? *s.bus_width_bits : s.stacks * stack_width_bits(s.generation);
  if (m.bus_width_bits_ <= 0)
    throw origin.error("memory.bus_width_bits", std::to_string(m.bus_width_bits_),
                       "a bus width in bits for non-HBM memory (" + s.generation + ")");
  if (auto why = width_too_wide(s.generation, s.stacks, m.bus_width_bits_); !why.empty())
    throw origin.error("memory.bus_width_bits", std::to_string(m.bus_width_bits_), why);
  const auto& pin = s.pin_rate_bits_per_s;
  const auto& bw = s.bandwidth_bytes_per_s;
  if (!pin && !bw) throw origin.error("memory", "", "a pin_rate or a bandwidth (or both)");
  if (pin && !(*pin > 0))
    throw origin.error("memory.pin_rate", std::to_string(*pin), "a positive rate such as \"6.4 Gb/s\"");
  if (bw && !(*bw > 0))
    throw origin.error("memory.bandwidth", std::to_string(*bw), "a positive bandwidth such as \"3.35 TB/s\"");
  if (pin && bw) {
    if (auto why = bandwidth_mismatch(*pin, *bw, m.bus_width_bits_); !why.empty())
      throw origin.error("memory.bandwidth", core::format_quantity(*bw, core::Dimension::kBytesPerSecond), why);
  }
  // The published bandwidth is what vendors quote; keep it when it agrees with the derivation.
  m.pin_rate_bits_per_s_ = pin ? *pin : *bw * 8.0 / m.bus_width_bits_;
  m.bandwidth_bytes_per_s_ = bw ? *bw : *pin * m.bus_width_bits_ / 8.0;
  return m;
}

MemorySystem MemorySystem::parse(const core::ConfigNode& node, SourceMap& sources) {
  node.expect_keys({"generation", "stacks", "capacity", "pin_rate", "bus_width_bits", "bandwidth"});
  MemorySystemSpec s;
  const core::ConfigNode gen = node.at("generation");
  const std::string g = core::lowercase(gen.as_string());
  const auto& known = known_generations();
  if (std::find(known.begin(), known.end(), g) == known.end())
    throw gen.error("a memory generation, " + core::expected_one_of(known));
  s.generation = g;
  s.stacks = read_count(node.at("stacks"), sources);
  s.capacity_bytes = read_sourced_positive(node.at("capacity"), core::Dimension::kBytes, sources);
  if (node.has("bus_width_bits")) s.bus_width_bits = read_count(node.at("bus_width_bits"), sources);
  const int width = s.bus_width_bits ? *s.bus_width_bits : s.stacks * stack_width_bits(g);
  if (width <= 0) throw node.error("a bus_width_bits field for non-HBM memory");
  if (auto why = width_too_wide(g, s.stacks, width); !why.empty())
    throw sourced_value_error(node.at("bus_width_bits"), why);
  s.pin_rate_bits_per_s = read_optional(node, "pin_rate", core::Dimension::kBitsPerSecond, sources);
  s.bandwidth_bytes_per_s = read_optional(node, "bandwidth", core::Dimension::kBytesPerSecond, sources);
  if (!s.pin_rate_bits_per_s && !s.bandwidth_bytes_per_s) throw node.error("a pin_rate or a bandwidth (or both)");
  if (s.pin_rate_bits_per_s && s.bandwidth_bytes_per_s) {
    if (auto why = bandwidth_mismatch(*s.pin_rate_bits_per_s, *s.bandwidth_bytes_per_s, width); !why.empty())
      throw sourced_value_error(node.at("bandwidth"), why);
  }
  SpecOrigin origin;
  origin.file = node.file();
  return from_spec(s, origin);
}

}  // namespace xpusim::hardware
