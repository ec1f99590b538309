#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/test_support.hpp"

namespace xpusim {
namespace {

test::CliResult hbm(std::vector<std::string> args) {
  args.insert(args.begin(), "hbm");
  return test::run_cli(args);
}

void expect_flag_error(const std::vector<std::string>& args, const std::string& flag, const std::string& also = "") {
  const auto r = hbm(args);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(flag), std::string::npos) << r.err;
  if (!also.empty()) {
    EXPECT_NE(r.err.find(also), std::string::npos) << r.err;
  }
}

TEST(HbmCommand, SimJsonHasTheInterfaceKeys) {
  const auto r = hbm({"sim", "--generation", "hbm3", "--speed-gbps", "6.4", "--stacks", "1", "--pattern", "stream",
                      "--read-ratio", "1.0", "--requests", "100000", "--check", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  for (const char* k : {"simulated_requests", "elapsed_s", "bandwidth_bytes_per_s", "peak_bandwidth_bytes_per_s",
                        "efficiency", "avg_latency_s", "p99_latency_s", "row_hit_rate", "commands"})
    EXPECT_TRUE(j.contains(k)) << k;
  for (const char* k : {"act", "rd", "wr", "pre", "ref"}) EXPECT_TRUE(j["commands"].contains(k)) << k;
  EXPECT_EQ(j["simulated_requests"], 100000);
  EXPECT_EQ(j["commands"]["rd"], 200000);
  EXPECT_NEAR(j["peak_bandwidth_bytes_per_s"].get<double>(), 819.2e9, 1e6);
  EXPECT_GT(j["efficiency"].get<double>(), 0.85);
  EXPECT_EQ(j["check"]["violations"], 0);
  EXPECT_EQ(j["timing_set"], "hbm3-6400");
}

// Latency for what it is: the window, the loaded average (Little's law under saturation) and the
// unloaded latency apart; an estimated timing set says so in the record.
TEST(HbmCommand, LatencyIsReportedWithItsWindowAndEstimatesAreMarked) {
  const auto r = hbm({"sim", "--generation", "hbm3", "--speed-gbps", "6.4", "--pattern", "random", "--requests", "100000",
                      "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const auto& l = j["latency"];
  EXPECT_EQ(l["window_requests"], 128 * 32);
  EXPECT_DOUBLE_EQ(l["loaded_avg_s"].get<double>(), j["avg_latency_s"].get<double>());
  // Little's law with a full window bounds the loaded average (the window is not always full:
  // requests enter at epoch starts), and sets its scale.
  EXPECT_LE(l["loaded_avg_s"].get<double>(), l["littles_law_s"].get<double>() * 1.01);
  EXPECT_GE(l["loaded_avg_s"].get<double>(), l["littles_law_s"].get<double>() * 0.6);
  // tRP + tRCD + tCL + 2 tBL = 26 + 31 + 20 + 4 clocks of 0.625 ns.
  EXPECT_NEAR(l["unloaded_s"].get<double>(), 81 * 0.625e-9, 1e-9);
  EXPECT_GT(l["loaded_avg_s"].get<double>(), 5 * l["unloaded_s"].get<double>());
  EXPECT_EQ(j["timing_set_estimate"], false);
  EXPECT_FALSE(j.contains("note"));

  const auto e = hbm({"analyze", "--generation", "hbm3e", "--speed-gbps", "9.6", "--pattern", "random", "--format", "json"});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  const auto k = nlohmann::json::parse(e.out);
  EXPECT_EQ(k["timing_set_estimate"], true);
  EXPECT_NE(k["note"].get<std::string>().find("estimate"), std::string::npos);
  EXPECT_EQ(k["latency"]["window_requests"], 128 * 32);
}

TEST(HbmCommand, RandomMixedClosedPageWithXorMappingChecksClean) {
  const auto r = hbm({"sim", "--generation", "hbm3e", "--speed-gbps", "9.2", "--stacks", "2", "--pattern", "random",
                      "--read-ratio", "0.6", "--requests", "20000", "--page-policy", "closed", "--mapping",
                      "ro-ba-co-bg-pc-ch+xor", "--refresh", "all-bank", "--check", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["timing_set"], "hbm3e-9200");
  EXPECT_EQ(j["check"]["violations"], 0);
  EXPECT_GT(j["commands"]["wr"].get<int>(), 0);
}

TEST(HbmCommand, AnalyzeReportsBoundAndEfficiency) {
  const auto r = hbm({"analyze", "--generation", "hbm3", "--pattern", "random", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["bound"], "act_rate_tfaw");
  EXPECT_NEAR(j["efficiency"].get<double>(), 0.639, 0.01);
  EXPECT_GT(j["avg_latency_s"].get<double>(), 0);
}

TEST(HbmCommand, StridedNeedsAndUsesStride) {
  const auto r = hbm({"analyze", "--pattern", "strided", "--stride", "4096", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["stride_bytes"], 4096);
}

TEST(HbmCommand, TraceReplay) {
  const auto path = test::write_temp_file("cli.trace", "0 R 0x0\n4 W 0x40\nLD 0x80\n");
  const auto r = hbm({"sim", "--trace", path, "--check", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["simulated_requests"], 3);
  EXPECT_EQ(j["pattern"], "trace");
}

TEST(HbmCommand, BadTraceLineIsExit2WithFileAndLine) {
  const auto path = test::write_temp_file("bad_cli.trace", "0 R 0x0\nnonsense\n");
  const auto r = hbm({"sim", "--trace", path});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad_cli.trace:2"), std::string::npos) << r.err;
}

TEST(HbmCommand, UnknownGenerationSuggestsClosest) {
  expect_flag_error({"sim", "--generation", "hbm3f"}, "--generation", "did you mean: hbm3");
}

TEST(HbmCommand, BadFlagsAreExit2NamingTheFlag) {
  expect_flag_error({"sim", "--pattern", "zigzag"}, "--pattern", "stream, random, strided");
  expect_flag_error({"sim", "--read-ratio", "1.5"}, "--read-ratio", "0 to 1");
  expect_flag_error({"sim", "--requests", "0"}, "--requests");
  expect_flag_error({"sim", "--stacks", "two"}, "--stacks");
  expect_flag_error({"sim", "--speed-gbps", "-3"}, "--speed-gbps");
  expect_flag_error({"sim", "--request-bytes", "5000"}, "--request-bytes");
  expect_flag_error({"sim", "--stride", "0", "--pattern", "strided"}, "--stride");
  expect_flag_error({"sim", "--mapping", "ro-ba-co"}, "--mapping");
  expect_flag_error({"sim", "--page-policy", "half"}, "--page-policy", "open, closed");
  expect_flag_error({"sim", "--refresh", "never"}, "--refresh", "per-bank, all-bank");
  expect_flag_error({"analyze", "--issue-rate", "fast"}, "--issue-rate");
  expect_flag_error({"sim", "--seed", "x"}, "--seed");
}

}  // namespace
}  // namespace xpusim
