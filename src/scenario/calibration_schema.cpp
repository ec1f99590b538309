#include "scenario/calibration_schema.hpp"

#include "cost/collective.hpp"
#include "cost/op_cost.hpp"
#include "training/step_model.hpp"

namespace xpusim::scenario {

hardware::CalibrationSchema full_calibration_schema() {
  hardware::CalibrationSchema schema;
  // Each modelling layer appends its own declarations here, e.g.
  //   append(schema, cost::calibration_schema());
  for (auto& p : cost::calibration_schema()) schema.push_back(std::move(p));
  for (auto& p : cost::collective_calibration_schema()) schema.push_back(std::move(p));
  for (auto& p : training::calibration_schema()) schema.push_back(std::move(p));
  return schema;
}

}  // namespace xpusim::scenario
