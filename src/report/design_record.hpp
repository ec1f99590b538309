#pragma once

#include <string>
#include <vector>

#include "design/chip_sweep.hpp"
#include "report/html_report.hpp"
#include "report/record.hpp"

namespace xpusim::report {

// One design point of `xpusim chip sweep`: params, feasible/reason, throughput per chip, power,
// cost, the limiting resource, then the cost breakdown, the best training layout, and which
// coefficients and calibration parameters have no basis at that point.
Record design_point_record(const design::PointResult& point);

// The sweep's HTML page: the Pareto plot (throughput per chip against cost), one sensitivity
// plot per varied field (throughput per chip against its values, one line per value of the
// others averaged), and the table with the front in bold. From the points' records (one per point,
// design_point_record), so a sweep whose points were computed on other MPI ranks draws the same.
HtmlReport design_sweep_report(const std::vector<Record>& points, const std::vector<bool>& front,
                               const std::vector<design::SweepAxis>& axes, const std::string& base,
                               const std::string& workload, const std::string& footer);

}  // namespace xpusim::report
