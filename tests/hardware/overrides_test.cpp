#include "hardware/overrides.hpp"

#include <gtest/gtest.h>

#include "hardware/hardware_fixtures.hpp"
#include "support/test_support.hpp"

namespace xpusim::hardware {
namespace {

using test::error_of;

std::vector<Override> overrides(std::initializer_list<const char*> texts) {
  std::vector<Override> out;
  for (const char* t : texts) out.push_back(parse_override(t));
  return out;
}

std::shared_ptr<const Chip> h200() { return test::catalog().chip("h200-sxm-141gb", "--chip"); }

TEST(Overrides, ParseSplitsPathAndValue) {
  const auto o = parse_override("memory.bandwidth = 4.8 TB/s");
  EXPECT_EQ(o.path, "memory.bandwidth");
  EXPECT_EQ(o.value, "4.8 TB/s");
  EXPECT_EQ(error_of([] { parse_override("memory.stacks"); }),
            "--set: expected PATH=VALUE, e.g. memory.stacks=8, got \"memory.stacks\"");
  EXPECT_EQ(error_of([] { parse_override("=8"); }), "--set: expected PATH=VALUE, e.g. memory.stacks=8, got \"=8\"");
}

TEST(Overrides, NoOverridesReturnTheBaseItself) {
  const auto base = h200();
  EXPECT_EQ(apply_overrides(base, {}, test::full_schema()).get(), base.get());
}

TEST(Overrides, StacksRederiveWidthCapacityAndBandwidth) {
  const auto base = h200();
  const auto c = apply_overrides(base, overrides({"memory.stacks=8"}), test::full_schema());
  EXPECT_EQ(c->memory().stacks(), 8);
  EXPECT_EQ(c->memory().bus_width_bits(), 8192);
  EXPECT_NEAR(c->memory().capacity_bytes(), 141e9 / 6 * 8, 1);
  EXPECT_NEAR(c->memory().bandwidth_bytes_per_s(), 6.2e9 * 8192 / 8, 1e3);  // from the pin rate
  EXPECT_DOUBLE_EQ(c->memory().pin_rate_bits_per_s(), base->memory().pin_rate_bits_per_s());
  EXPECT_EQ(c->label(), "h200-sxm-141gb with memory.stacks=8");
  EXPECT_EQ(c->name(), "h200-sxm-141gb");
  EXPECT_EQ(c->sources().at("memory.stacks"), "--set memory.stacks=8");
  EXPECT_EQ(c->sources().at("memory.bandwidth").rfind("derived: ", 0), 0u);
  EXPECT_EQ(c->spec().derived.size(), 3u);
  // The base is untouched and still shares nothing mutable with the copy.
  EXPECT_EQ(base->memory().stacks(), 6);
  EXPECT_EQ(base->sources().at("memory.stacks").rfind("AnandTech", 0), 0u);
  // Calibration is inherited.
  EXPECT_DOUBLE_EQ(c->calibration().get("l2_bandwidth"), base->calibration().get("l2_bandwidth"));
}

TEST(Overrides, ASwitchedGenerationBringsItsPinRateAndTimings) {
  const auto& s = test::full_schema();
  const auto h100 = test::catalog().chip("h100-sxm5-80gb", "--chip");  // HBM3 at 5.24 Gb/s
  const auto e = apply_overrides(h100, overrides({"memory.generation=hbm3e"}), s);
  EXPECT_EQ(e->memory().generation(), "hbm3e");
  EXPECT_DOUBLE_EQ(e->memory().pin_rate_bits_per_s(), 8.0e9);
  EXPECT_DOUBLE_EQ(e->memory().bandwidth_bytes_per_s(), 8.0e9 * 5120 / 8);
  EXPECT_DOUBLE_EQ(e->memory().capacity_bytes(), h100->memory().capacity_bytes());  // stack height unchanged
  // The same generation keeps the base's parts; a given pin rate wins over the default.
  const auto same = apply_overrides(h100, overrides({"memory.generation=hbm3"}), s);
  EXPECT_DOUBLE_EQ(same->memory().pin_rate_bits_per_s(), h100->memory().pin_rate_bits_per_s());
  const auto given = apply_overrides(h100, overrides({"memory.generation=hbm3e", "memory.pin_rate=9.2 Gb/s"}), s);
  EXPECT_DOUBLE_EQ(given->memory().pin_rate_bits_per_s(), 9.2e9);
  const auto down = apply_overrides(h200(), overrides({"memory.generation=hbm3"}), s);
  EXPECT_DOUBLE_EQ(down->memory().pin_rate_bits_per_s(), 6.4e9);  // JESD238's top rate
  bool noted = false;
  for (const auto& d : e->spec().derived) noted = noted || d.rfind("memory.pin_rate: 8 Gb/s (default of hbm3e", 0) == 0;
  EXPECT_TRUE(noted);
}

TEST(Overrides, PartlyEnabledInterfaceKeepsItsFraction) {
  const auto b200 = test::catalog().chip("b200", "--chip");
  const auto c = apply_overrides(b200, overrides({"memory.stacks=4"}), test::full_schema());
  EXPECT_EQ(c->memory().bus_width_bits(), 3840);  // 7680 of 8 x 1024 bits, so 3840 of 4 x 1024
}

TEST(Overrides, OrderDoesNotMatter) {
  const auto a = apply_overrides(h200(), overrides({"memory.stacks=8", "memory.pin_rate=8 Gb/s"}), test::full_schema());
  const auto b = apply_overrides(h200(), overrides({"memory.pin_rate=8 Gb/s", "memory.stacks=8"}), test::full_schema());
  EXPECT_DOUBLE_EQ(a->memory().bandwidth_bytes_per_s(), 8e9 * 8192 / 8);
  EXPECT_DOUBLE_EQ(a->memory().bandwidth_bytes_per_s(), b->memory().bandwidth_bytes_per_s());
}

TEST(Overrides, BandwidthAloneRederivesThePinRate) {
  const auto c = apply_overrides(h200(), overrides({"memory.bandwidth=6144 GB/s"}), test::full_schema());
  EXPECT_NEAR(c->memory().pin_rate_bits_per_s(), 8e9, 1);
}

TEST(Overrides, ComputeUnitsAndClockScaleThePeaks) {
  const auto base = h200();
  const auto c = apply_overrides(base, overrides({"compute_units=264"}), test::full_schema());
  EXPECT_DOUBLE_EQ(c->peak_flops_per_s(core::Dtype::kBf16), 2 * base->peak_flops_per_s(core::Dtype::kBf16));
  const auto d = apply_overrides(base, overrides({"compute_units=264", "peak_flops_per_s.bf16=1000 TFLOP/s"}),
                                 test::full_schema());
  EXPECT_DOUBLE_EQ(d->peak_flops_per_s(core::Dtype::kBf16), 1000e12);  // given, not scaled
  EXPECT_DOUBLE_EQ(d->peak_flops_per_s(core::Dtype::kFp8), 2 * base->peak_flops_per_s(core::Dtype::kFp8));
}

TEST(Overrides, CalibrationPathsSetTheParameter) {
  const auto c = apply_overrides(h200(), overrides({"calibration.gemm_mainloop_efficiency=0.7"}), test::full_schema());
  EXPECT_DOUBLE_EQ(c->calibration().get("gemm_mainloop_efficiency"), 0.7);
}

TEST(Overrides, BadOverridesNameThePathTheValueAndWhatWasExpected) {
  const auto& s = test::full_schema();
  EXPECT_EQ(error_of([&] { apply_overrides(h200(), overrides({"memory.stack=8"}), s); }),
            "--set: expected a chip field path (did you mean: memory.stacks?), got \"memory.stack=8\"");
  EXPECT_EQ(error_of([&] { apply_overrides(h200(), overrides({"memory.capacity=96"}), s); }),
            "--set memory.capacity: expected a positive value: a size such as \"80 GiB\", got \"96\"");
  EXPECT_EQ(error_of([&] { apply_overrides(h200(), overrides({"memory.stacks=eight"}), s); }),
            "--set memory.stacks: expected a positive integer, got \"eight\"");
  EXPECT_EQ(error_of([&] { apply_overrides(h200(), overrides({"memory.generation=hbm9"}), s); }).rfind(
                "--set memory.generation: expected a memory generation, one of: hbm,", 0),
            0u);
  EXPECT_EQ(error_of([&] { apply_overrides(h200(), overrides({"memory.stacks=8", "memory.stacks=6"}), s); }),
            "--set memory.stacks: expected each field path set once (it is also set to \"8\"), got \"6\"");
  // Contradictions: pin rate x width disagrees with the bandwidth; a width more than the stacks have.
  EXPECT_EQ(error_of([&] { apply_overrides(h200(), overrides({"memory.pin_rate=8 Gb/s", "memory.bandwidth=4.8 TB/s"}), s); }),
            "--set memory.bandwidth: expected 6.144 TB/s (pin_rate 8 Gb/s x 6144 bits / 8), within 3%, got \"4.8 TB/s\"");
  EXPECT_EQ(error_of([&] { apply_overrides(h200(), overrides({"memory.bus_width_bits=8192"}), s); }),
            "--set memory.bus_width_bits: expected at most 6144 bits (memory.stacks 6 x 1024 bits per hbm3e stack), "
            "got \"8192\"");
}

TEST(Overrides, SystemPathsAndChipPaths) {
  const auto& s = test::full_schema();
  const auto base = test::catalog().system("dgx-h100", "--system");
  const auto sys = apply_overrides(base, overrides({"memory.stacks=6", "node.scale_up.domain_size=16",
                                                    "calibration.training_memory_reserve=4 GiB"}),
                                   s);
  EXPECT_EQ(sys->chip().memory().stacks(), 6);
  EXPECT_NEAR(sys->chip().memory().capacity_bytes(), 96e9, 1);
  EXPECT_EQ(sys->node().scale_up.domain_size, 16);
  EXPECT_DOUBLE_EQ(sys->calibration().get("training_memory_reserve"), 4.0 * (1 << 30));
  EXPECT_EQ(sys->label(), "dgx-h100 with memory.stacks=6, node.scale_up.domain_size=16, "
                          "calibration.training_memory_reserve=4 GiB");
  const auto prefixed = apply_overrides(base, overrides({"chip.memory.stacks=6"}), s);
  EXPECT_EQ(prefixed->chip().memory().stacks(), 6);
  EXPECT_EQ(error_of([&] { apply_overrides(base, overrides({"node.scale_up.domain_size=12"}), s); }),
            "--set node.scale_up.domain_size: expected a multiple of chips_per_node (8): a scale-up domain is made "
            "of whole nodes, got \"12\"");
  EXPECT_EQ(error_of([&] { apply_overrides(base, overrides({"network.oversubscription=0.5"}), s); }),
            "--set network.oversubscription: expected an oversubscription ratio >= 1 (1 = non-blocking), got \"0.5\"");
  EXPECT_EQ(error_of([&] { apply_overrides(base, overrides({"nodes.max=3"}), s); }).rfind(
                "--set: expected a system or chip field path", 0),
            0u);
}

TEST(Overrides, SpecsCanBeBuiltInCode) {
  ChipSpec spec = h200()->spec();
  spec.name = "my-chip";
  spec.memory.stacks = 8;
  spec.memory.bus_width_bits.reset();
  spec.memory.bandwidth_bytes_per_s.reset();
  const Chip c = Chip::from_spec(spec);
  EXPECT_EQ(c.memory().bus_width_bits(), 8192);
  spec.compute_units = 0;
  EXPECT_NE(error_of([&] { Chip::from_spec(spec); }).find("compute_units: expected a positive integer, got \"0\""),
            std::string::npos);
}

}  // namespace
}  // namespace xpusim::hardware
