#pragma once

#include "core/dtype.hpp"
#include "hardware/chip.hpp"
#include "hardware/sourced.hpp"
#include "model/operator.hpp"

namespace xpusim::cost {

enum class Bound { kCompute, kMemory, kLatency };

// Predicted cost of one operator on one chip.
struct OpCost {
  double time_s = 0;
  double flops = 0;
  double bytes = 0;  // HBM traffic
  Bound bound = Bound::kCompute;
  double efficiency = 0;  // achieved / peak of the bounding resource
  double achieved_flops_per_s() const { return time_s > 0 ? flops / time_s : 0.0; }
};

// Operator costs on one chip. Built once per chip (reads its calibration), then cheap to query.
// Contract: every efficiency used is a named calibration parameter of the chip (see
// calibration_schema()); queries are pure functions of the shape and never allocate.
class CostModel {
 public:
  explicit CostModel(const hardware::Chip& chip);

  OpCost gemm(const model::GemmShape& shape, core::Dtype dtype) const;
  OpCost grouped_gemm(const model::GemmShape& shape, core::Dtype dtype) const;
  OpCost attention(const model::AttentionShape& shape, core::Dtype dtype, bool backward) const;
  OpCost memory_bound(double bytes_read, double bytes_written) const;
  OpCost op(const model::Op& op, core::Dtype dtype) const;  // dispatches on op.kind

  const hardware::Chip& chip() const { return *chip_; }

 private:
  const hardware::Chip* chip_;
};

const char* bound_name(Bound b);  // "compute" | "memory" | "latency"

// Calibration parameters of the cost layer (chip scope) and of the collectives (system scope).
hardware::CalibrationSchema calibration_schema();

}  // namespace xpusim::cost
