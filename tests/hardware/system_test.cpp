#include <gtest/gtest.h>

#include <memory>

#include "hardware/hardware_fixtures.hpp"
#include "hardware/system.hpp"

namespace xpusim::hardware {
namespace {

using test::error_of;

// A valid 8-chip system; line numbers are relied on below.
std::string system_yaml(const std::string& domain = "8", const std::string& extra = "") {
  return "name: test-sys\n"                                                   // 1
         "kind: system\n"                                                     // 2
         "vendor: Test\n"                                                     // 3
         "chip: test-chip\n"                                                  // 4
         "node:\n"                                                            // 5
         "  chips_per_node: {value: 8, source: \"s\"}\n"                      // 6
         "  scale_up:\n"                                                      // 7
         "    fabric: TestLink\n"                                             // 8
         "    topology: switch\n"                                             // 9
         "    bandwidth_per_chip: {value: \"450 GB/s\", source: \"s\"}\n"     // 10
         "    domain_size: {value: " + domain + ", source: \"s\"}\n"          // 11
         "    latency: {value: \"3 us\", source: \"s\"}\n"                    // 12
         "  power: {value: \"10 kW\", source: \"s\"}\n"                       // 13
         "network:\n"                                                         // 14
         "  technology: InfiniBand NDR\n"                                     // 15
         "  nics_per_node: {value: 8, source: \"s\"}\n"                       // 16
         "  nic_bandwidth: {value: \"400 Gb/s\", source: \"s\"}\n"            // 17
         "  tiers: {value: 3, source: \"s\"}\n"                               // 18
         "  latency: {value: \"5 us\", source: \"s\"}\n"                      // 19
         "max_nodes: {value: 16, source: \"s\"}\n" +                          // 20
         extra;
}

std::shared_ptr<const Chip> chip() {
  static const auto c = std::make_shared<const Chip>(test::parse_chip(test::chip_yaml()));
  return c;
}

System parse_system(const std::string& text) {
  return System::parse(core::ConfigNode::parse(text, "sys.yaml"),
                       [](const core::ConfigNode& field) {
                         if (field.as_string() != "test-chip") throw field.error("test-chip");
                         return chip();
                       },
                       {});
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  text.replace(text.find(from), from.size(), to);
  return text;
}

TEST(System, ParsesNodeNetworkAndLimits) {
  const System s = parse_system(system_yaml());
  EXPECT_EQ(s.name(), "test-sys");
  EXPECT_EQ(s.chip().name(), "test-chip");
  EXPECT_EQ(s.node().chips_per_node, 8);
  EXPECT_EQ(s.node().scale_up.bandwidth_per_chip, 450e9);
  EXPECT_EQ(s.node().scale_up.domain_size, 8);
  EXPECT_EQ(s.node().scale_up.latency_s, 3e-6);
  EXPECT_FALSE(s.node().scale_up.nvls);
  EXPECT_EQ(s.node().power_w, 10e3);
  EXPECT_EQ(s.node().price_usd, 0.0);
  EXPECT_EQ(s.network().nic_bandwidth, 50e9);  // 400 Gb/s stored as bytes per second
  EXPECT_EQ(s.network().nics_per_node, 8);
  EXPECT_EQ(s.network().tiers, 3);
  EXPECT_EQ(s.network().oversubscription, 1.0);
  EXPECT_FALSE(s.network().rail_optimized);
  EXPECT_EQ(s.network().latency_s, 5e-6);
  EXPECT_EQ(s.max_nodes(), 16);
  EXPECT_EQ(s.max_chips(), 128);
  EXPECT_EQ(s.sources().at("node.scale_up.domain_size"), "s");
}

TEST(System, DomainSpanningNodesIsAccepted) {
  const System s = parse_system(replaced(replaced(system_yaml("72"), "chips_per_node: {value: 8", "chips_per_node: {value: 4"),
                                         "max_nodes: {value: 16", "max_nodes: {value: 18"));
  EXPECT_EQ(s.node().scale_up.domain_size, 72);
}

TEST(System, DomainNotAMultipleOfChipsPerNodeFails) {
  EXPECT_EQ(error_of([] { parse_system(system_yaml("12")); }),
            "sys.yaml:11: node.scale_up.domain_size: expected a multiple of chips_per_node (8): a scale-up domain is "
            "made of whole nodes, got \"12\"");
}

TEST(System, MaxNodesMustFillOneDomain) {
  EXPECT_EQ(error_of([] { parse_system(replaced(system_yaml("256"), "max_nodes: {value: 16", "max_nodes: {value: 4")); }),
            "sys.yaml:20: max_nodes: expected at least 32 nodes, enough to fill one scale-up domain of 256 chips, got "
            "\"4\"");
}

TEST(System, FieldErrors) {
  EXPECT_EQ(error_of([] { parse_system(replaced(system_yaml(), "topology: switch", "topology: star")); }),
            "sys.yaml:9: node.scale_up.topology: expected a topology, one of: switch, mesh, torus, got \"star\"");
  EXPECT_EQ(error_of([] { parse_system(replaced(system_yaml(), "kind: system", "kind: chip")); }),
            "sys.yaml:2: kind: expected \"system\", got \"chip\"");
  EXPECT_EQ(error_of([] { parse_system(replaced(system_yaml(), "chip: test-chip", "chip: h999")); }),
            "sys.yaml:4: chip: expected test-chip, got \"h999\"");
  EXPECT_EQ(error_of([] { parse_system(system_yaml("8", "oversubscription: 0.5\n")); }),
            "sys.yaml:21: oversubscription: expected a known field, got \"oversubscription\"");
  EXPECT_EQ(error_of([] {
              parse_system(replaced(system_yaml(), "  tiers:", "  oversubscription: 0.5\n  tiers:"));
            }),
            "sys.yaml:18: network.oversubscription: expected an oversubscription ratio >= 1 (1 = non-blocking), got "
            "\"0.5\"");
  EXPECT_EQ(error_of([] { parse_system(replaced(system_yaml(), "\"400 Gb/s\"", "\"50 GB/s\"")); }),
            "sys.yaml:17: network.nic_bandwidth: expected a bit rate such as \"6.4 Gb/s\", got \"50 GB/s\"");
  EXPECT_EQ(error_of([] { parse_system(replaced(system_yaml(), "    latency: {value: \"3 us\", source: \"s\"}\n", "")); }),
            "sys.yaml:8: node.scale_up.latency: expected a value for the required field 'latency', got \"nothing\"");
  EXPECT_EQ(error_of([] { parse_system(replaced(system_yaml(), "    topology: switch\n", "    topology: switch\n    nvls: maybe\n")); }),
            "sys.yaml:10: node.scale_up.nvls: expected true or false, got \"maybe\"");
}

}  // namespace
}  // namespace xpusim::hardware
