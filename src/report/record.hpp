#pragma once

#include <nlohmann/json.hpp>

namespace xpusim::report {

// The one plain result record every command produces; reporters render it as table, JSON or CSV.
// Keys are snake_case and carry their unit (`step_time_s`, `bandwidth_bytes_per_s`); values are in
// base SI units (DESIGN.md, "Interfaces").
using Record = nlohmann::ordered_json;

}  // namespace xpusim::report
