#include "report/validation_record.hpp"

#include <algorithm>
#include <cmath>

namespace xpusim::report {

Record validation_record(const core::ValidationSuite& suite) {
  Record cases = Record::array();
  std::size_t held_out = 0;
  for (const auto& c : suite.cases) {
    held_out += c.calibration ? 0 : 1;
    cases.push_back(Record{{"case", c.id},
                           {"description", c.description},
                           {"stack", c.stack},
                           {"unit", c.unit},
                           {"published", c.published},
                           {"predicted", c.predicted},
                           {"signed_error", c.signed_error()},
                           {"role", c.calibration ? "calibration" : "held-out"}});
  }
  Record out{{"suite", suite.name},
                {"description", suite.description},
                {"tolerance", suite.tolerance},
                {"passed", suite.passed},
                {"failure", suite.failure},
                {"held_out_cases", held_out},
                {"median_abs_error", suite.median_abs_error()},
                {"mean_abs_error", suite.mean_abs_error()},
                {"max_abs_error", suite.max_abs_error()},
                {"cases", cases}};
  if (!suite.groups.empty()) {
    // Held-out statistics of each group, as the suite's own are computed.
    Record groups = Record::array();
    for (const auto& g : suite.groups) {
      core::ValidationSuite sub;
      std::vector<double> signed_errors;
      std::size_t within = 0;
      for (std::size_t i : g.cases) {
        const auto& c = suite.cases.at(i);
        sub.cases.push_back(c);
        if (c.calibration) continue;
        signed_errors.push_back(c.signed_error());
        within += std::abs(c.signed_error()) <= 0.25 ? 1 : 0;
      }
      std::sort(signed_errors.begin(), signed_errors.end());
      const std::size_t n = signed_errors.size();
      const double median_signed =
          n == 0 ? 0.0 : (n % 2 ? signed_errors[n / 2] : 0.5 * (signed_errors[n / 2 - 1] + signed_errors[n / 2]));
      groups.push_back(Record{{"group", g.name},
                              {"cases", g.cases.size()},
                              {"held_out_cases", n},
                              {"median_abs_error", sub.median_abs_error()},
                              {"median_signed_error", median_signed},
                              {"max_abs_error", sub.max_abs_error()},
                              {"held_out_within_25_percent", n ? static_cast<double>(within) / static_cast<double>(n) : 0.0}});
    }
    out["groups"] = groups;
  }
  return out;
}

}  // namespace xpusim::report
