#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/test_support.hpp"

namespace xpusim {
namespace {

bool has(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

void expect_bad_input(const std::vector<std::string>& args, const std::vector<std::string>& needles) {
  const auto r = test::run_cli(args);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  for (const auto& n : needles) EXPECT_TRUE(has(r.err, n)) << "missing '" << n << "' in: " << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST(OpGemm, JsonHasTheContractFields) {
  const auto r = test::run_cli(
      {"op", "gemm", "--chip", "h100-sxm5-80gb", "--m", "8192", "--n", "8192", "--k", "8192", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  for (const char* key : {"time_s", "flops", "bytes", "achieved_tflops", "bound", "efficiency", "tile_m", "waves"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["bound"], "compute");
  EXPECT_GT(j["achieved_tflops"].get<double>(), 600);
  EXPECT_LT(j["achieved_tflops"].get<double>(), 800);
  EXPECT_DOUBLE_EQ(j["flops"].get<double>(), 2.0 * 8192 * 8192 * 8192);
}

TEST(OpGemm, Fp8AndTableFormat) {
  const auto r = test::run_cli({"op", "gemm", "--chip", "h100-sxm5-80gb", "--m", "4096", "--n", "4096", "--k", "4096",
                                "--dtype", "fp8", "--format", "table"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "achieved_tflops")) << r.out;
  EXPECT_TRUE(has(r.out, "fp8")) << r.out;
}

TEST(OpGemm, UnknownChipSuggestsClosestNames) {
  expect_bad_input({"op", "gemm", "--chip", "h100-sxm", "--m", "1", "--n", "1", "--k", "1"},
                   {"--chip", "h100-sxm", "h100-sxm5-80gb"});
}

TEST(OpGemm, BadNumbersNameTheFlag) {
  expect_bad_input({"op", "gemm", "--chip", "h100-sxm5-80gb", "--m", "0", "--n", "1", "--k", "1"},
                   {"--m", "positive integer"});
  expect_bad_input({"op", "gemm", "--chip", "h100-sxm5-80gb", "--m", "1", "--n", "x", "--k", "1"}, {"--n"});
  expect_bad_input({"op", "gemm", "--chip", "h100-sxm5-80gb", "--m", "1", "--n", "1", "--k", "-5"}, {"--k"});
  expect_bad_input({"op", "gemm", "--chip", "h100-sxm5-80gb", "--m", "1", "--n", "1", "--k", "1", "--batch", "1.5"},
                   {"--batch"});
}

TEST(OpGemm, BadOrUnsupportedDtype) {
  expect_bad_input({"op", "gemm", "--chip", "h100-sxm5-80gb", "--m", "1", "--n", "1", "--k", "1", "--dtype", "int3"},
                   {"--dtype", "int3", "bf16"});
  expect_bad_input({"op", "gemm", "--chip", "a100-sxm4-80gb", "--m", "1", "--n", "1", "--k", "1", "--dtype", "fp8"},
                   {"--dtype", "fp8", "a100-sxm4-80gb"});
}

TEST(OpGemm, MissingRequiredFlag) {
  const auto r = test::run_cli({"op", "gemm", "--chip", "h100-sxm5-80gb", "--m", "1", "--n", "1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(has(r.err, "--k")) << r.err;
}

TEST(OpAttention, ForwardBackwardAndDecode) {
  const std::vector<std::string> base{"op", "attention", "--chip", "h100-sxm5-80gb", "--batch", "2", "--heads",
                                      "16", "--head-dim", "128", "--seq-len", "8192", "--format", "json"};
  const auto fwd = test::run_cli(base);
  ASSERT_EQ(fwd.exit_code, 0) << fwd.err;
  auto args = base;
  args.push_back("--causal");
  args.push_back("--backward");
  const auto bwd = test::run_cli(args);
  ASSERT_EQ(bwd.exit_code, 0) << bwd.err;
  const auto jf = nlohmann::json::parse(fwd.out), jb = nlohmann::json::parse(bwd.out);
  EXPECT_EQ(jf["bound"], "compute");
  EXPECT_NEAR(jb["flops"].get<double>() / jf["flops"].get<double>(), 1.25, 0.01);  // 2.5 x half
  const auto dec = test::run_cli({"op", "attention", "--chip", "h100-sxm5-80gb", "--batch", "16", "--heads", "32",
                                  "--kv-heads", "8", "--head-dim", "128", "--seq-len", "1", "--kv-len", "8192",
                                  "--format", "json"});
  ASSERT_EQ(dec.exit_code, 0) << dec.err;
  EXPECT_EQ(nlohmann::json::parse(dec.out)["bound"], "memory");
}

TEST(OpAttention, BadFlags) {
  const std::vector<std::string> base{"op", "attention", "--chip", "h100-sxm5-80gb", "--batch", "1",
                                      "--heads", "32", "--head-dim", "128", "--seq-len", "1024"};
  auto a = base;
  a.insert(a.end(), {"--kv-heads", "5"});
  expect_bad_input(a, {"--kv-heads", "divisor", "32"});
  a = base;
  a.insert(a.end(), {"--kv-len", "512"});
  expect_bad_input(a, {"--kv-len", "512", "at least"});
  a = base;
  a.insert(a.end(), {"--kernel", "fa4"});
  expect_bad_input(a, {"--kernel", "fa4", "fa2"});
  a = base;
  a[7] = "zero";
  expect_bad_input(a, {"--heads", "zero"});
}

TEST(OpModel, PerLayerTimesOfLlama) {
  const auto r = test::run_cli(
      {"op", "model", "--model", "llama3-8b", "--chip", "h100-sxm5-80gb", "--tokens", "4096", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j.contains("layers"));
  EXPECT_GT(j["layers"].size(), 1u);
  EXPECT_GT(j["forward_time_s"].get<double>(), 0);
  EXPECT_EQ(j["backward_time_s"].get<double>(), 0);
  bool saw_gemm = false;
  for (const auto& l : j["layers"])
    for (const auto& o : l["ops"]) saw_gemm = saw_gemm || o["kind"] == "gemm";
  EXPECT_TRUE(saw_gemm);
  // Forward time of a dense 8B model on 4096 tokens: about 2 x 8e9 x 4096 FLOPs at 50-80% of peak.
  const double t = j["forward_time_s"].get<double>();
  EXPECT_GT(t, 2 * 8e9 * 4096 / 989e12);
  EXPECT_LT(t, 2 * 8e9 * 4096 / (0.4 * 989e12));
}

TEST(OpModel, TableAndBackward) {
  const auto r = test::run_cli({"op", "model", "--model", "llama3-8b", "--chip", "a100-sxm4-80gb", "--tokens", "8192",
                                "--seq-len", "4096", "--backward", "--format", "table"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "backward")) << r.out;
}

TEST(OpModel, BadFlags) {
  expect_bad_input({"op", "model", "--model", "llama9-1t", "--chip", "h100-sxm5-80gb", "--tokens", "1"},
                   {"--model", "llama9-1t"});
  expect_bad_input({"op", "model", "--model", "llama3-8b", "--chip", "h100-sxm5-80gb", "--tokens", "4096",
                    "--seq-len", "3000"},
                   {"--seq-len", "3000", "divisor"});
  expect_bad_input({"op", "model", "--model", "llama3-8b", "--chip", "h100-sxm5-80gb", "--tokens", "0"}, {"--tokens"});
  expect_bad_input({"op", "model", "--model", "llama3-8b", "--chip", "nope", "--tokens", "8"}, {"--chip", "nope"});
}

TEST(OpCalibrate, FitsAChipWithRowsAndRefusesOneWithout) {
  const auto r = test::run_cli({"op", "calibrate", "--chip", "h800-sxm5-80gb", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_GT(j["fit_rows"].get<int>(), 10);
  EXPECT_TRUE(j["parameters"].contains("gemm_mainloop_efficiency_fp8"));
  expect_bad_input({"op", "calibrate", "--chip", "v100-sxm2-32gb"}, {"--chip", "v100-sxm2-32gb", "calibration rows"});
}

TEST(ValidateKernels, PrintsEveryRowWithRoleAndPasses) {
  const auto r = test::run_cli({"validate", "--suite", "kernels", "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.out.substr(0, 2000) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["suite"], "kernels");
  EXPECT_TRUE(j["passed"].get<bool>());
  std::set<std::string> roles;
  for (const auto& c : j["cases"]) {
    roles.insert(c["role"].get<std::string>());
    EXPECT_TRUE(c.contains("published") && c.contains("predicted") && c.contains("signed_error"));
  }
  EXPECT_EQ(roles, (std::set<std::string>{"calibration", "held-out"}));
}

}  // namespace
}  // namespace xpusim
