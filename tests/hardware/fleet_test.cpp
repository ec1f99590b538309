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

TEST(Fleet, GpusPerGpuFiguresAndFacility) {
  const auto path = test::write_temp_file(
      "fleet_gpus.yaml",
      "name: f\npue: {value: 1.1, source: \"assumption: x\"}\nelectricity_usd_per_kwh: 0.08\ndepreciation_years: 5\n"
      "systems:\n  - {system: gb200-nvl72, gpus: 72, price_per_gpu: \"40000 USD\", power_per_gpu: \"1.6 kW\", "
      "hbm_vendor: {value: SK hynix, source: \"assumption: y\"}, set: [memory.stacks=6]}\n"
      "  - {system: dgx-h100, gpus: 12}\n");
  const Fleet f = test::catalog().fleet(path);
  ASSERT_EQ(f.entries().size(), 2u);
  const auto& e = f.entries()[0];
  EXPECT_EQ(e.gpus, 72);
  EXPECT_EQ(e.nodes, 18);  // 4 GPUs per compute tray
  EXPECT_EQ(e.price_per_gpu_usd, 40000);
  EXPECT_EQ(e.price_per_node_usd, 160000);
  EXPECT_EQ(e.power_per_gpu_w, 1600);
  EXPECT_EQ(e.hbm_vendor, "SK hynix");
  ASSERT_EQ(e.overrides.size(), 1u);
  EXPECT_EQ(e.overrides[0].text(), "memory.stacks=6");
  EXPECT_EQ(f.entries()[1].nodes, 2);  // 12 GPUs: one and a half DGX, rounded up
  EXPECT_EQ(f.total_chips(), 84);
  EXPECT_DOUBLE_EQ(f.total_power_w(), 72 * 1600.0 + 12 * 1275.0);
  EXPECT_EQ(*f.pue(), 1.1);
  EXPECT_EQ(f.sources().at("pue"), "assumption: x");
  EXPECT_EQ(f.sources().at("systems[0].hbm_vendor"), "assumption: y");
  EXPECT_EQ(*f.electricity_usd_per_kwh(), 0.08);
  EXPECT_EQ(*f.depreciation_years(), 5);
}

TEST(Fleet, NewFieldErrors) {
  auto fleet_error = [](const std::string& text) {
    const auto path = test::write_temp_file("bad_fleet2.yaml", text);
    return error_of([&] { test::catalog().fleet(path); });
  };
  const std::string path = test::write_temp_file("bad_fleet2.yaml", "");
  EXPECT_EQ(fleet_error("name: f\nsystems:\n  - {system: dgx-h100, gpus: 8, nodes: 1}\n"),
            path + ":3: systems[0]: expected exactly one of 'gpus' or 'nodes', got \"a mapping\"");
  EXPECT_EQ(fleet_error("name: f\nsystems:\n  - {system: dgx-h100}\n"),
            path + ":3: systems[0]: expected exactly one of 'gpus' or 'nodes', got \"a mapping\"");
  EXPECT_EQ(fleet_error("name: f\nsystems:\n  - {system: dgx-h100, gpus: 2.5}\n"),
            path + ":3: systems[0].gpus: expected a positive integer, got \"2.5\"");
  EXPECT_EQ(fleet_error("name: f\npue: 0.9\nsystems:\n  - {system: dgx-h100, gpus: 8}\n"),
            path + ":2: pue: expected a PUE >= 1 (facility / IT power), got \"0.9\"");
  EXPECT_EQ(fleet_error("name: f\nelectricity_usd_per_kwh: -1\nsystems:\n  - {system: dgx-h100, gpus: 8}\n"),
            path + ":2: electricity_usd_per_kwh: expected a positive number such as 0.85, got \"-1\"");
  EXPECT_EQ(fleet_error("name: f\ndepreciation_years: 0\nsystems:\n  - {system: dgx-h100, gpus: 8}\n"),
            path + ":2: depreciation_years: expected a positive number such as 0.85, got \"0\"");
  EXPECT_EQ(fleet_error("name: f\nsystems:\n  - {system: dgx-h100, gpus: 8, price_per_gpu: \"1 USD\", "
                        "price_per_node: \"8 USD\"}\n"),
            path + ":3: systems[0].price_per_gpu: expected either 'price_per_gpu' or 'price_per_node', not both, "
                   "got \"1 USD\"");
  EXPECT_EQ(fleet_error("name: f\nsystems:\n  - {system: dgx-h100, gpus: 8, power_per_gpu: \"1 GB\"}\n"),
            path + ":3: systems[0].power_per_gpu: expected a power such as \"700 W\", got \"1 GB\"");
  EXPECT_EQ(fleet_error("name: f\nsystems:\n  - {system: dgx-h100, gpus: 8, set: [memory.stacks]}\n"),
            path + ":3: systems[0].set[0]: expected PATH=VALUE, e.g. memory.stacks=6, got \"memory.stacks\"");
  EXPECT_EQ(fleet_error("name: f\nsystems:\n  - {system: dgx-h100, gpus: 8, set: 3}\n"),
            path + ":3: systems[0].set: expected a list of PATH=VALUE or a mapping of path: value, got \"3\"");
}

}  // namespace
}  // namespace xpusim::hardware
