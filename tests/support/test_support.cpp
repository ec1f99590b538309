#include "support/test_support.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "scenario/calibration_schema.hpp"

namespace xpusim::test {
namespace {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += (c == '\'') ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::filesystem::path temp_dir() {
  static const std::filesystem::path dir = [] {
    std::string tmpl = (std::filesystem::temp_directory_path() / "xpusim_test_XXXXXX").string();
    char* made = mkdtemp(tmpl.data());
    return std::filesystem::path(made ? made : tmpl);
  }();
  return dir;
}

}  // namespace

CliResult run_cli(const std::vector<std::string>& args) { return run_cli_shell("", "", args); }

CliResult run_cli_shell(const std::string& producer, const std::string& setup, const std::vector<std::string>& args) {
  static int counter = 0;
  const auto err_path = temp_dir() / ("stderr_" + std::to_string(getpid()) + "_" + std::to_string(counter++));
  std::string cmd = shell_quote(XPUSIM_BINARY);
  for (const auto& a : args) cmd += " " + shell_quote(a);
  cmd = "( export XPUSIM_DATA_DIR=" + shell_quote(XPUSIM_SOURCE_DATA_DIR) + "; " + setup + " " + cmd + " )";
  if (!producer.empty()) cmd = producer + " | " + cmd;
  cmd += " 2>" + shell_quote(err_path.string());
  CliResult r;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = read_all(err_path.string());
  std::filesystem::remove(err_path);
  return r;
}

const hardware::Catalog& catalog() {
  static const hardware::Catalog cat =
      hardware::Catalog::load(XPUSIM_SOURCE_DATA_DIR, scenario::full_calibration_schema());
  return cat;
}

const hardware::CalibrationSchema& full_schema() {
  static const hardware::CalibrationSchema schema = scenario::full_calibration_schema();
  return schema;
}

std::string write_temp_file(const std::string& name, const std::string& text) {
  const auto path = temp_dir() / name;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
  return path.string();
}

std::string data_path(const std::string& relative) { return std::string(XPUSIM_TEST_DATA_DIR) + "/" + relative; }

}  // namespace xpusim::test
