#pragma once

#include <string>
#include <vector>

#include "hardware/catalog.hpp"

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
