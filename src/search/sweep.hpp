#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "scenario/run_spec.hpp"
#include "search/search.hpp"

namespace xpusim::search {

// One swept field: a run-spec field by name ("gpus", "system", "seq_len") or "set" for a hardware
// override, with its values as that field takes them ("1024"; for "set": "memory.stacks=6").
struct SweepAxis {
  std::string field;
  std::string label;                          // "gpus"; for "set" the override path, "memory.stacks"
  std::vector<scenario::FieldValue> values;   // each with the error to raise when it is bad
  std::vector<std::string> shown;             // the value as a row and the plot show it ("6")
};

// One grid point: the swept labels with their shown values, and the scenario to search.
struct SweepPoint {
  std::vector<std::pair<std::string, std::string>> values;
  scenario::Scenario scenario;
};

// The grid of `axes` over `base`, the first axis slowest. Contract: every value is applied (and
// so checked) before this returns: a bad value throws its FieldValue error; an unknown field
// throws core::Error.
std::vector<SweepPoint> sweep_points(const scenario::Scenario& base, const std::vector<SweepAxis>& axes);

struct SweepRow {
  const SweepPoint* point = nullptr;
  SearchResult result;
};

// Searches every point in order with `options` (their `progress` is not used: `points_done` is
// called after each point), handing each row to `on_row` as it finishes. Stops after the point
// that was running when options.stop is set. Throws what search_layouts throws.
void run_sweep(const scenario::Session& session, const std::vector<SweepPoint>& points,
               const SearchOptions& options, const std::function<void(const SweepRow&)>& on_row,
               const core::ProgressFn& points_done = {});

}  // namespace xpusim::search
