#include "report/validation_record.hpp"

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
  return Record{{"suite", suite.name},
                {"description", suite.description},
                {"tolerance", suite.tolerance},
                {"passed", suite.passed},
                {"failure", suite.failure},
                {"held_out_cases", held_out},
                {"median_abs_error", suite.median_abs_error()},
                {"mean_abs_error", suite.mean_abs_error()},
                {"max_abs_error", suite.max_abs_error()},
                {"cases", cases}};
}

}  // namespace xpusim::report
