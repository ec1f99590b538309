#pragma once

#include <filesystem>
#include <vector>

#include "core/config.hpp"
#include "scenario/scenario.hpp"

namespace xpusim::scenario {

// Reads a run file (`xpusim run FILE`): a mapping of run-spec fields (one scenario), a list of
// such mappings, or `{defaults: {...}, scenarios: [...]}` where every scenario starts from the
// defaults. Keys are the run-spec field names (training_fields()), plus `name` per scenario;
// `set` is a list of "path=value" strings or a mapping of paths to values.
// Contract: throws core::Error naming file:line and the key for an unknown key (with the
// closest known one), a bad value, or a missing required field; order of scenarios is kept.
std::vector<Scenario> parse_run_file(const core::ConfigNode& root);
std::vector<Scenario> load_run_file(const std::filesystem::path& file);

}  // namespace xpusim::scenario
