#pragma once

#include <CLI/CLI.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "scenario/scenario.hpp"

namespace xpusim::cli {

// The CLI face of the run-spec field table: one option per field (scenario::training_fields()),
// kept as text so that errors name the flag, turned into a Scenario after parsing.
class RunSpecOptions {
 public:
  // Adds every field's flag to `command` (required fields are required).
  void add_to(CLI::App* command);
  // The scenario the given flags describe (fields not given keep their defaults).
  scenario::Scenario scenario() const;
  // The names of the fields given on the command line (a search keeps those fixed).
  std::set<std::string> given() const;

 private:
  std::map<std::string, std::string> text_;
  std::map<std::string, bool> switches_;
  std::vector<std::string> sets_;
  std::map<std::string, CLI::Option*> options_;
};

}  // namespace xpusim::cli
