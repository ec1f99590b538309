#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "support/test_support.hpp"

namespace xpusim {
namespace {

TEST(ServeCommand, JsonCarriesTheIssueKeys) {
  const auto r = test::run_cli({"serve", "--model", "llama3-8b", "--system", "dgx-h100", "--rate", "5",
                                "--num-requests", "200", "--slo-ttft", "0.5", "--slo-tpot", "0.05", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  for (const char* key : {"simulated_requests", "elapsed_s", "throughput_output_tokens_per_s", "throughput_requests_per_s",
                          "ttft_s", "tpot_s", "e2e_latency_s", "goodput_requests_per_s", "kv_cache_bytes", "kv_blocks",
                          "max_concurrent_sequences", "preemptions", "prefix_hit_rate"})
    EXPECT_TRUE(j.contains(key)) << key;
  for (const char* p : {"mean", "p50", "p90", "p99"}) EXPECT_TRUE(j["ttft_s"].contains(p)) << p;
  EXPECT_EQ(j["simulated_requests"].get<int>(), 200);
}

TEST(ServeCommand, TraceIsPerfettoJson) {
  const auto path = test::write_temp_file("serve_trace.json", "");
  const auto r = test::run_cli({"serve", "--num-requests", "20", "--trace", path, "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(path);
  const auto j = nlohmann::json::parse(in);
  ASSERT_TRUE(j.contains("traceEvents"));
  EXPECT_GT(j["traceEvents"].size(), 10u);
}

TEST(ServeCommand, WeightsThatDoNotFitAreInfeasible) {
  const auto r = test::run_cli({"serve", "--model", "llama3-405b", "--system", "dgx-h100", "--num-requests", "5",
                                "--format", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_FALSE(j["feasible"].get<bool>());
  EXPECT_NE(j["reason"].get<std::string>().find("KV cache"), std::string::npos);
}

TEST(ServeCommand, BadFlagsExitTwoNamingTheFlag) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"serve", "--engine", "vllmx"}, "--engine"},
      {{"serve", "--dtype", "int3"}, "--dtype"},
      {{"serve", "--kv-dtype", "fp4"}, "--kv-dtype"},
      {{"serve", "--scheduler", "fifo"}, "--scheduler"},
      {{"serve", "--input-len", "lognormal:0:1"}, "--input-len"},
      {{"serve", "--arrival", "poisson"}, "--rate"},
      {{"serve", "--disaggregate", "2"}, "--disaggregate"},
      {{"serve", "--tp", "3"}, "--tp"},
      {{"serve", "--workload", "/nonexistent/trace.jsonl"}, "--workload"},
  };
  for (const auto& [args, flag] : cases) {
    const auto r = test::run_cli(args);
    EXPECT_EQ(r.exit_code, 2) << args[2] << ": " << r.err;
    EXPECT_NE(r.err.find(flag), std::string::npos) << r.err;
  }
}

TEST(ServeCommand, SearchRanksLayoutsByGoodputPerGpu) {
  const auto r = test::run_cli({"serve", "--model", "llama3-8b", "--gpus", "2", "--rate", "10", "--num-requests", "100",
                                "--slo-ttft", "1", "--search", "--top", "3", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["top"].size(), 3u);
  EXPECT_GE(j["top"][0]["goodput_requests_per_s_per_gpu"].get<double>(),
            j["top"][1]["goodput_requests_per_s_per_gpu"].get<double>());
}

}  // namespace
}  // namespace xpusim
