#pragma once

#include <string>
#include <vector>

#include "hardware/catalog.hpp"

// Built with AddressSanitizer (GCC defines __SANITIZE_ADDRESS__, Debian's clang 14 only
// __has_feature). Tests that run every validation suite through the binary (minutes under the
// sanitizers; their code paths run suite by suite in other tests) and ulimit tests skip then.
#if defined(__SANITIZE_ADDRESS__)
#define XPUSIM_TEST_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define XPUSIM_TEST_UNDER_ASAN 1
#endif
#endif
#if defined(XPUSIM_TEST_UNDER_ASAN)
#define XPUSIM_SKIP_UNDER_ASAN(why) GTEST_SKIP() << "under AddressSanitizer: " << why
#else
#define XPUSIM_SKIP_UNDER_ASAN(why) (void)0
#endif

namespace xpusim::test {

// Result of running the built `xpusim` binary.
struct CliResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs `xpusim <args>` (each arg shell-quoted) with the source tree's data directory.
CliResult run_cli(const std::vector<std::string>& args);
// The same through the shell: `<producer> | ( <setup> xpusim <args> )`, e.g. a generated stream
// on stdin under `ulimit -v`, or an environment variable (setup "export X=1;").
CliResult run_cli_shell(const std::string& producer, const std::string& setup, const std::vector<std::string>& args);

// The built-in catalog, loaded once with every layer's calibration schema.
const hardware::Catalog& catalog();
// Every layer's calibration parameters (the schema the catalog above was loaded with).
const hardware::CalibrationSchema& full_schema();

// Writes `text` to a fresh file under the test's temporary directory and returns its path.
std::string write_temp_file(const std::string& name, const std::string& text);

// Directory of tests/data (fixtures checked into the repository).
std::string data_path(const std::string& relative);

}  // namespace xpusim::test
