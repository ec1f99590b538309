// Regression tests of issue 23: hostile sizes, internal errors, message policy, infeasible output
// and report shape. Each names the defect it holds fixed.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "support/test_support.hpp"

namespace xpusim {
namespace {

using test::run_cli;

// Exit 2, the flag (or file:line: field) named, and the limit or expectation stated.
void expect_refused(const std::vector<std::string>& args, const std::vector<std::string>& parts) {
  const auto r = run_cli(args);
  EXPECT_EQ(r.exit_code, 2) << r.err << r.out;
  for (const auto& p : parts) EXPECT_NE(r.err.find(p), std::string::npos) << "missing '" << p << "' in: " << r.err;
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
}

std::string model_config(const std::string& name, const std::string& key, const std::string& value) {
  std::ifstream in(std::string(XPUSIM_SOURCE_DATA_DIR) + "/models/llama3-8b.json");
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::ordered_json::parse(ss.str());
  j[key] = nlohmann::ordered_json::parse(value);
  return test::write_temp_file(name, j.dump(1));
}

// `train` on llama3-8b and dgx-h100 unless `extra` names another model or system.
std::vector<std::string> train(std::vector<std::string> extra) {
  std::vector<std::string> args = {"train", "--format", "json"};
  if (std::find(extra.begin(), extra.end(), "--model") == extra.end()) args.insert(args.end(), {"--model", "llama3-8b"});
  if (std::find(extra.begin(), extra.end(), "--system") == extra.end()) args.insert(args.end(), {"--system", "dgx-h100"});
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// --- Internal errors are told apart from bad input ---------------------------------------------

TEST(InternalError, ForcedInvariantBreakExitsThreeAndAsksForAReport) {
  const auto r = test::run_cli_shell("", "export XPUSIM_FORCE_INTERNAL_ERROR=1;", {"hw", "list"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("internal error: forced by XPUSIM_FORCE_INTERNAL_ERROR"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("please report"), std::string::npos) << r.err;
}

// --- Hostile sizes: refused with the flag, the value and the limit ------------------------------

TEST(HostileSizes, TrainSequenceLengthIsBounded) {
  // Was: time grew with the value (2^63-1 never finished).
  expect_refused(train({"--gpus", "8", "--global-batch", "8", "--seq-len", "9223372036854775807"}),
                 {"--seq-len", "9223372036854775807", "at most 134217728"});
  expect_refused(train({"--gpus", "8", "--global-batch", "8", "--seq-len", "1099511627776"}), {"--seq-len", "134217728"});
  expect_refused(train({"--gpus", "8", "--global-batch", "8", "--seq-len", "99999999999999999999"}), {"--seq-len"});
}

TEST(HostileSizes, HugeGpuCountIsInfeasibleNotAHang) {
  const auto r = run_cli(train({"--gpus", "1000000000000", "--global-batch", "8", "--seq-len", "4096"}));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(nlohmann::json::parse(r.out)["reason"].get<std::string>().find("exceeds"), std::string::npos);
  expect_refused(train({"--gpus", "1e12", "--global-batch", "8", "--seq-len", "4096"}), {"--gpus", "1e12"});
}

TEST(HostileSizes, OpModelTokensAreBounded) {
  expect_refused({"op", "model", "--model", "llama3-8b", "--chip", "h100-sxm5-80gb", "--tokens", "9223372036854775807"},
                 {"--tokens", "at most 1099511627776"});
  expect_refused({"op", "model", "--model", "llama3-8b", "--chip", "h100-sxm5-80gb", "--tokens", "1073741824"},
                 {"--tokens", "134217728"});
}

TEST(HostileSizes, GemmAndAttentionMustFitTheChip) {
  // Was: exit 0 with negative tile and wave counts (int64 overflow).
  expect_refused({"op", "gemm", "--chip", "h100-sxm5-80gb", "--m", "9223372036854775807", "--n", "4096", "--k", "4096"},
                 {"--m/--n/--k/--batch", "fit in the 80 GB of h100-sxm5-80gb"});
  expect_refused({"op", "gemm", "--chip", "h100-sxm5-80gb", "--m", "4096", "--n", "4096", "--k", "4096", "--batch",
                  "9223372036854775807"},
                 {"--m/--n/--k/--batch"});
  expect_refused({"op", "attention", "--chip", "h100-sxm5-80gb", "--batch", "4611686018427387904", "--heads", "32",
                  "--head-dim", "128", "--seq-len", "4096"},
                 {"--batch/--heads"});
  // The largest GEMM that fits still has sane counts.
  const auto r = run_cli({"op", "gemm", "--chip", "h100-sxm5-80gb", "--m", "65536", "--n", "65536", "--k", "65536",
                          "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_GT(j["tiles"].get<long long>(), 0);
  EXPECT_GT(j["waves"].get<long long>(), 0);
  EXPECT_LE(j["achieved_tflops"].get<double>(), 989.5);  // never above the bf16 peak
}

TEST(HostileSizes, HbmRequestsAreBounded) {
  // Was: 1e15 accepted (1e8 takes 14 s).
  expect_refused({"hbm", "sim", "--requests", "1000000000000000"}, {"--requests", "at most 1e+09"});
  expect_refused({"hbm", "sim", "--requests", "1e15"}, {"--requests", "1e15"});
}

TEST(HostileSizes, TinyIssueRateIsRefusedNotIgnoredOrHung) {
  // Was: "1 kB/s" hung (idle cycles stepped one by one) and "1e-20 GB/s" was silently ignored.
  for (const char* rate : {"1 kB/s", "1e-20 GB/s"})
    expect_refused({"hbm", "sim", "--requests", "1000", "--issue-rate", rate}, {"--issue-rate", rate, "at least"});
  expect_refused({"hbm", "sim", "--requests", "1000", "--issue-rate", "1e400 GB/s"}, {"--issue-rate"});
  const auto ok = run_cli({"hbm", "sim", "--requests", "1000", "--issue-rate", "1 GB/s", "--format", "json"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

TEST(HostileSizes, TraceAddressAtTheTopOfTheSpaceIsRefused) {
  // Was: a hang (R and LD/ST forms), and a segfault for an unaligned request just below the top.
  for (const char* line : {"0 R 0xFFFFFFFFFFFFFFFF\n", "LD 0xFFFFFFFFFFFFFFFF\n", "ST 0xFFFFFFFFFFFFFFC0\n",
                           "LD 0xFFFFFFFFFFFFFFBF\n", "5 W 0x8000000000000000\n"}) {
    const auto path = test::write_temp_file("top.trace", line);
    expect_refused({"hbm", "sim", "--trace", path}, {"top.trace:1: trace address", "below 0x8000000000000000"});
  }
  const auto path = test::write_temp_file("high.trace", "0 R 0x7FFFFFFFFFFFFF00\nLD 0x7FFFFFFFFFFFFFC0\n");
  const auto r = run_cli({"hbm", "sim", "--trace", path, "--check", "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(HostileSizes, TraceTimeJumpIsSkippedAndPastTheLimitRefused) {
  // Was: a jump of ~4e9 cycles hung (idle cycles were simulated refresh by refresh). Now the
  // idle refreshes are counted in bulk: the run ends at once and counts every one of them.
  const auto path = test::write_temp_file("jump.trace", "0 R 0x0\n4000000000 R 0x40\n");
  const auto r = run_cli({"hbm", "sim", "--trace", path, "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_GE(j["cycles"].get<double>(), 4e9);
  // HBM3 per-bank refresh: every PC refreshes once per tREFIpb over the whole span.
  const double refreshes = j["commands_detail"]["refpb"].get<double>();
  EXPECT_GT(refreshes, 0.99 * 4e9 / 195 * 32) << refreshes;
  const auto past = test::write_temp_file("past.trace", "0 R 0x0\n2000000000000000 R 0x40\n");
  expect_refused({"hbm", "sim", "--trace", past}, {"past.trace:2: trace time", "at most 1125899906842624 memory cycles"});
  const auto in_seconds = test::write_temp_file("jump_s.trace", "0 R 0x0\n1e30s R 0x40\n");
  expect_refused({"hbm", "sim", "--trace", in_seconds}, {"jump_s.trace:2: trace time"});
}

TEST(HostileSizes, OverlongTraceLineIsRefused) {
  const auto path = test::write_temp_file("long.trace", "0 R 0x0\n" + std::string(10000, '1') + " R 0x40\n");
  expect_refused({"hbm", "sim", "--trace", path}, {"long.trace:2", "at most 4096 characters"});
}

TEST(HostileSizes, ModelConfigSizesAreBounded) {
  // Was: intermediate_size 2^62 gave negative bytes and MFU 2.02; 2^62 layers exited 3; 1e9
  // layers took 21 s and 3.9 GB.
  expect_refused(train({"--model", model_config("ffn.json", "intermediate_size", "4611686018427387904"), "--gpus", "8",
                        "--seq-len", "4096", "--global-batch", "8"}),
                 {"ffn.json:", "intermediate_size", "at most 16777216"});
  expect_refused(train({"--model", model_config("layers.json", "num_hidden_layers", "4611686018427387904"), "--gpus",
                        "8", "--seq-len", "4096", "--global-batch", "8"}),
                 {"layers.json:", "num_hidden_layers"});
  expect_refused(train({"--model", model_config("layers1e9.json", "num_hidden_layers", "1000000000"), "--gpus", "8",
                        "--seq-len", "4096", "--global-batch", "8"}),
                 {"layers1e9.json:", "num_hidden_layers"});
  expect_refused(train({"--model", model_config("layers2e5.json", "num_hidden_layers", "200000"), "--gpus", "8",
                        "--seq-len", "4096", "--global-batch", "8"}),
                 {"layers2e5.json:", "at most 100000 layers"});
  expect_refused(train({"--model", model_config("wide.json", "hidden_size", "16777216"), "--gpus", "8", "--seq-len",
                        "4096", "--global-batch", "8"}),
                 {"wide.json:", "parameters"});
}

// --- Found by fuzzing (fuzz/hardware_yaml_fuzz.cpp) ---------------------------------------------

TEST(FuzzRegression, NameTooLongForAPathIsBadInputNotACrash) {
  // Was: std::filesystem::exists threw filesystem_error (ENAMETOOLONG) out of the catalog: abort.
  const std::string long_name(5000, 'a');
  const auto fleet = test::write_temp_file("long.yaml", "name: f\nkind: fleet\nsystems:\n  - system: '" + long_name +
                                                            ".yaml'\n    nodes: 1\n");
  const auto r = run_cli({"hw", "show", fleet});
  EXPECT_TRUE(r.exit_code == 2 || r.exit_code == 0) << r.err;
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
  expect_refused(train({"--system", long_name + ".yaml", "--gpus", "8", "--seq-len", "4096", "--global-batch", "8"}),
                 {"--system"});
  expect_refused(train({"--model", "/" + long_name + ".json", "--gpus", "8", "--seq-len", "4096", "--global-batch", "8"}),
                 {"--model"});
  expect_refused({"hw", "show", long_name + ".yaml"}, {"NAME"});
}

// --- Silent wrong answers ----------------------------------------------------------------------

TEST(PhysicalLimits, LongContextFullRecomputeStaysBelowPeak) {
  // Was: feasible at HFU 1.03 (causal attention FLOPs counted as executed).
  const auto r = run_cli(train({"--gpus", "64", "--cp", "64", "--seq-len", "1048576", "--recompute", "full",
                                "--global-batch", "1"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_LE(j["hfu"].get<double>(), 1.0);
  EXPECT_GT(j["hfu"].get<double>(), 0.2);
}

TEST(StrictInput, DuplicateKeyInJsonConfigIsAnError) {
  // Was: accepted, the first value winning.
  std::ifstream in(std::string(XPUSIM_SOURCE_DATA_DIR) + "/models/llama3-8b.json");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  text.replace(text.find("\"hidden_size\""), 0, "\"hidden_size\": 17,\n  ");
  const auto path = test::write_temp_file("dup.json", text);
  expect_refused(train({"--model", path, "--gpus", "8", "--seq-len", "4096", "--global-batch", "8"}),
                 {"dup.json:", "hidden_size: expected each field given once"});
}

// --- Messages off the policy -------------------------------------------------------------------

TEST(Messages, TpNotDividingTheMlpWidthIsInfeasibleLikeTheHeadsCase) {
  // Was: exit 2 naming only the file's base name.
  const auto path = model_config("mlp7.json", "intermediate_size", "7");
  const auto r = run_cli(train({"--model", path, "--gpus", "8", "--tp", "8", "--seq-len", "4096", "--global-batch", "8"}));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_FALSE(j["feasible"].get<bool>());
  EXPECT_EQ(j["reason"], "MLP width (intermediate_size) 7 is not divisible by tp 8");
  const auto heads = run_cli(train({"--gpus", "3", "--tp", "3", "--seq-len", "4096", "--global-batch", "3"}));
  EXPECT_EQ(heads.exit_code, 1) << heads.err;
  expect_refused({"op", "model", "--model", path, "--chip", "h100-sxm5-80gb", "--tokens", "4096", "--tp", "8"},
                 {"--tp", "does not divide the MLP width 7"});
}

TEST(Messages, SystemCalibrationRangeErrorNamesFileAndLine) {
  // Was: named the system, not where the value is.
  std::ifstream in(std::string(XPUSIM_SOURCE_DATA_DIR) + "/hardware/systems/dgx-h100.yaml");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  // The shipped file gives the fraction (fitted): replace its line with an out-of-range value.
  const auto at = text.find("  sustained_clock_fraction:");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, text.find('\n', at) - at, "  sustained_clock_fraction: 1.5");
  const auto path = test::write_temp_file("hot.yaml", text);
  const auto line = std::to_string(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n') + 1);
  expect_refused(train({"--system", path, "--gpus", "8", "--seq-len", "4096", "--global-batch", "8"}),
                 {"hot.yaml:" + line + ": calibration.sustained_clock_fraction: expected a value in (0, 1]", "1.5"});
  expect_refused(train({"--gpus", "8", "--seq-len", "4096", "--global-batch", "8", "--set",
                        "calibration.sustained_clock_fraction=0"}),
                 {"--set calibration.sustained_clock_fraction", "(0, 1]"});
}

TEST(Messages, DirectoryAsInputSaysItIsADirectory) {
  // Was: `expected a mapping, got "null"`.
  const std::string dir = std::string(XPUSIM_SOURCE_DATA_DIR) + "/models";
  expect_refused({"hw", "show", dir}, {"a file, not a directory", dir});
  expect_refused(train({"--model", dir + "/", "--gpus", "8", "--seq-len", "4096", "--global-batch", "8"}), {"--model"});
  expect_refused({"hbm", "sim", "--trace", dir}, {"directory"});
  expect_refused({"run", dir}, {"directory"});
}

TEST(Messages, UnknownCommandIsNamed) {
  // Was: "A subcommand is required".
  expect_refused({"bogus"}, {"COMMAND", "bogus", "a command (one of:"});
  expect_refused({"valdate"}, {"did you mean 'validate'?"});
  const auto r = run_cli({"bogus"});
  EXPECT_EQ(r.err.find("A subcommand is required"), std::string::npos) << r.err;
}

TEST(Messages, EmptySuiteAndFormatAreRefused) {
  expect_refused({"validate", "--suite", ""}, {"--suite", "a suite name"});
  expect_refused({"validate", "--format", ""}, {"--format", "one of: table, json, jsonl, csv"});
  expect_refused({"hw", "list", "--format", ""}, {"--format"});
}

TEST(Messages, Fa3OnAmpereIsRefusedPerTheCatalog) {
  const std::vector<std::string> shape = {"--batch", "1", "--heads", "32", "--head-dim", "128", "--seq-len", "4096",
                                          "--kernel", "fa3", "--format", "json"};
  auto a100 = std::vector<std::string>{"op", "attention", "--chip", "a100-sxm4-80gb"};
  a100.insert(a100.end(), shape.begin(), shape.end());
  expect_refused(a100, {"--kernel", "fa3", "FlashAttention-2", "attention_kernel_generation"});
  auto h100 = std::vector<std::string>{"op", "attention", "--chip", "h100-sxm5-80gb"};
  h100.insert(h100.end(), shape.begin(), shape.end());
  EXPECT_EQ(run_cli(h100).exit_code, 0);
}

TEST(Messages, HbmSpeedWithoutATimingSetIsRefused) {
  // Was: silently took the nearest set.
  expect_refused({"hbm", "sim", "--generation", "hbm3", "--speed-gbps", "5", "--requests", "100"},
                 {"--speed-gbps", "\"5\"", "6.4"});
  expect_refused({"hbm", "analyze", "--speed-gbps", "inf"}, {"--speed-gbps"});
  EXPECT_EQ(run_cli({"hbm", "analyze", "--generation", "hbm3e", "--speed-gbps", "9.2", "--format", "json"}).exit_code, 0);
}

// --- Infeasible output -------------------------------------------------------------------------

TEST(InfeasibleOutput, LayoutRejectedKeepsKeysWithNullNotZeros) {
  const auto r = run_cli(train({"--gpus", "8", "--tp", "3", "--seq-len", "4096", "--global-batch", "8"}));
  EXPECT_EQ(r.exit_code, 1);
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_FALSE(j["reason"].get<std::string>().empty());
  for (const char* k : {"step_time_s", "tokens_per_s", "mfu", "hfu", "memory_per_gpu_bytes"}) {
    ASSERT_TRUE(j.contains(k)) << k;
    EXPECT_TRUE(j[k].is_null()) << k << " = " << j[k];
  }
  EXPECT_TRUE(j["memory_breakdown"]["weights_bytes"].is_null());
  EXPECT_TRUE(j["parallelism"]["dp"].is_null() || j["parallelism"]["dp"].get<int>() > 0);
  const auto table = run_cli(train({"--gpus", "8", "--tp", "3", "--seq-len", "4096", "--global-batch", "8", "--format",
                                    "table"}));
  EXPECT_EQ(table.out.find("0 ns"), std::string::npos) << table.out;
}

TEST(InfeasibleOutput, OutOfMemoryKeepsTheBreakdownThatDidNotFit) {
  const auto r = run_cli({"train", "--model", "llama3-70b", "--system", "dgx-h100", "--gpus", "8", "--seq-len", "4096",
                          "--global-batch", "8", "--format", "json"});
  EXPECT_EQ(r.exit_code, 1);
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_NE(j["reason"].get<std::string>().find("GiB"), std::string::npos) << j["reason"];
  EXPECT_GT(j["memory_per_gpu_bytes"].get<double>(), j["memory_capacity_bytes"].get<double>());
  EXPECT_GT(j["memory_breakdown"]["weights_bytes"].get<double>(), 0);
  const auto table = run_cli({"train", "--model", "llama3-70b", "--system", "dgx-h100", "--gpus", "8", "--seq-len",
                              "4096", "--global-batch", "8", "--format", "table"});
  EXPECT_NE(table.out.find("memory_breakdown.weights_bytes"), std::string::npos);
  EXPECT_NE(table.out.find("reason"), std::string::npos);
}

// --- Reports: one row per case -----------------------------------------------------------------

TEST(ValidateReport, TableWithoutSuitePrintsEachSuitesCasesOnceAndTheSummaryOnce) {
  XPUSIM_SKIP_UNDER_ASAN("every suite takes minutes");
  const auto r = run_cli({"validate", "--format", "table"});
  // 1 when a suite misses its tolerance (the inference suite does today): the report is what is tested.
  ASSERT_LE(r.exit_code, 1) << r.err;
  ASSERT_FALSE(r.out.empty());
  const auto count = [&](const std::string& what) {
    std::size_t n = 0;
    for (auto at = r.out.find(what); at != std::string::npos; at = r.out.find(what, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("\nsummary\n"), 1u) << r.out.substr(0, 2000);
  const auto json = nlohmann::json::parse(run_cli({"validate", "--format", "json"}).out);
  std::map<std::string, std::size_t> rows;  // a case id may be shared by two suites
  for (const auto& s : json["suites"])
    for (const auto& c : s["cases"]) ++rows[c["case"].get<std::string>()];
  for (const auto& s : json["suites"]) {
    EXPECT_EQ(count("suite             " + s["suite"].get<std::string>() + "\n"), 1u) << s["suite"];
    // Every case row appears once per suite that has it.
    for (const auto& c : s["cases"])
      EXPECT_EQ(count("\n" + c["case"].get<std::string>() + " "), rows[c["case"].get<std::string>()]) << c["case"];
  }
}

TEST(ValidateReport, CsvHasOneRowPerCase) {
  XPUSIM_SKIP_UNDER_ASAN("every suite takes minutes");
  const auto r = run_cli({"validate", "--format", "csv"});
  // 1 when a suite misses its tolerance (the inference suite does today): the report is what is tested.
  ASSERT_LE(r.exit_code, 1) << r.err;
  ASSERT_FALSE(r.out.empty());
  const auto json = nlohmann::json::parse(run_cli({"validate", "--format", "json"}).out);
  std::size_t cases = 0;
  for (const auto& s : json["suites"]) cases += s["cases"].size();
  std::istringstream lines(r.out);
  std::string line, header;
  std::getline(lines, header);
  EXPECT_EQ(header, "suite,passed,case,description,unit,published,predicted,signed_error,role");
  std::size_t rows = 0;
  while (std::getline(lines, line)) ++rows;
  EXPECT_EQ(rows, cases);
  EXPECT_EQ(r.out.find("[{"), std::string::npos);  // no JSON packed into a cell
  const auto one = run_cli({"validate", "--suite", "megatron2021", "--format", "csv"});
  EXPECT_NE(one.out.find("\nmegatron2021,"), std::string::npos);
}

// --- Bounded memory on a stream ----------------------------------------------------------------

TEST(BoundedMemory, MultiGigabyteTraceOnStdinStreamsUnderUlimit) {
#if defined(XPUSIM_TEST_UNDER_ASAN)
  GTEST_SKIP() << "ASan reserves terabytes of address space; ulimit -v cannot hold it";
#else
  // 2.2 GB through a pipe (never on disk): 6e6 requests, each line padded by a comment to 366
  // bytes. Holding the requests (16 B each, as the reader did before it streamed) needs > 96 MB;
  // the limit is 64 MB of address space (the program itself needs under 32 MB).
  const std::string pad(350, 'x');
  const std::string producer = "yes 'LD 0x40 # " + pad + "' | head -n 6000000";
  const auto r = test::run_cli_shell(producer, "ulimit -v 65536;", {"hbm", "sim", "--trace", "/dev/stdin", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["simulated_requests"], 6000000);
#endif
}

}  // namespace
}  // namespace xpusim
