#include "report/calibration_schema.hpp"

namespace xpusim::report {

hardware::CalibrationSchema full_calibration_schema() {
  hardware::CalibrationSchema schema;
  // Each modelling layer appends its own declarations here, e.g.
  //   append(schema, cost::calibration_schema());
  return schema;
}

}  // namespace xpusim::report
