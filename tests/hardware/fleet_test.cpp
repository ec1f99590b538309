#include <gtest/gtest.h>

#include "hardware/hardware_fixtures.hpp"
#include "support/test_support.hpp"

namespace xpusim::hardware {
namespace {

using test::error_of;

TEST(Fleet, ExampleFleetTotals) {
  const Fleet f = test::catalog().fleet(std::string(XPUSIM_SOURCE_DATA_DIR) + "/fleets/example.yaml");
  EXPECT_EQ(f.name(), "example-mixed-fleet");
  ASSERT_EQ(f.entries().size(), 4u);
  EXPECT_EQ(f.entries()[0].system->name(), "dgx-h100");
  // 128 x 8 + 64 x 8 + 72 x 4 + 16 x 8
  EXPECT_EQ(f.total_chips(), 1024 + 512 + 288 + 128);
  // Catalog node power unless overridden: 10.2 kW, 6.5 kW, 6.67 kW; the MI300X line says 10.5 kW.
  EXPECT_DOUBLE_EQ(f.total_power_w(), 128 * 10200.0 + 64 * 6500.0 + 72 * 6670.0 + 16 * 10500.0);
  EXPECT_EQ(f.entries()[3].power_per_node_w, 10500.0);
  EXPECT_EQ(f.total_price_usd(), 0.0);  // no catalog system has a price yet
}

TEST(Fleet, PricesAndUserSystemFiles) {
  const auto sys = test::write_temp_file(
      "fleet_dir/my_sys.yaml",
      "name: my-dgx\nkind: system\nvendor: Me\nchip: h100-sxm5-80gb\nnode:\n  chips_per_node: 8\n  scale_up:\n"
      "    fabric: NVLink\n    topology: switch\n    bandwidth_per_chip: \"450 GB/s\"\n    domain_size: 8\n"
      "    latency: \"3 us\"\n  price: \"300000 USD\"\nnetwork:\n  technology: IB\n  nics_per_node: 8\n"
      "  nic_bandwidth: \"400 Gb/s\"\n  tiers: 2\n  latency: \"4 us\"\nmax_nodes: 32\n");
  const auto fleet = test::write_temp_file(
      "fleet_dir/fleet.yaml",
      "name: f\nsystems:\n  - {system: my_sys.yaml, nodes: 10}\n"
      "  - {system: dgx-h100, nodes: 2, price_per_node: \"250000 USD\", power_per_node: \"11 kW\"}\n");
  const Fleet f = test::catalog().fleet(fleet);
  EXPECT_EQ(f.entries()[0].system->name(), "my-dgx");  // relative to the fleet file
  EXPECT_EQ(f.total_chips(), 96);
  EXPECT_EQ(f.total_price_usd(), 10 * 300000.0 + 2 * 250000.0);
  EXPECT_EQ(f.total_power_w(), 2 * 11000.0);  // my-dgx has no power figure
  (void)sys;
}

TEST(Fleet, Errors) {
  auto fleet_error = [](const std::string& text) {
    const auto path = test::write_temp_file("bad_fleet.yaml", text);
    return error_of([&] { test::catalog().fleet(path); });
  };
  const std::string path = test::write_temp_file("bad_fleet.yaml", "");
  EXPECT_EQ(fleet_error("name: f\nsystems:\n  - {system: dgx-h10, nodes: 2}\n"),
            path + ":3: systems[0].system: expected a known system name or a YAML file (did you mean: dgx-h100, "
                   "dgx-a100, dgx-b200?), got \"dgx-h10\"");
  EXPECT_EQ(fleet_error("name: f\nsystems:\n  - {system: dgx-h100, nodes: -2}\n"),
            path + ":3: systems[0].nodes: expected a positive integer, got \"-2\"");
  EXPECT_EQ(fleet_error("name: f\nsystems: []\n"), path + ":2: systems: expected at least one system entry, got \"a list\"");
  EXPECT_EQ(fleet_error("name: f\nkind: chip\nsystems: []\n"), path + ":2: kind: expected \"fleet\", got \"chip\"");
  EXPECT_EQ(fleet_error("name: f\nsystems:\n  - {system: missing.yaml, nodes: 1}\n"),
            path + ":3: systems[0].system: expected an existing system YAML file, got \"missing.yaml\"");
  EXPECT_EQ(fleet_error("name: f\nsystems:\n  - {system: dgx-h100, node: 1}\n"),
            path + ":3: systems[0].node: expected a known field (did you mean 'nodes'?), got \"node\"");
}

// Found by fuzzing (fuzz/hardware_yaml_fuzz.cpp): a system name too long for a path made
// std::filesystem::exists throw filesystem_error, which escaped as an abort.
TEST(Fleet, SystemNameTooLongForAPathIsAnError) {
  const auto path = test::write_temp_file(
      "long_fleet.yaml", "name: f\nkind: fleet\nsystems:\n  - system: '" + std::string(5000, 'a') + ".yaml'\n    nodes: 1\n");
  try {
    test::catalog().fleet(path);
    FAIL() << "a missing system file was accepted";
  } catch (const core::Error& e) {
    EXPECT_NE(std::string(e.what()).find("long_fleet.yaml:4"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("an existing system YAML file"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace xpusim::hardware
