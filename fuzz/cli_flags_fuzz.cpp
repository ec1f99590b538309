// Command-line flag values: the first line of the input picks a command, each further line is the
// value of that command's next flag (an empty line leaves the flag out). The whole program runs
// as `xpusim` would (main.cpp is compiled in with its main renamed); exit status 3, an internal
// error, is a finding.
#include <algorithm>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz_support.hpp"

int xpusim_main(int argc, char** argv);

namespace {

struct Template {
  std::vector<std::string> fixed;  // command words and fixed flags
  std::vector<std::string> flags;  // flags whose values come from the input
};

const std::vector<Template>& templates() {
  static const std::vector<Template> t = {
      {{"train", "--model", "llama3-8b", "--system", "dgx-h100", "--format", "json"},
       {"--gpus", "--tp", "--pp", "--vpp", "--dp", "--cp", "--ep", "--etp", "--seq-len", "--global-batch",
        "--micro-batch", "--recompute", "--zero", "--dtype", "--order", "--set"}},
      {{"op", "gemm", "--chip", "h100-sxm5-80gb", "--format", "json"}, {"--m", "--n", "--k", "--batch", "--dtype", "--set"}},
      {{"op", "attention", "--chip", "h100-sxm5-80gb", "--format", "json"},
       {"--batch", "--heads", "--kv-heads", "--head-dim", "--seq-len", "--kv-len", "--kernel", "--dtype", "--set"}},
      {{"op", "model", "--model", "llama3-8b", "--chip", "h100-sxm5-80gb", "--format", "json"},
       {"--tokens", "--seq-len", "--tp", "--dtype", "--model", "--chip"}},
      {{"hbm", "analyze", "--format", "json"},
       {"--generation", "--speed-gbps", "--stacks", "--pattern", "--read-ratio", "--request-bytes", "--stride",
        "--issue-rate", "--mapping", "--page-policy", "--refresh"}},
      {{"hbm", "sim", "--format", "json"},
       {"--requests", "--generation", "--speed-gbps", "--stacks", "--pattern", "--read-ratio", "--request-bytes",
        "--stride", "--issue-rate", "--mapping", "--page-policy", "--refresh", "--seed"}},
      {{"hw", "show", "--format", "json"}, {"--set", "--set"}},
      {{"validate"}, {"--suite", "--format"}},
  };
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> lines;
  std::string cur;
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == '\n') {
      lines.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(static_cast<char>(data[i]));
    }
  }
  lines.push_back(cur);
  if (lines.empty() || lines[0].empty()) return 0;
  const auto& all = templates();
  const Template& t = all[static_cast<unsigned char>(lines[0][0]) % all.size()];
  std::vector<std::string> args{"xpusim"};
  args.insert(args.end(), t.fixed.begin(), t.fixed.end());
  bool requests_given = false;
  for (std::size_t i = 0; i < t.flags.size() && i + 1 < lines.size(); ++i) {
    if (lines[i + 1].empty()) continue;
    // Simulated request counts are bounded here so an input runs in well under a second; the
    // flag's own limit is tested in the CLI tests.
    if (t.flags[i] == "--requests") {
      if (lines[i + 1].size() > 4) continue;
      requests_given = true;
    }
    args.push_back(t.flags[i]);
    args.push_back(lines[i + 1]);
  }
  // Every suite, or the HBM suite's simulations, take tens of seconds under the sanitizers and
  // coverage: a cheap suite stands in (the suite name still goes through the parser otherwise).
  if (t.fixed[0] == "validate") {
    auto it = std::find(args.begin(), args.end(), std::string("--suite"));
    if (it == args.end()) {
      args.insert(args.end(), {"--suite", "collectives"});
    } else if (*(it + 1) == "hbm") {
      *(it + 1) = "kernels";
    }
  }
  if (t.fixed[0] == "hbm" && t.fixed[1] == "sim" && !requests_given) args.insert(args.end(), {"--requests", "2000"});
  if (t.fixed[0] == "hw") args.insert(args.begin() + 3, lines.size() > t.flags.size() + 1 ? lines.back() : "h100-sxm5-80gb");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  static std::ostringstream sink;
  auto* out = std::cout.rdbuf(sink.rdbuf());
  auto* err = std::cerr.rdbuf(sink.rdbuf());
  const int rc = xpusim_main(static_cast<int>(args.size()), argv.data());
  std::cout.rdbuf(out);
  std::cerr.rdbuf(err);
  if (rc == 3) {
    std::fprintf(stderr, "%s\n", sink.str().c_str());
    xpusim::fuzz::fail("internal error (exit 3)");
  }
  sink.str({});
  return 0;
}
