#include <gtest/gtest.h>

#include "hardware/hardware_fixtures.hpp"
#include "hardware/memory_system.hpp"

namespace xpusim::hardware {
namespace {

using test::chip_yaml;
using test::error_of;
using test::parse_chip;

MemorySystem memory(const std::string& block) { return parse_chip(chip_yaml(block)).memory(); }

TEST(MemorySystem, BandwidthIsDerivedFromPinRateWidthAndStacks) {
  const auto m = memory("  generation: hbm3\n  stacks: 4\n  capacity: \"64 GB\"\n  pin_rate: \"6.4 Gb/s\"\n");
  EXPECT_EQ(m.bus_width_bits(), 4096);
  EXPECT_DOUBLE_EQ(m.bandwidth_bytes_per_s(), 6.4e9 * 4096 / 8);  // 3.2768 TB/s
  EXPECT_EQ(m.capacity_bytes(), 64e9);
  EXPECT_EQ(m.stacks(), 4);
}

TEST(MemorySystem, Hbm4StacksAreTwiceAsWide) {
  const auto m = memory("  generation: hbm4\n  stacks: 8\n  capacity: \"288 GB\"\n  pin_rate: \"8 Gb/s\"\n");
  EXPECT_EQ(m.bus_width_bits(), 8 * 2048);
  EXPECT_DOUBLE_EQ(m.bandwidth_bytes_per_s(), 8e9 * 16384 / 8);
  EXPECT_EQ(MemorySystem::stack_width_bits("hbm3e"), 1024);
  EXPECT_EQ(MemorySystem::stack_width_bits("gddr6"), 0);
}

TEST(MemorySystem, PinRateIsDerivedFromBandwidth) {
  const auto m = memory("  generation: hbm3\n  stacks: 5\n  capacity: \"80 GB\"\n  bandwidth: \"3.35 TB/s\"\n");
  EXPECT_DOUBLE_EQ(m.pin_rate_bits_per_s(), 3.35e12 * 8 / 5120);  // 5.234 Gb/s
  EXPECT_EQ(m.bandwidth_bytes_per_s(), 3.35e12);
}

TEST(MemorySystem, PublishedBandwidthIsKeptWhenItAgreesWithinThreePercent) {
  // H100 SXM5: 5.24 Gb/s x 5120 / 8 = 3.354 TB/s; NVIDIA quotes 3.35 TB/s.
  const auto m = memory(
      "  generation: hbm3\n  stacks: 5\n  capacity: \"80 GB\"\n  pin_rate: \"5.24 Gb/s\"\n  bandwidth: \"3.35 TB/s\"\n");
  EXPECT_EQ(m.bandwidth_bytes_per_s(), 3.35e12);
  EXPECT_EQ(m.pin_rate_bits_per_s(), 5.24e9);
}

TEST(MemorySystem, BandwidthContradictingPinRateTimesWidthFails) {
  EXPECT_EQ(error_of([] {
              memory("  generation: hbm3\n  stacks: 5\n  capacity: \"80 GB\"\n  pin_rate: \"5.24 Gb/s\"\n"
                     "  bandwidth: \"4 TB/s\"\n");
            }),
            "chip.yaml:14: memory.bandwidth: expected 3.354 TB/s (pin_rate 5.24 Gb/s x 5120 bits / 8), within 3%, "
            "got \"4 TB/s\"");
  // 3.1% too high also fails: the tolerance is for vendor rounding only.
  EXPECT_NE(error_of([] {
              memory("  generation: hbm3\n  stacks: 4\n  capacity: \"64 GB\"\n  pin_rate: \"6.4 Gb/s\"\n"
                     "  bandwidth: \"3.379 TB/s\"\n");
            }),
            "(no error)");
}

TEST(MemorySystem, ExplicitBusWidthOverridesStacks) {
  // B200 as the driver reports it: 8 stacks, 7680 bits enabled.
  const auto m = memory("  generation: hbm3e\n  stacks: 8\n  capacity: \"180 GB\"\n  pin_rate: \"7.992 Gb/s\"\n"
                        "  bus_width_bits: 7680\n");
  EXPECT_EQ(m.bus_width_bits(), 7680);
  EXPECT_NEAR(m.bandwidth_bytes_per_s(), 7.672e12, 1e9);
}

TEST(MemorySystem, NonHbmNeedsABusWidth) {
  EXPECT_EQ(error_of([] { memory("  generation: gddr6\n  stacks: 1\n  capacity: \"48 GB\"\n  pin_rate: \"20 Gb/s\"\n"); }),
            "chip.yaml:10: memory: expected a bus_width_bits field for non-HBM memory, got \"a mapping\"");
  const auto m = memory(
      "  generation: gddr6\n  stacks: 1\n  capacity: \"48 GB\"\n  pin_rate: \"20 Gb/s\"\n  bus_width_bits: 384\n");
  EXPECT_DOUBLE_EQ(m.bandwidth_bytes_per_s(), 960e9);
}

TEST(MemorySystem, Errors) {
  EXPECT_EQ(error_of([] { memory("  generation: hbm3\n  stacks: 4\n  capacity: \"64 GB\"\n"); }),
            "chip.yaml:10: memory: expected a pin_rate or a bandwidth (or both), got \"a mapping\"");
  EXPECT_EQ(error_of([] { memory("  generation: hbm9\n  stacks: 4\n  capacity: \"64 GB\"\n  pin_rate: \"6 Gb/s\"\n"); }),
            "chip.yaml:10: memory.generation: expected a memory generation, one of: hbm, hbm2, hbm2e, hbm3, hbm3e, "
            "hbm4, hbm4e, gddr6, gddr7, lpddr5x, got \"hbm9\"");
  EXPECT_EQ(error_of([] { memory("  generation: hbm3\n  stacks: 4\n  capacity: \"64 GB\"\n  pin_rate: \"6.4 GB/s\"\n"); }),
            "chip.yaml:13: memory.pin_rate: expected a bit rate such as \"6.4 Gb/s\", got \"6.4 GB/s\"");
  EXPECT_EQ(error_of([] { memory("  generation: hbm3\n  stacks: 4\n  capacity: \"64 GB\"\n  pin_rat: \"6.4 Gb/s\"\n"); }),
            "chip.yaml:13: memory.pin_rat: expected a known field (did you mean 'pin_rate'?), got \"pin_rat\"");
  EXPECT_EQ(error_of([] { memory("  generation: hbm3\n  stacks: 4\n  capacity: \"0 GB\"\n  pin_rate: \"6.4 Gb/s\"\n"); }),
            "chip.yaml:12: memory.capacity: expected a positive size such as \"80 GiB\", got \"0 GB\"");
}

TEST(MemorySystem, MakeDerivesLikeParse) {
  const auto m = MemorySystem::make("hbm3e", 8, 192e9, 8e9);
  EXPECT_EQ(m.bus_width_bits(), 8192);
  EXPECT_DOUBLE_EQ(m.bandwidth_bytes_per_s(), 8.192e12);
}

}  // namespace
}  // namespace xpusim::hardware
