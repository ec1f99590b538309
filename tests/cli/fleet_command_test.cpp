#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <sstream>

#include "support/test_support.hpp"

namespace xpusim {
namespace {

const std::string kData = XPUSIM_SOURCE_DATA_DIR;

test::CliResult fleet(std::vector<std::string> args) {
  args.insert(args.begin(), "fleet");
  return test::run_cli(args);
}

const std::vector<std::string> kRun{"run", "--model", "llama3-8b", "--system", "dgx-h100", "--gpus", "64",
                                    "--tokens", "1e11", "--trials", "100"};

std::vector<std::string> run_with(std::vector<std::string> extra) {
  auto a = kRun;
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

void expect_error(const std::vector<std::string>& args, const std::string& message) {
  const auto r = fleet(args);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
}

TEST(FleetCommand, RunJsonHasTheInterfaceKeys) {
  const auto r = fleet(run_with({"--format", "json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  for (const char* k : {"ideal_time_s", "expected_time_s", "expected_interruptions", "effective_training_time_fraction",
                        "monte_carlo", "checkpoint", "interruptions_per_day", "layout", "restart_s"})
    EXPECT_TRUE(j.contains(k)) << k;
  for (const char* k : {"mean_time_s", "p10_time_s", "p50_time_s", "p90_time_s", "trials", "seed"})
    EXPECT_TRUE(j["monte_carlo"].contains(k)) << k;
  for (const char* k : {"gpu", "hbm", "host", "network", "software", "planned"})
    EXPECT_TRUE(j["interruptions_per_day"].contains(k)) << k;
  EXPECT_EQ(j["layout_source"], "best_training_layout");
  EXPECT_EQ(j["checkpoint"]["interval_source"], "young-daly");
  EXPECT_TRUE(r.err.find("monte carlo") == std::string::npos);  // no progress bar when not a terminal
  // A layout flag takes the run-spec layout; a given interval is used.
  const auto g = fleet(run_with({"--tp", "2", "--checkpoint-interval", "900", "--format", "json"}));
  ASSERT_EQ(g.exit_code, 0) << g.err;
  const auto k = nlohmann::json::parse(g.out);
  EXPECT_EQ(k["layout_source"], "run spec");
  EXPECT_EQ(k["layout"]["tp"], 2);
  EXPECT_EQ(k["checkpoint"]["interval_s"], 900.0);
}

TEST(FleetCommand, RunInfeasibleExitsOne) {
  const auto r = fleet({"run", "--model", "llama3-405b", "--system", "dgx-h100", "--gpus", "8", "--tokens", "1e12",
                        "--format", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["feasible"], false);
}

TEST(FleetCommand, PlotWritesAnSvg) {
  const auto svg = test::write_temp_file("ttt.svg", "");
  const auto r = fleet(run_with({"--plot", svg, "--plot-gpus", "32,64,128", "--format", "json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(svg);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str().rfind("<svg", 0), 0u);
  EXPECT_NE(text.str().find("fastest with failures"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(r.out)["sweep"].size(), 3u);
}

// Every point of the GPU sweep runs under the given stack and precision flags, and picks the
// micro-batch when none is given, as train does.
TEST(FleetCommand, SweepPointsKeepTheStack) {
  const std::vector<std::string> flags{"--model", "llama3-8b", "--system", "dgx-h100", "--tp", "2", "--stack", "nemo",
                                       "--optimizer-state", "bf16", "--seq-len", "4096", "--global-batch", "256"};
  const auto svg = test::write_temp_file("stack_sweep.svg", "");
  std::vector<std::string> args{"run", "--gpus", "64", "--tokens", "1e11", "--trials", "10", "--plot", svg,
                                "--plot-gpus", "64,128", "--format", "json"};
  args.insert(args.end(), flags.begin(), flags.end());
  const auto r = fleet(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto sweep = nlohmann::json::parse(r.out)["sweep"];
  ASSERT_EQ(sweep.size(), 2u);
  EXPECT_GT(nlohmann::json::parse(r.out)["layout"]["micro_batch"].get<int>(), 1);  // chosen, not assumed 1
  std::vector<std::string> train{"train", "--gpus", "128", "--format", "json"};
  train.insert(train.end(), flags.begin(), flags.end());
  const auto t = test::run_cli(train);
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_NEAR(sweep[1]["tokens_per_s"].get<double>(), nlohmann::json::parse(t.out)["tokens_per_s"].get<double>(), 1e-6)
      << "the 128-GPU sweep point is not what train predicts under the same stack";
  std::vector<std::string> plain{"train", "--gpus", "128", "--format", "json", "--model", "llama3-8b", "--system",
                                 "dgx-h100", "--tp", "2", "--seq-len", "4096", "--global-batch", "256"};
  const auto u = test::run_cli(plain);
  ASSERT_EQ(u.exit_code, 0) << u.err;
  EXPECT_GT(std::abs(sweep[1]["tokens_per_s"].get<double>() / nlohmann::json::parse(u.out)["tokens_per_s"].get<double>() - 1), 0.01)
      << "the stack moves nothing here, so this test cannot tell";
}

TEST(FleetCommand, RunInputErrors) {
  const std::vector<std::string> base{"run", "--model", "llama3-8b", "--system", "dgx-h100", "--gpus", "64"};
  auto no_tokens = base;
  no_tokens.insert(no_tokens.end(), {"--tokens", "lots"});
  expect_error(no_tokens, "--tokens: expected a positive number, got \"lots\"");
  auto zero_trials = base;
  zero_trials.insert(zero_trials.end(), {"--tokens", "1e9", "--trials", "0"});
  expect_error(zero_trials, "--trials: expected a positive integer, got \"0\"");
  expect_error(run_with({"--seed", "-3"}), "--seed: expected a non-negative integer, got \"-3\"");
  expect_error(run_with({"--checkpoint-interval", "0"}), "--checkpoint-interval: expected a positive number, got \"0\"");
  expect_error(run_with({"--restart", "soon"}), "--restart: expected seconds >= 0, e.g. 300, got \"soon\"");
  expect_error(run_with({"--storage-bandwidth", "2 GB"}),
               "--storage-bandwidth: expected a positive bandwidth, e.g. \"2 TB/s\", got \"2 GB\"");
  expect_error(run_with({"--plot-gpus", "8,16"}), "--plot-gpus: expected --plot FILE.svg as well");
  expect_error(run_with({"--plot", "/tmp/x.svg", "--plot-gpus", "8,x"}),
               "--plot-gpus: expected comma-separated positive GPU counts");
  expect_error(run_with({"--plot", "/no/such/dir/x.svg"}), "--plot: expected a writable file path");
  expect_error(run_with({"--seq-len", "0"}), "--seq-len: expected a positive integer");
  expect_error(run_with({"--set", "memory.stack=6"}), "--set");
  expect_error({"run", "--model", "llama3-8b", "--system", "dgx-h10", "--gpus", "8", "--tokens", "1"}, "--system");
}

TEST(FleetCommand, ValueJsonHasTheIssueShape) {
  const auto r = fleet({"value", "--inventory", kData + "/fleets/mixed-2025.yaml", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j.contains("systems"));
  ASSERT_TRUE(j.contains("total"));
  for (const auto& s : j["systems"]) {
    for (const char* k : {"system", "gpus", "h100_equivalents", "hbm", "power_w", "capex_usd", "opex_usd_per_year"})
      EXPECT_TRUE(s.contains(k)) << k;
    for (const char* k : {"peak_bf16", "training", "serving"}) EXPECT_TRUE(s["h100_equivalents"].contains(k)) << k;
    EXPECT_TRUE(s["h100_equivalents"]["serving"].is_number()) << s.dump();
    EXPECT_FALSE(s.contains("serving_reason"));
    EXPECT_FALSE(s["serving_jobs"].empty());
  }
  for (const char* k : {"peak_bf16", "training", "serving"}) EXPECT_TRUE(j["total"]["h100_equivalents"][k].is_number());
  EXPECT_TRUE(j["total"]["hbm"].contains("by_generation"));
  EXPECT_TRUE(j["total"]["hbm"].contains("by_vendor"));
  EXPECT_FALSE(j["assumptions"].empty());
  // The table view for people.
  const auto t = fleet({"value", "--inventory", kData + "/fleets/meta-2024.yaml", "--format", "table"});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_NE(t.out.find("h100e_training"), std::string::npos);
}

TEST(FleetCommand, ValueInputErrors) {
  expect_error({"value", "--inventory", "/no/such.yaml"}, "--inventory: expected an existing inventory YAML file");
  expect_error({"value", "--inventory", kData + "/fleets/example.yaml", "--set", "memory.stacks"}, "--set");
  expect_error({"value", "--inventory", kData + "/fleets/example.yaml", "--model", "nope"}, "--model");
  expect_error({"value", "--inventory", kData + "/fleets/example.yaml", "--reference", "nope"}, "--reference");
  const auto bad = test::write_temp_file("bad_inv.yaml", "name: x\nsystems:\n  - {system: dgx-h100, gpus: -1}\n");
  expect_error({"value", "--inventory", bad}, "systems[0].gpus: expected a positive integer");
}

}  // namespace
}  // namespace xpusim
