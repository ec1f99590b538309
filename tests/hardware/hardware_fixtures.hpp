#pragma once

#include <functional>
#include <string>

#include "core/config.hpp"
#include "core/error.hpp"
#include "hardware/chip.hpp"
#include "hardware/system.hpp"

namespace xpusim::test {

// A small valid chip; each test changes one field. Line numbers below are relied on by tests.
inline std::string chip_yaml(const std::string& memory_block = "  generation: hbm3\n"
                                                               "  stacks: {value: 4, source: \"s\"}\n"
                                                               "  capacity: {value: \"64 GB\", source: \"s\"}\n"
                                                               "  pin_rate: {value: \"6.4 Gb/s\", source: \"s\"}\n") {
  return "name: test-chip\n"                                          // 1
         "kind: chip\n"                                               // 2
         "vendor: Test\n"                                             // 3
         "peak_flops_per_s:\n"                                        // 4
         "  bf16: {value: \"100 TFLOP/s\", source: \"s\"}\n"          // 5
         "compute_units: {value: 10, source: \"s\"}\n"                // 6
         "clock: {value: \"1 GHz\", source: \"s\"}\n"                 // 7
         "tdp: {value: \"300 W\", source: \"s\"}\n"                   // 8
         "memory:\n" +                                                // 9
         memory_block;                                                // 10...
}

inline hardware::Chip parse_chip(const std::string& text, const std::string& file = "chip.yaml") {
  return hardware::Chip::parse(core::ConfigNode::parse(text, file), {});
}

// What a parse throws, or "(no error)".
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const core::Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace xpusim::test
