#pragma once

#include <string>

#include "planning/fleet_run.hpp"
#include "planning/fleet_value.hpp"
#include "report/record.hpp"

namespace xpusim::report {

// `xpusim fleet run` record: the job and its layout, failure rates, checkpoint, the analytical
// expectation, the Monte Carlo distribution beside it, and the GPU-count sweep when asked for.
Record fleet_run_record(const planning::FleetRunResult& result);

// `xpusim fleet value` record: {"inventory", "reference_system", "systems": [{"system", "gpus",
// "h100_equivalents": {"peak_bf16", "training", "serving"}, "hbm": {...}, "power_w", "capex_usd",
// "opex_usd_per_year", ...}], "total": {...}, "reference_workloads", "assumptions"}. A measure
// without a value is null and its reason is given beside it.
Record fleet_value_record(const planning::FleetValue& value);
// A shorter view for the table format: one row per system and the total.
Record fleet_value_table(const planning::FleetValue& value);

}  // namespace xpusim::report
