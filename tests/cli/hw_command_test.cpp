#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <regex>
#include <set>

#include "hardware/hardware_fixtures.hpp"
#include "support/test_support.hpp"

namespace xpusim {
namespace {

bool has(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

TEST(HwCommand, ShowH100JsonHasHeadlineFigures) {
  const auto r = test::run_cli({"hw", "show", "h100-sxm5-80gb", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["name"], "h100-sxm5-80gb");
  EXPECT_EQ(j["kind"], "chip");
  EXPECT_EQ(j["vendor"], "NVIDIA");
  EXPECT_NEAR(j["peak_flops_per_s"]["bf16"].get<double>(), 989.4e12, 989.4e12 * 0.005);
  EXPECT_DOUBLE_EQ(j["memory"]["capacity_bytes"].get<double>(), 80e9);
  EXPECT_EQ(j["memory"]["generation"], "hbm3");
  EXPECT_EQ(j["memory"]["stacks"], 5);
  EXPECT_NEAR(j["memory"]["bandwidth_bytes_per_s"].get<double>(), 3.35e12, 3.35e12 * 0.005);
  EXPECT_EQ(j["tdp_w"].get<double>(), 700.0);
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST(HwCommand, ShowSystemJsonAddsNodeNetworkAndChip) {
  const auto r = test::run_cli({"hw", "show", "gb200-nvl72", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["kind"], "system");
  EXPECT_EQ(j["chip"], "gb200");
  EXPECT_EQ(j["node"]["chips_per_node"], 4);
  EXPECT_EQ(j["node"]["scale_up"]["domain_size"], 72);
  EXPECT_TRUE(j["node"]["scale_up"]["nvls"].get<bool>());
  EXPECT_EQ(j["network"]["nics_per_node"], 4);
  EXPECT_GT(j["peak_flops_per_s"]["bf16"].get<double>(), 0.0);
  EXPECT_TRUE(j["memory"].contains("bandwidth_bytes_per_s"));
}

TEST(HwCommand, ShowTableIsReadable) {
  const auto r = test::run_cli({"hw", "show", "dgx-h100", "--format", "table"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* line : {"\npeak_flops_per_s.bf16 +989.4 TFLOP/s\n", "\nnode.scale_up.bandwidth_per_chip_bytes_per_s +450 GB/s\n",
                           "\nnode.scale_up.latency_s +3 us\n", "\nnetwork.nic_bandwidth_bytes_per_s +50 GB/s\n",
                           "\nnode.power_w +10.2 kW\n", "\nnode.price_usd +-\n",  // unknown, not "0 USD"
                           // sources are a two-column list after the figures
                           "\n\nsources\nfield +source\n-+ +-+\n", "\nnode.power +NVIDIA DGX H100 datasheet"})
    EXPECT_TRUE(std::regex_search(r.out, std::regex(line))) << line << "\n" << r.out;
  EXPECT_FALSE(has(r.out, " \n")) << "trailing blanks";
  EXPECT_FALSE(has(r.out, "\nsources.")) << r.out;
  // Calibration values shown with the unit of their declared dimension where they have one.
  EXPECT_FALSE(std::regex_search(r.out, std::regex("\ncalibration\\.[a-z_0-9]+ +[0-9.]+e[-+][0-9]+\n"))) << r.out;
  const auto tpu = test::run_cli({"hw", "show", "tpu-v5p", "--format", "table"});
  EXPECT_TRUE(std::regex_search(tpu.out, std::regex("\nl2_cache_bytes +-\n"))) << tpu.out;
  // JSON keeps the record as it is.
  const auto j = nlohmann::json::parse(test::run_cli({"hw", "show", "tpu-v5p", "--format", "json"}).out);
  EXPECT_EQ(j["l2_cache_bytes"].get<double>(), 0.0);
  EXPECT_TRUE(j["sources"].is_object());
}

TEST(HwCommand, ShowCsvIsOneRow) {
  const auto r = test::run_cli({"hw", "show", "mi300x", "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto header_end = r.out.find('\n');
  EXPECT_EQ(r.out.substr(0, 33), "name,kind,display_name,vendor,pea");
  EXPECT_EQ(r.out.substr(header_end + 1, 17), "mi300x,chip,AMD I");
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 2);
}

TEST(HwCommand, ListJsonHasEveryChipAndSystem) {
  const auto r = test::run_cli({"hw", "list", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j["chips"].is_array());
  ASSERT_TRUE(j["systems"].is_array());
  EXPECT_EQ(j["chips"].size(), test::catalog().chips().size());
  EXPECT_EQ(j["systems"].size(), test::catalog().systems().size());
  std::set<std::string> names;
  for (const auto& c : j["chips"]) {
    EXPECT_EQ(c["kind"], "chip");
    names.insert(c["name"].get<std::string>());
  }
  for (const auto& s : j["systems"]) EXPECT_EQ(s["kind"], "system");
  EXPECT_TRUE(names.count("tpu-v5p"));
  EXPECT_TRUE(names.count("trainium2"));
  // The same records as hw show.
  auto one = nlohmann::json::parse(test::run_cli({"hw", "show", "b200", "--format", "json"}).out);
  one.erase("xpusim_version");  // a command's own record carries the version; list entries do not
  bool found = false;
  for (const auto& c : j["chips"]) found = found || c == one;
  EXPECT_TRUE(found);
}

TEST(HwCommand, ListTableAndCsv) {
  const auto t = test::run_cli({"hw", "list", "--format", "table"});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_EQ(t.out.rfind("chips\nname ", 0), 0u) << t.out;
  EXPECT_TRUE(has(t.out, "\nsystems\nname ")) << t.out;
  EXPECT_TRUE(std::regex_search(t.out, std::regex("\nh100-sxm5-80gb +NVIDIA +989.4 TFLOP/s +1.979 PFLOP/s +hbm3 +80 GB "
                                                  "+3.35 TB/s +700 W\n")))
      << t.out;
  EXPECT_TRUE(std::regex_search(t.out, std::regex("\ngb200-nvl72 +NVIDIA +gb200 +4 +72 +900 GB/s +200 GB/s +32768\n")))
      << t.out;
  const auto c = test::run_cli({"hw", "list", "--format", "csv"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(c.out.rfind("name,kind,display_name,vendor,", 0), 0u) << c.out.substr(0, 200);
  const auto rows = std::count(c.out.begin(), c.out.end(), '\n');
  EXPECT_EQ(static_cast<std::size_t>(rows), 1 + test::catalog().chips().size() + test::catalog().systems().size());
}

TEST(HwCommand, DefaultFormatOffATerminalIsJson) {
  const auto r = test::run_cli({"hw", "show", "tpu-v5e"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["name"], "tpu-v5e");
}

TEST(HwCommand, UserFilesWorkWhereNamesDo) {
  const auto chip = test::write_temp_file("cli/my_chip.yaml", test::chip_yaml());
  const auto r = test::run_cli({"hw", "show", chip, "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["name"], "test-chip");
  EXPECT_DOUBLE_EQ(nlohmann::json::parse(r.out)["memory"]["bandwidth_bytes_per_s"].get<double>(), 6.4e9 * 4096 / 8);

  const auto sys = test::write_temp_file(
      "cli/my_sys.yaml",
      "name: my-sys\nkind: system\nvendor: Me\nchip: h100-sxm5-80gb\nnode:\n  chips_per_node: 8\n  scale_up:\n"
      "    fabric: NVLink\n    topology: switch\n    bandwidth_per_chip: \"450 GB/s\"\n    domain_size: 8\n"
      "    latency: \"3 us\"\nnetwork:\n  technology: RoCE\n  nics_per_node: 8\n  nic_bandwidth: \"400 Gb/s\"\n"
      "  tiers: 2\n  latency: \"4 us\"\nmax_nodes: 128\n");
  const auto s = test::run_cli({"hw", "show", sys, "--format", "json"});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const auto j = nlohmann::json::parse(s.out);
  EXPECT_EQ(j["kind"], "system");
  EXPECT_EQ(j["chip"], "h100-sxm5-80gb");
  EXPECT_EQ(j["max_chips"], 1024);
}

TEST(HwCommand, UserChipInJson) {
  const auto chip = test::write_temp_file(
      "cli/my_chip.json",
      "{\n\t\"name\": \"json-chip\",\n\t\"vendor\": \"J\",\n\t\"peak_flops_per_s\": {\"bf16\": \"1 PFLOP/s\"},\n"
      "\t\"compute_units\": 100,\n\t\"clock\": \"2 GHz\",\n\t\"tdp\": \"1 kW\",\n"
      "\t\"memory\": {\"generation\": \"hbm4\", \"stacks\": 8, \"capacity\": \"288 GB\", \"pin_rate\": \"8 Gb/s\"}\n}\n");
  const auto r = test::run_cli({"hw", "show", chip, "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["name"], "json-chip");
  EXPECT_DOUBLE_EQ(j["memory"]["bandwidth_bytes_per_s"].get<double>(), 8e9 * 8 * 2048 / 8);  // 16.4 TB/s
  const auto bad = test::write_temp_file("cli/bad_chip.json", "{\n\t\"name\": \"x\",\n\t\"tdp\": 5\n}\n");
  const auto e = test::run_cli({"hw", "show", bad});
  EXPECT_EQ(e.exit_code, 2);
  EXPECT_EQ(e.err, "error: " + bad + ":1: vendor: expected a value for the required field 'vendor', got \"nothing\"\n");
}

TEST(HwCommand, UserFileErrorsNameFileAndLine) {
  const auto bad = test::write_temp_file(
      "cli/bad_chip.yaml",
      test::chip_yaml("  generation: hbm3\n  stacks: six\n  capacity: \"64 GB\"\n  pin_rate: \"6.4 Gb/s\"\n"));
  const auto r = test::run_cli({"hw", "show", bad});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "error: " + bad + ":11: memory.stacks: expected a positive integer, got \"six\"\n");
  EXPECT_TRUE(r.out.empty());

  const auto odd = test::write_temp_file("cli/odd.yaml", "name: x\nkind: rack\n");
  const auto k = test::run_cli({"hw", "show", odd});
  EXPECT_EQ(k.exit_code, 2);
  EXPECT_EQ(k.err, "error: " + odd + ":2: kind: expected \"chip\" or \"system\", got \"rack\"\n");

  const auto missing = test::run_cli({"hw", "show", "no/such/file.yaml"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(missing.err, "error: NAME: expected an existing chip or system YAML file, got \"no/such/file.yaml\"\n");

  const auto syntax = test::write_temp_file("cli/syntax.yaml", "name: x\nkind: [chip\n");
  const auto y = test::run_cli({"hw", "show", syntax});
  EXPECT_EQ(y.exit_code, 2);
  EXPECT_EQ(y.err.rfind("error: " + syntax + ":", 0), 0u) << y.err;
  EXPECT_TRUE(has(y.err, "expected valid YAML or JSON syntax")) << y.err;
}

TEST(HwCommand, UnknownNameSuggestsClosest) {
  const auto r = test::run_cli({"hw", "show", "h100"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: NAME: expected a known chip or system name or a YAML file (did you mean: h100-pcie-80gb, "
            "h100-sxm5-80gb, dgx-h100?), got \"h100\"\n");
  const auto far = test::run_cli({"hw", "show", "quantum-annealer-9000"});
  EXPECT_EQ(far.exit_code, 2);
  EXPECT_EQ(far.err, "error: NAME: expected a known chip or system name or a YAML file, got \"quantum-annealer-9000\"\n");
}

TEST(HwCommand, BadFormatIsExit2) {
  const auto r = test::run_cli({"hw", "list", "--format", "xml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "error: --format: expected one of: table, json, jsonl, csv, got \"xml\"\n");
  EXPECT_TRUE(r.out.empty());
  EXPECT_EQ(test::run_cli({"hw", "show", "b200", "--format", "yaml"}).exit_code, 2);
}

TEST(HwCommand, MissingArgumentsAndUnknownCommands) {
  const auto r = test::run_cli({"hw", "show"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "error: NAME is required\nRun `xpusim help` for usage.\n");
  const auto sub = test::run_cli({"hw"});
  EXPECT_EQ(sub.exit_code, 2);
  EXPECT_TRUE(has(sub.err, "subcommand")) << sub.err;
  const auto none = test::run_cli({});
  EXPECT_EQ(none.exit_code, 2);
  const auto unknown = test::run_cli({"hardware"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_TRUE(has(unknown.err, "Run `xpusim help` for usage.")) << unknown.err;
  const auto extra = test::run_cli({"hw", "list", "--colour"});
  EXPECT_EQ(extra.exit_code, 2);
}

TEST(Cli, VersionAndHelp) {
  const auto v = test::run_cli({"--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_TRUE(std::regex_match(v.out, std::regex("xpusim [0-9]+\\.[0-9]+\\.[0-9]+\n"))) << v.out;
  const auto h = test::run_cli({"help"});
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_TRUE(has(h.out, "Usage: xpusim [OPTIONS] SUBCOMMAND")) << h.out;
  EXPECT_TRUE(has(h.out, "Subcommands:")) << h.out;
  EXPECT_TRUE(has(h.out, "hw ")) << h.out;
  const auto hs = test::run_cli({"help", "hw", "show"});
  EXPECT_EQ(hs.exit_code, 0);
  EXPECT_TRUE(has(hs.out, "Usage: xpusim hw show [OPTIONS] NAME")) << hs.out;
  EXPECT_TRUE(has(hs.out, "--format")) << hs.out;
  const auto bad = test::run_cli({"help", "nope"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err, "error: COMMAND: expected a command name; run `xpusim help` to list them, got \"nope\"\n");
}

// Subcommand names listed under "Subcommands:" in a help text.
std::vector<std::string> subcommands_of(const std::string& help) {
  std::vector<std::string> out;
  const auto at = help.find("Subcommands:\n");
  if (at == std::string::npos) return out;
  std::istringstream in(help.substr(at + 13));
  std::string line;
  while (std::getline(in, line) && line.rfind("  ", 0) == 0) {
    std::istringstream words(line);
    std::string name;
    words >> name;
    out.push_back(name);
  }
  return out;
}

TEST(Cli, HelpWorksOnEveryCommand) {
  // Walks the whole command tree from `xpusim --help`, so commands added later are covered too.
  std::vector<std::vector<std::string>> todo{{}};
  std::size_t visited = 0;
  while (!todo.empty()) {
    auto path = todo.back();
    todo.pop_back();
    auto args = path;
    args.push_back("--help");
    const auto r = test::run_cli(args);
    EXPECT_EQ(r.exit_code, 0) << ::testing::PrintToString(args) << r.err;
    EXPECT_TRUE(has(r.out, "Usage:")) << ::testing::PrintToString(args);
    ++visited;
    for (const auto& sub : subcommands_of(r.out)) {
      if (sub == "help") continue;
      auto next = path;
      next.push_back(sub);
      todo.push_back(next);
    }
  }
  EXPECT_GE(visited, 4u);  // xpusim, hw, hw list, hw show at least
}

}  // namespace
}  // namespace xpusim
