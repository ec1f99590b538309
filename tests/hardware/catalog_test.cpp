#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>

#include "core/units.hpp"
#include "hardware/hardware_fixtures.hpp"
#include "support/test_support.hpp"

namespace xpusim::hardware {
namespace {

namespace fs = std::filesystem;
using test::error_of;

const std::vector<std::string> kRequiredChips{
    "v100-sxm2-32gb", "a100-sxm4-40gb", "a100-sxm4-80gb", "h100-sxm5-80gb", "h100-pcie-80gb", "h200-sxm-141gb",
    "b200",           "gb200",          "mi250x",         "mi300x",         "mi325x",         "gaudi3",
    "tpu-v4",         "tpu-v5e",        "tpu-v5p",        "trainium2"};
const std::vector<std::string> kRequiredSystems{"dgx-a100",    "dgx-h100",        "hgx-h200",   "dgx-b200",
                                                "gb200-nvl72", "mi300x-platform", "tpu-v5p-pod"};

TEST(Catalog, HasEveryRequiredEntry) {
  const auto& cat = test::catalog();
  for (const auto& n : kRequiredChips) EXPECT_NE(cat.find_chip(n), nullptr) << n;
  for (const auto& n : kRequiredSystems) EXPECT_NE(cat.find_system(n), nullptr) << n;
}

TEST(Catalog, H100HeadlineFigures) {
  const auto h100 = test::catalog().chip("h100-sxm5-80gb", "--chip");
  EXPECT_NEAR(h100->peak_flops_per_s(core::Dtype::kBf16), 989.4e12, 989.4e12 * 0.005);
  EXPECT_EQ(h100->memory().capacity_bytes(), 80e9);
  EXPECT_EQ(h100->memory().generation(), "hbm3");
  EXPECT_NEAR(h100->memory().bandwidth_bytes_per_s(), 3.35e12, 3.35e12 * 0.005);
}

TEST(Catalog, SystemsPointAtCatalogChips) {
  const auto& cat = test::catalog();
  EXPECT_EQ(cat.find_system("dgx-a100")->chip().name(), "a100-sxm4-80gb");
  EXPECT_EQ(cat.find_system("gb200-nvl72")->node().scale_up.domain_size, 72);
  EXPECT_EQ(cat.find_system("gb200-nvl72")->node().chips_per_node, 4);
  // Selene's node (Megatron-LM 2021): NVLink 3 at 300 GB/s per direction, 8 x HDR 200 Gb/s.
  const auto a100 = cat.find_system("dgx-a100");
  EXPECT_EQ(a100->node().scale_up.bandwidth_per_chip, 300e9);
  EXPECT_EQ(a100->network().nics_per_node, 8);
  EXPECT_EQ(a100->network().nic_bandwidth, 25e9);
  EXPECT_EQ(cat.find_system("tpu-v5p-pod")->node().scale_up.topology, "torus");
  EXPECT_EQ(cat.find_system("mi300x-platform")->node().scale_up.topology, "mesh");
}

// True when `text` is a number, with or without a unit, in any dimension the catalog uses.
bool is_number(const std::string& text) {
  for (auto d : {core::Dimension::kDimensionless, core::Dimension::kBytes, core::Dimension::kBytesPerSecond,
                 core::Dimension::kBitsPerSecond, core::Dimension::kFlopsPerSecond, core::Dimension::kWatts,
                 core::Dimension::kHertz, core::Dimension::kSeconds, core::Dimension::kUsd}) {
    double v = 0;
    if (core::parse_quantity(text, d, &v)) return true;
  }
  return false;
}

// Collects every number in `node` that is not the value of a {value, source} map with a source.
void unsourced_numbers(const YAML::Node& node, const std::string& path, std::vector<std::string>& out) {
  if (node.IsMap()) {
    if (node["value"]) {
      const YAML::Node src = node["source"];
      if (!src || !src.IsScalar() || src.Scalar().find_first_not_of(" \t") == std::string::npos)
        out.push_back(path + " (no source)");
      return;
    }
    for (const auto& kv : node) unsourced_numbers(kv.second, path + "." + kv.first.Scalar(), out);
  } else if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) unsourced_numbers(node[i], path + "[" + std::to_string(i) + "]", out);
  } else if (node.IsScalar() && is_number(node.Scalar())) {
    out.push_back(path + " = " + node.Scalar());
  }
}

TEST(Catalog, EveryNumberInEveryCatalogFileHasASource) {
  std::size_t files = 0;
  for (const char* dir : {"hardware/chips", "hardware/systems"}) {
    for (const auto& e : fs::directory_iterator(fs::path(XPUSIM_SOURCE_DATA_DIR) / dir)) {
      if (e.path().extension() != ".yaml") continue;
      ++files;
      std::vector<std::string> bad;
      unsourced_numbers(YAML::LoadFile(e.path().string()), "", bad);
      EXPECT_TRUE(bad.empty()) << e.path().filename() << " has numbers without a source: " << ::testing::PrintToString(bad);
    }
  }
  EXPECT_GE(files, kRequiredChips.size() + kRequiredSystems.size());
}

TEST(Catalog, TheSourceCheckCatchesBareNumbers) {
  std::vector<std::string> bad;
  unsourced_numbers(YAML::Load("a: {value: 1, source: x}\nb: 2\nc: {value: \"3 W\"}\nd: [\"4 GB\", text]\ne: hbm3\n"),
                    "", bad);
  EXPECT_EQ(bad, (std::vector<std::string>{".b = 2", ".c (no source)", ".d[0] = 4 GB"}));
}

TEST(Catalog, LookupsSuggestClosestNames) {
  const auto& cat = test::catalog();
  EXPECT_EQ(error_of([&] { cat.chip("mi300", "--chip"); }),
            "--chip: expected a known chip name or a YAML file (did you mean: mi300x, mi325x, mi355x?), got \"mi300\"");
  EXPECT_EQ(error_of([&] { cat.system("dgx-h200", "--system"); }),
            "--system: expected a known system name or a YAML file (did you mean: dgx-h100, dgx-b200, hgx-h200?), "
            "got \"dgx-h200\"");
  EXPECT_EQ(error_of([&] { cat.chip("nope/chip.yaml", "--chip"); }),
            "--chip: expected an existing chip YAML file, got \"nope/chip.yaml\"");
  EXPECT_EQ(cat.find_chip("nope"), nullptr);
}

TEST(Catalog, UserFilesWorkWhereNamesDo) {
  const auto chip_file = test::write_temp_file("user/my_chip.yaml", test::chip_yaml());
  EXPECT_EQ(test::catalog().chip(chip_file, "--chip")->name(), "test-chip");
  // A system file may name its chip by a path relative to itself.
  const auto sys_file = test::write_temp_file(
      "user/my_sys.yaml",
      "name: my-sys\nkind: system\nvendor: Me\nchip: my_chip.yaml\nnode:\n  chips_per_node: 4\n  scale_up:\n"
      "    fabric: L\n    topology: mesh\n    bandwidth_per_chip: \"100 GB/s\"\n    domain_size: 4\n"
      "    latency: \"2 us\"\nnetwork:\n  technology: E\n  nics_per_node: 1\n  nic_bandwidth: \"100 Gb/s\"\n"
      "  tiers: 1\n  latency: \"10 us\"\nmax_nodes: 2\n");
  const auto sys = test::catalog().system(sys_file, "--system");
  EXPECT_EQ(sys->chip().name(), "test-chip");
  EXPECT_EQ(sys->max_chips(), 8);
  EXPECT_TRUE(Catalog::looks_like_file("a.yml"));
  EXPECT_TRUE(Catalog::looks_like_file("dir/a"));
  EXPECT_TRUE(Catalog::looks_like_file("cfg.json"));
  EXPECT_FALSE(Catalog::looks_like_file("h100-sxm5-80gb"));
}

TEST(Catalog, LoadRejectsBadDirectoriesAndDuplicates) {
  EXPECT_EQ(error_of([] { Catalog::load("/nonexistent", {}); }),
            "XPUSIM_DATA_DIR: expected a data directory containing hardware/chips/*.yaml, got \"/nonexistent\"");
  const auto a = test::write_temp_file("dup/hardware/chips/a.yaml", test::chip_yaml());
  test::write_temp_file("dup/hardware/chips/b.yaml", test::chip_yaml());
  const fs::path root = fs::path(a).parent_path().parent_path().parent_path();
  EXPECT_EQ(error_of([&] { Catalog::load(root, {}); }),
            (root / "hardware/chips/b.yaml").string() + ":1: name: expected a name no other chip uses, got \"test-chip\"");
}

TEST(Catalog, SystemWithAnUnknownChipSuggestsCatalogChips) {
  const auto sys = test::write_temp_file(
      "user/typo_sys.yaml",
      "name: s\nkind: system\nvendor: Me\nchip: h100-sxm-80gb\nnode:\n  chips_per_node: 8\n");
  EXPECT_EQ(error_of([&] { test::catalog().system(sys, "--system"); }),
            sys + ":4: chip: expected a known chip name or a YAML file (did you mean: h100-sxm5-80gb, h800-sxm5-80gb, "
                  "a100-sxm4-80gb?), got \"h100-sxm-80gb\"");
}

TEST(Catalog, MissingFilesAreNamed) {
  EXPECT_EQ(error_of([] { test::catalog().system("nope/sys.yaml", "--system"); }),
            "--system: expected an existing system YAML file, got \"nope/sys.yaml\"");
  const auto sys = test::write_temp_file("user/lost_chip_sys.yaml",
                                         "name: s\nkind: system\nvendor: Me\nchip: lost.yaml\nnode: {}\n");
  EXPECT_EQ(error_of([&] { test::catalog().system(sys, "--system"); }),
            sys + ":4: chip: expected an existing chip YAML file, got \"lost.yaml\"");
}

TEST(Catalog, SystemNamesMustBeUniqueAcrossChipsAndSystems) {
  const auto chip = test::write_temp_file("dupsys/hardware/chips/c.yaml", test::chip_yaml());
  const auto sys = test::write_temp_file(
      "dupsys/hardware/systems/s.yaml",
      "name: test-chip\nkind: system\nvendor: Me\nchip: test-chip\nnode:\n  chips_per_node: 1\n  scale_up:\n"
      "    fabric: L\n    topology: mesh\n    bandwidth_per_chip: \"1 GB/s\"\n    domain_size: 1\n    latency: \"1 us\"\n"
      "network:\n  technology: E\n  nics_per_node: 1\n  nic_bandwidth: \"1 Gb/s\"\n  tiers: 1\n  latency: \"1 us\"\n"
      "max_nodes: 1\n");
  const fs::path root = fs::path(chip).parent_path().parent_path().parent_path();
  EXPECT_EQ(error_of([&] { Catalog::load(root, {}); }),
            sys + ":1: name: expected a name no other entry uses, got \"test-chip\"");
}

TEST(Catalog, LoadNamesTheBadFile) {
  const auto bad = test::write_temp_file("badcat/hardware/chips/x.yaml", test::chip_yaml() + "tdp_max: 5\n");
  const fs::path root = fs::path(bad).parent_path().parent_path().parent_path();
  EXPECT_EQ(error_of([&] { Catalog::load(root, {}); }),
            bad + ":14: tdp_max: expected a known field, got \"tdp_max\"");
}

}  // namespace
}  // namespace xpusim::hardware
