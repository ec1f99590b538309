#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "support/test_support.hpp"

namespace xpusim {
namespace {

using nlohmann::json;

std::vector<std::string> train(std::vector<std::string> extra) {
  std::vector<std::string> args{"train", "--model", "llama3-70b", "--system", "dgx-h100", "--gpus", "64",
                                "--tp", "8", "--pp", "4", "--seq-len", "4096", "--global-batch", "256",
                                "--format", "json"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

TEST(TrainCommand, JsonHasTheContractFields) {
  const auto r = test::run_cli(train({"--recompute", "selective"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = json::parse(r.out);
  for (const char* k : {"feasible", "reason", "step_time_s", "tokens_per_s", "model_tflops_per_gpu",
                        "hardware_tflops_per_gpu", "mfu", "hfu", "memory_per_gpu_bytes", "memory_breakdown",
                        "time_breakdown_s", "parallelism"})
    EXPECT_TRUE(j.contains(k)) << k;
  for (const char* k : {"tp", "pp", "vpp", "dp", "cp", "ep", "micro_batch", "recompute", "zero", "sp"})
    EXPECT_TRUE(j["parallelism"].contains(k)) << k;
  EXPECT_EQ(j["parallelism"]["dp"], 2);
  EXPECT_EQ(j["parallelism"]["sp"], true);
  EXPECT_EQ(j["feasible"], true);
  EXPECT_GT(j["mfu"].get<double>(), 0.0);
  double sum = 0;
  for (const auto& [k, v] : j["time_breakdown_s"].items()) sum += v.get<double>();
  EXPECT_NEAR(sum, j["step_time_s"].get<double>(), 1e-9);
}

TEST(TrainCommand, InfeasibleExitsOneWithReason) {
  const auto r = test::run_cli({"train", "--model", "llama3-70b", "--system", "dgx-h100", "--gpus", "8",
                                "--seq-len", "4096", "--global-batch", "64", "--format", "json"});
  EXPECT_EQ(r.exit_code, 1);
  const auto j = json::parse(r.out);
  EXPECT_EQ(j["feasible"], false);
  EXPECT_NE(j["reason"].get<std::string>().find("per GPU, has"), std::string::npos);
}

TEST(TrainCommand, IndivisibleLayoutExitsOne) {
  const auto r = test::run_cli(train({"--vpp", "24"}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("layers 80 on pp*vpp = 96 chunks leave a chunk without layers"), std::string::npos) << r.out;
}

struct FlagCase {
  std::vector<std::string> extra;
  const char* message;
};

TEST(TrainCommand, EachBadFlagNamesItself) {
  const std::vector<FlagCase> cases{
      {{"--tp", "0"}, "--tp: expected a positive integer, got \"0\""},
      {{"--pp", "two"}, "--pp: expected a positive integer"},
      {{"--vpp", "-1"}, "--vpp: expected a positive integer"},
      {{"--dp", "1.5"}, "--dp: expected a positive integer"},
      {{"--cp", "x"}, "--cp: expected a positive integer"},
      {{"--ep", "0"}, "--ep: expected a positive integer"},
      {{"--etp", "0"}, "--etp: expected a positive integer"},
      {{"--micro-batch", "0"}, "--micro-batch: expected a positive integer"},
      {{"--recompute", "some"}, "--recompute: expected one of: none, selective, full, got \"some\""},
      {{"--zero", "4"}, "--zero: expected one of: 0, 1, 2, 3, got \"4\""},
      {{"--dtype", "fp16"}, "--dtype: expected one of: bf16, fp8, got \"fp16\""},
      {{"--order", "tp-dp-pp"}, "--order: expected the five axes tp, cp, ep, dp, pp each once"},
      {{"--order", "tp-tp-ep-dp-pp"}, "--order: expected the five axes"},
      {{"--trace", "/nonexistent-dir/trace.json"}, "--trace: expected a writable file path"},
  };
  for (const auto& c : cases) {
    auto args = train({});
    // Replace a flag the base command already sets, else append it.
    const auto it = std::find(args.begin(), args.end(), c.extra[0]);
    if (it != args.end()) *(it + 1) = c.extra[1];
    else args.insert(args.end(), c.extra.begin(), c.extra.end());
    const auto r = test::run_cli(args);
    EXPECT_EQ(r.exit_code, 2) << c.message;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << "got: " << r.err;
  }
}

TEST(TrainCommand, BadGpusSeqAndBatchNameTheFlag) {
  for (const char* flag : {"--gpus", "--seq-len", "--global-batch"}) {
    std::vector<std::string> args{"train", "--model", "llama3-8b", "--system", "dgx-h100", "--gpus", "8",
                                  "--seq-len", "4096", "--global-batch", "64"};
    for (std::size_t i = 0; i + 1 < args.size(); ++i)
      if (args[i] == flag) args[i + 1] = "zero";
    const auto r = test::run_cli(args);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find(std::string(flag) + ": expected a positive integer"), std::string::npos) << r.err;
  }
}

TEST(TrainCommand, UnknownModelAndSystemAreErrors) {
  auto args = train({});
  args[2] = "llama9-1t";
  auto r = test::run_cli(args);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--model"), std::string::npos) << r.err;
  args = train({});
  args[4] = "dgx-z999";
  r = test::run_cli(args);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--system"), std::string::npos) << r.err;
}

TEST(TrainCommand, StackSplitAndAutoMicroBatchAreReported) {
  auto r = test::run_cli(train({"--stack", "pytorch-fsdp", "--grad-reduce", "bf16"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = json::parse(r.out);
  EXPECT_EQ(j["parallelism"]["stack"], "pytorch-fsdp");
  EXPECT_EQ(j["parallelism"]["grad_reduce"], "bf16");
  EXPECT_EQ(j["parallelism"]["optimizer_state"], "fp32");  // the stack's
  EXPECT_EQ(j["parallelism"]["micro_batch_auto"], true);  // --micro-batch not given
  EXPECT_EQ(j["parallelism"]["pipeline_layers"], "20,20,20,20");
  r = test::run_cli(train({"--micro-batch", "2", "--pipeline-layers", "19,21,21,19"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  j = json::parse(r.out);
  EXPECT_EQ(j["parallelism"]["stack"], "megatron-core");
  EXPECT_EQ(j["parallelism"]["micro_batch_auto"], false);
  EXPECT_EQ(j["parallelism"]["micro_batch"], 2);
  EXPECT_EQ(j["parallelism"]["pipeline_layers"], "19,21,21,19");
}

TEST(TrainCommand, OptimizerStatePrecisionIsAFlag) {
  auto r = test::run_cli(train({"--optimizer-state", "bf16", "--micro-batch", "1"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = json::parse(r.out);
  EXPECT_EQ(j["parallelism"]["optimizer_state"], "bf16");
  const double bf16 = j["memory_breakdown"]["optimizer_bytes"].get<double>();
  r = test::run_cli(train({"--micro-batch", "1"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NEAR(json::parse(r.out)["memory_breakdown"]["optimizer_bytes"].get<double>(), 2 * bf16, 1.0);
  r = test::run_cli(train({"--optimizer-state", "fp8"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--optimizer-state: expected one of: stack, fp32, bf16, got \"fp8\""), std::string::npos) << r.err;
}

TEST(TrainCommand, BadStackAndPipelineLayersAreErrors) {
  auto r = test::run_cli(train({"--stack", "megatron"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--stack: expected a shipped stack or a stack YAML file: one of: deepspeed, megatron-core, "
                       "nemo, pytorch-fsdp, got \"megatron\""),
            std::string::npos)
      << r.err;
  r = test::run_cli(train({"--pipeline-layers", "20,x,20,20"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--pipeline-layers: expected a comma-separated list of positive layer counts, got "
                       "\"20,x,20,20\""),
            std::string::npos)
      << r.err;
  // A list that parses but does not sum to the model's layers is an infeasible result.
  r = test::run_cli(train({"--pipeline-layers", "20,20,20,21"}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("pipeline layers list sums to 81 layers, the model has 80"), std::string::npos) << r.out;
}

TEST(TrainCommand, TraceHasOneTrackPerStageAndStream) {
  const auto path = test::write_temp_file("trace.json", "");
  const auto r = test::run_cli(train({"--vpp", "2", "--trace", path}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  const auto j = json::parse(ss.str());
  ASSERT_TRUE(j.contains("traceEvents"));
  std::set<std::string> tracks;
  int slices = 0;
  for (const auto& e : j["traceEvents"]) {
    if (e["ph"] == "M" && e["name"] == "thread_name") tracks.insert(e["args"]["name"].get<std::string>());
    if (e["ph"] == "X") {
      ++slices;
      EXPECT_GE(e["dur"].get<double>(), 0.0);
    }
  }
  for (int s = 0; s < 4; ++s) {
    EXPECT_TRUE(tracks.count("stage " + std::to_string(s) + " compute"));
    EXPECT_TRUE(tracks.count("stage " + std::to_string(s) + " comm"));
  }
  EXPECT_TRUE(tracks.count("optimizer"));
  // 4 stages x 128 micro-batches x 2 chunks x (forward + backward) compute slices at least.
  EXPECT_GE(slices, 4 * 128 * 2 * 2);
}

TEST(TrainCommand, OverlapFlagsMoveCommunicationOnTheCriticalPath) {
  auto args = train({"--cp", "2"});
  *(std::find(args.begin(), args.end(), "--gpus") + 1) = "128";
  const auto base = json::parse(test::run_cli(args).out);
  args.push_back("--no-cp-overlap");
  args.push_back("--no-dp-overlap");
  const auto exposed = json::parse(test::run_cli(args).out);
  EXPECT_GT(exposed["time_breakdown_s"]["cp_comm"].get<double>(), base["time_breakdown_s"]["cp_comm"].get<double>());
  EXPECT_GT(exposed["time_breakdown_s"]["dp_comm"].get<double>(), base["time_breakdown_s"]["dp_comm"].get<double>());
  const auto hidden = json::parse(test::run_cli(train({"--tp-overlap"})).out);
  const auto plain = json::parse(test::run_cli(train({})).out);
  EXPECT_LT(hidden["time_breakdown_s"]["tp_comm"].get<double>(), plain["time_breakdown_s"]["tp_comm"].get<double>());
}

TEST(TrainCommand, ValidateMegatronSuiteRuns) {
  const auto r = test::run_cli({"validate", "--suite", "megatron2021", "--format", "json"});
  const auto j = json::parse(r.out);
  EXPECT_EQ(j["suite"], "megatron2021");
  EXPECT_EQ(j["cases"].size(), 10u);
  EXPECT_EQ(r.exit_code, j["passed"].get<bool>() ? 0 : 1);
}

}  // namespace
}  // namespace xpusim
