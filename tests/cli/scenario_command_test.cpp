// `--set` overrides on train and hw show, and `xpusim run` over a YAML file of scenarios.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "support/test_support.hpp"

namespace xpusim {
namespace {

using nlohmann::json;

std::vector<std::string> train_h100(std::vector<std::string> extra) {
  std::vector<std::string> args{"train", "--model", "llama3-70b", "--system", "dgx-h100", "--gpus", "64",
                                "--tp", "8", "--pp", "4", "--seq-len", "4096", "--global-batch", "256",
                                "--format", "json"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

TEST(SetOverride, TrainWithSixStacksHasMoreMemoryAndSaysSo) {
  const auto base = test::run_cli(train_h100({}));
  const auto six = test::run_cli(train_h100({"--set", "memory.stacks=6"}));
  ASSERT_EQ(base.exit_code, 0) << base.err;
  ASSERT_EQ(six.exit_code, 0) << six.err;
  const auto b = json::parse(base.out), s = json::parse(six.out);
  EXPECT_NEAR(s["memory_capacity_bytes"].get<double>(), 96e9, 1e3);
  EXPECT_NEAR(b["memory_capacity_bytes"].get<double>(), 80e9, 1e3);
  EXPECT_EQ(s["hardware"], "dgx-h100 with memory.stacks=6");
  EXPECT_EQ(s["system"], "dgx-h100");
  EXPECT_EQ(b["hardware"], "dgx-h100");
  EXPECT_TRUE(b["derived"].empty());
  EXPECT_GE(s["derived"].size(), 3u);
  // More bandwidth: memory-bound kernels speed up, so the step is no slower.
  EXPECT_LE(s["step_time_s"].get<double>(), b["step_time_s"].get<double>());
  EXPECT_TRUE(s["uncalibrated"].is_array());
}

TEST(SetOverride, HwShowH200WithEightStacks) {
  const auto r = test::run_cli({"hw", "show", "h200-sxm-141gb", "--set", "memory.stacks=8", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = json::parse(r.out);
  EXPECT_EQ(j["memory"]["stacks"], 8);
  EXPECT_EQ(j["memory"]["bus_width_bits"], 8192);
  EXPECT_NEAR(j["memory"]["capacity_bytes"].get<double>(), 188e9, 1e3);
  EXPECT_EQ(j["hardware"], "h200-sxm-141gb with memory.stacks=8");
  EXPECT_EQ(j["overrides"][0], "memory.stacks=8");
  EXPECT_EQ(j["sources"]["memory.stacks"], "--set memory.stacks=8");
}

TEST(SetOverride, OpGemmOnADerivedChip) {
  const auto r = test::run_cli({"op", "gemm", "--chip", "h100-sxm5-80gb", "--m", "8192", "--n", "8192", "--k", "8192",
                                "--set", "compute_units=264", "--format", "json"});
  const auto base = test::run_cli({"op", "gemm", "--chip", "h100-sxm5-80gb", "--m", "8192", "--n", "8192", "--k",
                                   "8192", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["hardware"], "h100-sxm5-80gb with compute_units=264");
  EXPECT_LT(json::parse(r.out)["time_s"].get<double>(), 0.75 * json::parse(base.out)["time_s"].get<double>());
}

TEST(SetOverride, BadOverridesExitTwoNamingPathValueAndExpectation) {
  struct Case {
    std::vector<std::string> args;
    const char* message;
  };
  const std::vector<Case> cases{
      {train_h100({"--set", "memory.stakcs=6"}),
       "--set: expected a system or chip field path (did you mean: memory.stacks"},
      {train_h100({"--set", "memory.capacity=96"}),
       "--set memory.capacity: expected a positive value: a size such as \"80 GiB\", got \"96\""},
      {train_h100({"--set", "memory.stacks"}), "--set: expected PATH=VALUE, e.g. memory.stacks=8, got \"memory.stacks\""},
      {train_h100({"--set", "memory.pin_rate=8 Gb/s", "--set", "memory.bandwidth=3.35 TB/s"}),
       "--set memory.bandwidth: expected 5.12 TB/s (pin_rate 8 Gb/s x 5120 bits / 8), within 3%, got \"3.35 TB/s\""},
      {{"hw", "show", "h200-sxm-141gb", "--set", "memory.bus_width_bits=8192"},
       "--set memory.bus_width_bits: expected at most 6144 bits"},
      {{"hw", "show", "h200-sxm-141gb", "--set", "node.scale_up.domain_size=16"},
       "--set: expected a chip field path"},
      {{"op", "gemm", "--chip", "h100-sxm5-80gb", "--m", "64", "--n", "64", "--k", "64", "--set", "clock=fast"},
       "--set clock: expected a positive value: a frequency"},
  };
  for (const auto& c : cases) {
    const auto r = test::run_cli(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.message;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << "got: " << r.err;
  }
}

const char* kRunFile =
    "defaults:\n"
    "  model: llama3-70b\n"
    "  system: dgx-h100\n"
    "  seq_len: 4096\n"
    "  global_batch: 256\n"
    "scenarios:\n"
    "  - {name: tp8-pp4, gpus: 64, tp: 8, pp: 4}\n"
    "  - {name: six-stacks, gpus: 64, tp: 8, pp: 4, set: {memory.stacks: 6}}\n"
    "  - {name: too-small, gpus: 8, tp: 1}\n";

TEST(RunCommand, StreamsOneRecordPerScenarioInFileOrder) {
  const auto file = test::write_temp_file("run/three.yaml", kRunFile);
  const auto r = test::run_cli({"run", file, "--format", "jsonl"});
  EXPECT_EQ(r.exit_code, 1) << r.err;  // one scenario does not fit
  std::istringstream in(r.out);
  std::vector<json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  ASSERT_EQ(lines.size(), 4u) << r.out;
  EXPECT_TRUE(lines[0].contains("context"));
  EXPECT_EQ(lines[0]["context"]["xpusim_version"].get<std::string>().empty(), false);
  EXPECT_EQ(lines[0]["context"]["data_hash"].get<std::string>().size(), 16u);
  EXPECT_EQ(lines[1]["scenario"], "tp8-pp4");
  EXPECT_EQ(lines[2]["scenario"], "six-stacks");
  EXPECT_EQ(lines[2]["hardware"], "dgx-h100 with memory.stacks=6");
  EXPECT_EQ(lines[3]["scenario"], "too-small");
  EXPECT_EQ(lines[1]["feasible"], true);
  EXPECT_EQ(lines[3]["feasible"], false);
  // A scenario of the file gives the same record as the same flags on `xpusim train`.
  const auto t = test::run_cli(train_h100({}));
  auto single = json::parse(t.out);
  single.erase("xpusim_version");
  auto streamed = lines[1];
  streamed.erase("scenario");
  EXPECT_EQ(streamed, single);
}

TEST(RunCommand, JsonStreamIsOneDocument) {
  const auto file = test::write_temp_file("run/json.yaml", kRunFile);
  const auto r = test::run_cli({"run", file, "--format", "json"});
  const auto j = json::parse(r.out);
  ASSERT_EQ(j["results"].size(), 3u);
  EXPECT_EQ(j["results"][1]["scenario"], "six-stacks");
}

TEST(RunCommand, FileErrorsNameFileLineAndKey) {
  struct Case {
    const char* text;
    const char* message;
  };
  const std::vector<Case> cases{
      {"model: llama3-70b\nsystem: dgx-h100\ngpus: 8\nseq_len: 4096\nglobal_batch: 8\ntpp: 2\n",
       "bad.yaml:6: tpp: expected a known field (did you mean 'tp'?)"},
      {"model: llama3-70b\nsystem: dgx-h100\ngpus: 8\nseq_len: 4096\nglobal_batch: 8\ntp: 0\n",
       "bad.yaml:6: tp: expected a positive integer, got \"0\""},
      {"model: llama3-70b\nsystem: dgx-h100\ngpus: 8\nseq_len: 4096\n", "global_batch: expected a value: `global_batch` is required"},
      {"scenarios:\n  - {model: llama3-70b, system: dgx-h100, gpus: 8, seq_len: 4096, global_batch: 8, recompute: some}\n",
       "bad.yaml:2: scenarios[0].recompute: expected one of: none, selective, full, got \"some\""},
      {"model: llama3-70b\nsystem: dgx-h100\ngpus: 8\nseq_len: 4096\nglobal_batch: 8\nset: [memory.stacks]\n",
       "bad.yaml:6: set[0]: expected PATH=VALUE"},
      {"model: nosuch-model\nsystem: dgx-h100\ngpus: 8\nseq_len: 4096\nglobal_batch: 8\n", "nosuch-model"},
  };
  for (const auto& c : cases) {
    const auto file = test::write_temp_file("run/bad.yaml", c.text);
    const auto r = test::run_cli({"run", file, "--format", "json"});
    EXPECT_EQ(r.exit_code, 2) << c.text;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << "got: " << r.err;
    EXPECT_TRUE(r.out.empty()) << "no row before bad input is reported: " << r.out;
  }
}

}  // namespace
}  // namespace xpusim
