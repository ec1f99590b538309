#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "support/test_support.hpp"

namespace xpusim {
namespace {

bool has(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

TEST(ChipSweepCommand, JsonDocumentHasEveryPointWithParetoFlagsAndTheReport) {
  const std::string report = test::write_temp_file("sweep.html", "");
  const auto r = test::run_cli({"chip", "sweep", "--base", "h100-sxm5-80gb", "--vary", "memory.stacks=4,6",
                                "--vary", "memory.generation=hbm3,hbm3e", "--train", "llama3-8b", "--gpus", "64",
                                "--global-batch", "256", "--pareto", "throughput,cost", "--report", report,
                                "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["evaluated"], 4);
  ASSERT_EQ(j["points"].size(), 4u);
  int front = 0;
  for (const auto& p : j["points"]) {
    for (const char* k : {"params", "feasible", "reason", "train_tokens_per_s_per_chip",
                          "serve_goodput_tokens_per_s_per_chip", "power_w", "cost_usd", "limiting_resource"})
      EXPECT_TRUE(p.contains(k)) << k;
    front += p["pareto"].get<bool>();
  }
  EXPECT_GE(front, 1);
  EXPECT_EQ(j["points"][0]["params"]["memory.stacks"], "4");
  EXPECT_EQ(j["points"][1]["params"]["memory.generation"], "hbm3e");
  std::ifstream in(report);
  std::stringstream page;
  page << in.rdbuf();
  EXPECT_TRUE(has(page.str(), "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"pareto\"")) << page.str().substr(0, 200);
  EXPECT_TRUE(has(page.str(), "id=\"sensitivity-1\""));
}

TEST(ChipSweepCommand, JsonLinesStreamOneRowPerPoint) {
  const auto r = test::run_cli({"chip", "sweep", "--base", "dgx-h100", "--vary", "memory.stacks=4,5,6",
                                "--format", "jsonl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string line;
  int rows = 0;
  while (std::getline(lines, line)) rows += has(line, "\"params\"");
  EXPECT_EQ(rows, 3);
}

TEST(ChipSweepCommand, BadInputIsNamed) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"chip", "sweep", "--base", "dgx-h100"}, "--vary"},
      {{"chip", "sweep", "--base", "dgx-h100", "--vary", "memory.stacks"}, "PATH=V1,V2"},
      {{"chip", "sweep", "--base", "dgx-h100", "--vary", "memory.stacks=4,six"}, "memory.stacks"},
      {{"chip", "sweep", "--base", "dgx-h1000", "--vary", "memory.stacks=4"}, "dgx-h100"},
      {{"chip", "sweep", "--base", "dgx-h100", "--vary", "memory.stacks=4", "--pareto", "throughput,cost"}, "--train"},
      {{"chip", "sweep", "--base", "dgx-h100", "--vary", "memory.stacks=4", "--train", "llama3-8b", "--gpus", "8",
        "--global-batch", "8", "--pareto", "speed"},
       "throughput,cost"},
      {{"chip", "sweep", "--base", "dgx-h100", "--vary", "memory.stacks=4", "--train", "llama3-8b", "--global-batch",
        "8"},
       "--gpus"},
      {{"chip", "sweep", "--base", "dgx-h100", "--vary", "memory.stacks=4", "--train", "llama-9", "--gpus", "8", "--global-batch", "8"}, "llama"},
      {{"chip", "sweep", "--base", "dgx-h100", "--vary", "memory.stacks=4", "--report", "/nonexistent/dir/x.html"},
       "--report"},
      {{"chip", "sweep", "--base", "dgx-h100", "--vary", "memory.stacks=4", "--serve", "llama-9"}, "llama"},
      {{"chip", "sweep", "--base", "dgx-h100", "--vary", "memory.stacks=4", "--mpi", "--mpi-batch", "0"}, "--mpi-batch"},
      {{"chip", "sweep", "--base", "dgx-h100", "--vary", "memory.stacks=4", "--serve", "llama3-8b", "--slo-tpot", "fast"},
       "--slo-tpot"},
      {{"chip", "sweep", "--base", "dgx-h100", "--vary", "memory.stacks=4", "--serve", "llama3-8b", "--slo-ttft", "-1"},
       "--slo-ttft"},
      {{"chip", "sweep", "--base", "dgx-h100", "--vary", "memory.stacks=4", "--serve", "llama3-8b", "--serve-gpus", "0"},
       "--serve-gpus"},
      {{"chip", "sweep", "--base", "dgx-h100", "--vary", "memory.stacks=4", "--serve", "llama3-8b", "--input-len", "x"},
       "--input-len"},
      {{"chip", "sweep", "--base", "dgx-h100", "--vary", "memory.stacks=4", "--serve", "llama3-8b", "--engine", "vllx"},
       "--engine"},
  };
  for (const auto& c : cases) {
    const auto r = test::run_cli(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args.back() << ": " << r.err;
    EXPECT_TRUE(has(r.err, c.message)) << r.err;
  }
}

TEST(ChipSweepCommand, ADieOverTheReticleIsAnInfeasibleResult) {
  const auto r = test::run_cli({"chip", "sweep", "--base", "h100-sxm5-80gb", "--vary",
                                "peak_flops_per_s.bf16=1500TFLOP/s", "--format", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_FALSE(j["points"][0]["feasible"].get<bool>());
  EXPECT_TRUE(has(j["points"][0]["reason"].get<std::string>(), "reticle"));
  EXPECT_EQ(j["points"][0]["limiting_resource"], "die_area");
}

TEST(ChipSweepCommand, ServeWorkloadRanksPointsByGoodput) {
  const auto r = test::run_cli({"chip", "sweep", "--base", "h100-sxm5-80gb", "--vary", "memory.stacks=1,8",
                                "--vary", "memory.generation=hbm3e", "--serve", "llama3-70b", "--pareto",
                                "throughput,cost", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["points"].size(), 2u);
  const auto& small = j["points"][0];  // one 16 GB stack per GPU: 8 x 16 GB cannot hold 141 GB of weights
  EXPECT_FALSE(small["feasible"].get<bool>());
  EXPECT_TRUE(small["serve_goodput_tokens_per_s_per_chip"].is_null());
  EXPECT_EQ(small["limiting_resource"], "hbm_capacity");
  EXPECT_FALSE(small["reason"].get<std::string>().empty());
  const auto& big = j["points"][1];
  EXPECT_TRUE(big["feasible"].get<bool>()) << big["reason"];
  EXPECT_GT(big["serve_goodput_tokens_per_s_per_chip"].get<double>(), 0);
  EXPECT_TRUE(big["pareto"].get<bool>());
  EXPECT_GT(big["serve"]["tp"].get<int>(), 0);
}

}  // namespace
}  // namespace xpusim
