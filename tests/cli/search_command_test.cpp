#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/test_support.hpp"

namespace xpusim {
namespace {

using nlohmann::json;

std::vector<std::string> search(std::vector<std::string> extra) {
  std::vector<std::string> args{"train", "--search", "--model", "llama3-70b", "--system", "dgx-h100", "--gpus", "64",
                                "--seq-len", "4096", "--global-batch", "64", "--format", "json"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

TEST(SearchCommand, JsonHasCountsAndRankedTrainRecords) {
  const auto r = test::run_cli(search({"--top", "3", "--tp", "8", "--pareto", "--reference", "pp=2"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = json::parse(r.out);
  for (const char* k : {"evaluated", "pruned", "feasible", "elapsed_s", "enumerated", "pruned_structure",
                        "pruned_memory", "results", "pareto"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["enumerated"].get<long long>(), j["pruned"].get<long long>() + j["evaluated"].get<long long>());
  ASSERT_EQ(j["results"].size(), 3u);
  for (const auto& row : j["results"]) {
    EXPECT_EQ(row["parallelism"]["tp"], 8);
    EXPECT_TRUE(row["feasible"].get<bool>());
    EXPECT_TRUE(row.contains("time_breakdown_s"));
    EXPECT_TRUE(row.contains("memory_breakdown"));
  }
  EXPECT_EQ(j["results"][0]["rank"], 1);
  EXPECT_EQ(j["results"][0]["gap_to_best"], 0.0);
  EXPECT_GE(j["results"][0]["tokens_per_s"].get<double>(), j["results"][1]["tokens_per_s"].get<double>());
  ASSERT_TRUE(j.contains("reference"));
  EXPECT_EQ(j["reference"]["parallelism"]["pp"], 2);
  EXPECT_GE(j["reference"]["rank"].get<long long>(), 1);
}

// The search prunes and ranks under the stack and precision flags, not only its winners: a bf16
// Adam state lets Llama 3 405B on 128 H100 run without the full recomputation fp32 state needs.
TEST(SearchCommand, OptimizerStatePrecisionChangesWhatFits) {
  const auto best = [](const std::string& state) {
    const auto r = test::run_cli({"train", "--search", "--model", "llama3-405b", "--system", "dgx-h100", "--gpus", "128",
                                  "--seq-len", "4096", "--global-batch", "32", "--tp", "8", "--pp", "8", "--vpp", "1",
                                  "--cp", "1", "--micro-batch", "1", "--zero", "1", "--dtype", "fp8", "--stack", "nemo",
                                  "--optimizer-state", state, "--format", "json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out);
  };
  const auto fp32 = best("fp32"), bf16 = best("bf16");
  EXPECT_EQ(fp32["results"][0]["parallelism"]["recompute"], "full");
  EXPECT_EQ(bf16["results"][0]["parallelism"]["recompute"], "none");
  EXPECT_EQ(bf16["results"][0]["parallelism"]["optimizer_state"], "bf16");
  EXPECT_LT(bf16["pruned_memory"].get<long long>(), fp32["pruned_memory"].get<long long>());
  EXPECT_GT(bf16["results"][0]["tokens_per_s"].get<double>(), 1.2 * fp32["results"][0]["tokens_per_s"].get<double>());
}

TEST(SearchCommand, NothingFitsExitsOne) {
  const auto r = test::run_cli({"train", "--search", "--model", "llama3-70b", "--system", "dgx-h100", "--gpus", "8",
                                "--seq-len", "4096", "--global-batch", "16", "--format", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const auto j = json::parse(r.out);
  EXPECT_TRUE(j["results"].empty());
  EXPECT_NE(j["reason"].get<std::string>().find("no layout fits"), std::string::npos);
}

struct BadFlag {
  std::vector<std::string> extra;
  const char* message;
};

TEST(SearchCommand, BadFlagsExitTwoNamingTheFlag) {
  for (const auto& c : {BadFlag{{"--objective", "speed"}, "--objective"},
                        BadFlag{{"--top", "0"}, "--top"},
                        BadFlag{{"--max-memory-fraction", "1.5"}, "--max-memory-fraction"},
                        BadFlag{{"--max-memory-fraction", "x"}, "--max-memory-fraction"},
                        BadFlag{{"--reference", "tp8"}, "--reference"},
                        BadFlag{{"--reference", "gpus=8"}, "--reference"},
                        BadFlag{{"--threads", "-1"}, "--threads"},
                        BadFlag{{"--trace", "t.json"}, "--trace"}}) {
    const auto r = test::run_cli(search(c.extra));
    EXPECT_EQ(r.exit_code, 2) << c.message << ": " << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
  }
}

TEST(SearchCommand, SearchFlagsNeedSearch) {
  const auto r = test::run_cli({"train", "--model", "llama3-70b", "--system", "dgx-h100", "--gpus", "64", "--tp", "8",
                                "--seq-len", "4096", "--global-batch", "64", "--top", "3"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--top"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--search"), std::string::npos) << r.err;
}

TEST(SearchCommand, TableIsOneLinePerResult) {
  auto args = search({"--top", "2"});
  args[args.size() - 3] = "table";  // the --format value
  const auto r = test::run_cli(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("gap_to_best"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("evaluated"), std::string::npos) << r.out;
}

std::vector<std::string> sweep(std::vector<std::string> extra) {
  std::vector<std::string> args{"sweep", "--model", "llama3-8b", "--seq-len", "2048", "--global-batch", "64"};
  if (std::find(extra.begin(), extra.end(), "--system") == extra.end()) {
    args.push_back("--system");
    args.push_back("dgx-h100");
  }
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

TEST(SweepCommand, JsonlRowPerPointAndPlot) {
  const std::string plot = test::write_temp_file("sweep.svg", "");
  const auto r = test::run_cli(
      sweep({"--gpus", "8,16,32", "--set", "memory.stacks=4,5", "--format", "jsonl", "--top", "1", "--plot", plot}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream in(r.out);
  std::string line;
  std::vector<json> rows;
  while (std::getline(in, line)) rows.push_back(json::parse(line));
  ASSERT_EQ(rows.size(), 7u);  // context + 3 x 2 points
  EXPECT_TRUE(rows[0].contains("context"));
  // Axes in the run-spec table's order (set before gpus), the first slowest.
  EXPECT_EQ(rows[1]["point"]["gpus"], "8");
  EXPECT_EQ(rows[1]["point"]["memory.stacks"], "4");
  EXPECT_EQ(rows[2]["point"]["gpus"], "16");
  EXPECT_EQ(rows[4]["point"]["memory.stacks"], "5");
  EXPECT_EQ(rows[6]["gpus"], 32);
  EXPECT_EQ(rows[6]["hardware"], "dgx-h100 with memory.stacks=5");
  for (std::size_t i = 1; i < rows.size(); ++i) {
    EXPECT_TRUE(rows[i]["feasible"].get<bool>());
    EXPECT_GT(rows[i]["evaluated"].get<long long>(), 0);
  }
  std::ifstream svg(plot);
  const std::string text((std::istreambuf_iterator<char>(svg)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("<svg"), std::string::npos);
  EXPECT_NE(text.find("tokens/s per GPU"), std::string::npos);
  EXPECT_NE(text.find("memory.stacks=5"), std::string::npos);
}

TEST(SweepCommand, CsvHasOneHeaderAndARowPerPoint) {
  const auto r = test::run_cli(sweep({"--gpus", "8,16", "--format", "csv", "--top", "1"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream in(r.out);
  std::string line;
  std::vector<std::string> lines;
  while (std::getline(in, line)) lines.push_back(line);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_NE(lines[0].find("point.gpus"), std::string::npos);
  EXPECT_NE(lines[0].find("tokens_per_s"), std::string::npos);
}

TEST(SweepCommand, Errors) {
  auto r = test::run_cli(sweep({"--gpus", "8"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("comma-separated list"), std::string::npos) << r.err;
  r = test::run_cli(sweep({"--gpus", "8,lots"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--gpus"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("lots"), std::string::npos) << r.err;
  r = test::run_cli(sweep({"--gpus", "8,16", "--system", "dgx-h100,nope"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("nope"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");  // names resolved before the first row
  r = test::run_cli(sweep({"--gpus", "8,16", "--plot", "/nonexistent/dir/x.svg"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--plot"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace xpusim
