#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/validation.hpp"
#include "hardware/catalog.hpp"
#include "memory/timing_set.hpp"

namespace xpusim::validation {

// What every suite may read: the catalog, the HBM timing sets (loaded once by the caller, not by
// each suite) and the data directory holding calibration/ and validation/.
struct SuiteInputs {
  const hardware::Catalog& catalog;
  const memory::TimingCatalog& timings;
  std::filesystem::path data_dir;
};

// A validation suite by name: published numbers vs predictions.
struct SuiteEntry {
  std::string name, description;
  std::function<core::ValidationSuite(const SuiteInputs&)> run;
};

// The built-in suites, in the order `xpusim validate` runs and prints them.
// Contract: registered explicitly here (DESIGN.md: no static-initialiser registration); names are
// unique; adding a suite means adding one entry.
std::vector<SuiteEntry> builtin_suites();

// The entry of that name, or nullptr.
const SuiteEntry* find_suite(const std::vector<SuiteEntry>& suites, std::string_view name);

}  // namespace xpusim::validation
