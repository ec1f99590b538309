#include <gtest/gtest.h>

#include "hardware/chip.hpp"
#include "hardware/hardware_fixtures.hpp"

namespace xpusim::hardware {
namespace {

using test::chip_yaml;
using test::error_of;
using test::parse_chip;

TEST(Chip, ParsesAValidChip) {
  const Chip c = parse_chip(chip_yaml());
  EXPECT_EQ(c.name(), "test-chip");
  EXPECT_EQ(c.display_name(), "test-chip");  // defaults to the name
  EXPECT_EQ(c.vendor(), "Test");
  EXPECT_EQ(c.peak_flops_per_s(core::Dtype::kBf16), 100e12);
  EXPECT_TRUE(c.supports(core::Dtype::kBf16));
  EXPECT_FALSE(c.supports(core::Dtype::kFp8));
  EXPECT_EQ(c.peak_flops_per_s(core::Dtype::kFp8), 0.0);
  EXPECT_EQ(c.compute_units(), 10);
  EXPECT_EQ(c.compute_unit_name(), "core");
  EXPECT_EQ(c.clock_hz(), 1e9);
  EXPECT_EQ(c.tdp_w(), 300.0);
  EXPECT_EQ(c.l2_cache_bytes(), 0.0);
  EXPECT_TRUE(c.scale_up_link().empty());
  EXPECT_EQ(c.file(), "chip.yaml");
  EXPECT_EQ(c.sources().at("peak_flops_per_s.bf16"), "s");
  EXPECT_EQ(c.sources().at("memory.stacks"), "s");
}

TEST(Chip, BareNumbersAreAcceptedWithoutSources) {
  const Chip c = parse_chip(
      "name: bare\nvendor: V\npeak_flops_per_s: {fp16: \"50 TFLOP/s\"}\ncompute_units: 4\nclock: \"2 GHz\"\n"
      "tdp: \"100 W\"\nl2_cache: \"8 MiB\"\nscale_up: {link: PCIe, bandwidth: \"64 GB/s\"}\n"
      "memory: {generation: HBM2E, stacks: 2, capacity: \"32 GB\", bandwidth: \"819 GB/s\"}\n");
  EXPECT_EQ(c.peak_flops_per_s(core::Dtype::kFp16), 50e12);
  EXPECT_EQ(c.memory().generation(), "hbm2e");  // case-insensitive
  EXPECT_EQ(c.l2_cache_bytes(), 8.0 * 1024 * 1024);
  EXPECT_EQ(c.scale_up_link(), "PCIe");
  EXPECT_EQ(c.scale_up_bandwidth_bytes_per_s(), 64e9);
  EXPECT_TRUE(c.sources().empty());
}

TEST(Chip, StacksGivenAsWordIsTheDocumentedError) {
  const std::string text =
      "name: x\nkind: chip\nvendor: Test\npeak_flops_per_s: {bf16: \"100 TFLOP/s\"}\nmemory:\n"
      "  generation: hbm3\n  stacks: six\n  capacity: \"64 GB\"\n  pin_rate: \"6.4 Gb/s\"\n"
      "compute_units: 10\nclock: \"1 GHz\"\ntdp: \"300 W\"\n";
  EXPECT_EQ(error_of([&] { parse_chip(text, "data/hardware/x.yaml"); }),
            "data/hardware/x.yaml:7: memory.stacks: expected a positive integer, got \"six\"");
}

TEST(Chip, SourcedValueErrorsNameTheFieldNotValue) {
  EXPECT_EQ(error_of([] {
              parse_chip(chip_yaml("  generation: hbm3\n  stacks: {value: 4.5, source: \"s\"}\n"
                                   "  capacity: \"64 GB\"\n  pin_rate: \"6.4 Gb/s\"\n"));
            }),
            "chip.yaml:11: memory.stacks: expected a positive integer, got \"4.5\"");
  EXPECT_EQ(error_of([] {
              parse_chip(chip_yaml("  generation: hbm3\n  stacks: 4\n  capacity: {value: \"64 GB/s\", source: s}\n"
                                   "  pin_rate: \"6.4 Gb/s\"\n"));
            }),
            "chip.yaml:12: memory.capacity: expected a size such as \"80 GiB\", got \"64 GB/s\"");
  EXPECT_EQ(error_of([] {
              parse_chip(chip_yaml("  generation: hbm3\n  stacks: 0\n  capacity: \"64 GB\"\n  pin_rate: \"6.4 Gb/s\"\n"));
            }),
            "chip.yaml:11: memory.stacks: expected a positive integer, got \"0\"");
}

TEST(Chip, EverySourcedNumberMustHaveANonEmptySource) {
  EXPECT_EQ(error_of([] {
              parse_chip(chip_yaml("  generation: hbm3\n  stacks: {value: 4, source: \"\"}\n"
                                   "  capacity: \"64 GB\"\n  pin_rate: \"6.4 Gb/s\"\n"));
            }),
            "chip.yaml:11: memory.stacks.source: expected a non-empty source: document and table or section, "
            "or \"estimate: <reasoning>\", got \"\"");
  EXPECT_EQ(error_of([] {
              parse_chip(chip_yaml("  generation: hbm3\n  stacks: {value: 4, sorce: \"x\"}\n"
                                   "  capacity: \"64 GB\"\n  pin_rate: \"6.4 Gb/s\"\n"));
            }),
            "chip.yaml:11: memory.stacks.sorce: expected a known field (did you mean 'source'?), got \"sorce\"");
}

TEST(Chip, FieldErrors) {
  const std::string base = chip_yaml();
  auto with = [&](const std::string& from, const std::string& to) {
    std::string t = base;
    t.replace(t.find(from), from.size(), to);
    return t;
  };
  EXPECT_EQ(error_of([&] { parse_chip(with("kind: chip", "kind: system")); }),
            "chip.yaml:2: kind: expected \"chip\", got \"system\"");
  EXPECT_EQ(error_of([&] { parse_chip(with("vendor: Test\n", "vendor: Test\nvendorr: x\n")); }),
            "chip.yaml:4: vendorr: expected a known field (did you mean 'vendor'?), got \"vendorr\"");
  EXPECT_EQ(error_of([&] { parse_chip(with("vendor: Test\n", "")); }),
            "chip.yaml:1: vendor: expected a value for the required field 'vendor', got \"nothing\"");
  EXPECT_EQ(error_of([&] { parse_chip(with("name: test-chip", "name: \"\"")); }),
            "chip.yaml:1: name: expected a non-empty name, got \"\"");
  EXPECT_EQ(error_of([&] { parse_chip(with("  bf16:", "  bf61:")); }),
            "chip.yaml:5: peak_flops_per_s.bf61: expected a known field (did you mean 'bf16'?), got \"bf61\"");
  EXPECT_EQ(error_of([&] { parse_chip(with("  bf16:", "  fp32:")); }),
            "chip.yaml:5: peak_flops_per_s: expected a bf16 or fp16 peak (the dense rate every training model "
            "uses), got \"a mapping\"");
  EXPECT_EQ(error_of([&] { parse_chip(with("\"100 TFLOP/s\"", "\"100 TB/s\"")); }),
            "chip.yaml:5: peak_flops_per_s.bf16: expected a compute rate such as \"989 TFLOP/s\", got \"100 TB/s\"");
  EXPECT_EQ(error_of([&] { parse_chip(with("\"100 TFLOP/s\"", "\"-1 TFLOP/s\"")); }),
            "chip.yaml:5: peak_flops_per_s.bf16: expected a positive compute rate such as \"989 TFLOP/s\", got "
            "\"-1 TFLOP/s\"");
  EXPECT_EQ(error_of([&] { parse_chip(with("\"1 GHz\"", "\"1 GB\"")); }),
            "chip.yaml:7: clock: expected a frequency such as \"1.98 GHz\", got \"1 GB\"");
  EXPECT_EQ(error_of([&] { parse_chip(with("\"300 W\"", "300")); }),
            "chip.yaml:8: tdp: expected a power such as \"700 W\", got \"300\"");
  EXPECT_EQ(error_of([&] { parse_chip(with("compute_units: {value: 10,", "compute_units: {value: ten,")); }),
            "chip.yaml:6: compute_units: expected a positive integer, got \"ten\"");
  EXPECT_EQ(error_of([&] { parse_chip(base + "scale_up: {link: NVLink}\n"); }),
            "chip.yaml:14: scale_up.bandwidth: expected a value for the required field 'bandwidth', got \"nothing\"");
  EXPECT_EQ(error_of([&] { parse_chip(base + "calibration: {gemm_efficiency: 0.8}\n"); }),
            "chip.yaml:14: calibration.gemm_efficiency: expected a known field, got \"gemm_efficiency\"");
}

TEST(Chip, CalibrationParametersComeFromTheSchema) {
  const CalibrationSchema schema{
      {"gemm_efficiency", ParamDecl::Scope::kChip, core::Dimension::kDimensionless, 0.7, "GEMM achieved/peak"},
      {"link_efficiency", ParamDecl::Scope::kSystem, core::Dimension::kDimensionless, 0.9, "per system"}};
  const Chip plain = Chip::parse(core::ConfigNode::parse(chip_yaml(), "c.yaml"), schema);
  EXPECT_EQ(plain.calibration().get("gemm_efficiency"), 0.7);
  EXPECT_FALSE(plain.calibration().set_in_catalog("gemm_efficiency"));
  // A programming error, not bad input: its own exception type (exit 3 in the CLI).
  try {
    plain.calibration().get("link_efficiency");
    FAIL() << "an undeclared parameter was read";
  } catch (const core::InternalError& e) {
    EXPECT_STREQ(e.what(), "calibration parameter 'link_efficiency' is not declared; register it in the layer's "
                           "calibration_schema()");
  }
  const Chip tuned = Chip::parse(
      core::ConfigNode::parse(chip_yaml() + "calibration:\n  gemm_efficiency: {value: 0.82, source: \"fit\"}\n",
                              "c.yaml"),
      schema);
  EXPECT_EQ(tuned.calibration().get("gemm_efficiency"), 0.82);
  EXPECT_TRUE(tuned.calibration().set_in_catalog("gemm_efficiency"));
  EXPECT_EQ(tuned.sources().at("calibration.gemm_efficiency"), "fit");
  EXPECT_EQ(error_of([&] {
              Chip::parse(core::ConfigNode::parse(chip_yaml() + "calibration: {link_efficiency: 0.5}\n", "c.yaml"),
                          schema);
            }),
            "c.yaml:14: calibration.link_efficiency: expected a known field (did you mean 'gemm_efficiency'?), got "
            "\"link_efficiency\"");
}

}  // namespace
}  // namespace xpusim::hardware
