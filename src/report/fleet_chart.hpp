#pragma once

#include <string>

#include "planning/fleet_run.hpp"

namespace xpusim::report {

// An SVG line chart of ideal and expected time to train against GPU count (log scale) from a
// fleet run's sweep, with the fastest expected point marked: where the optimum moves once
// failures count. Infeasible points are left out and listed under the chart.
std::string time_to_train_svg(const planning::FleetRunResult& result);

}  // namespace xpusim::report
