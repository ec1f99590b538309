#pragma once

#include <array>
#include <optional>
#include <string>

#include "core/config.hpp"
#include "core/dtype.hpp"
#include "hardware/memory_system.hpp"
#include "hardware/sourced.hpp"

namespace xpusim::hardware {

// One accelerator: dense peak compute per dtype, compute units, clock, on-chip memory, HBM, power,
// and the calibrated efficiency parameters the cost layer derates peaks with.
// Contract: immutable once parsed; peak_flops_per_s(d) is 0 where the chip has no such path.
class Chip {
 public:
  static Chip parse(const core::ConfigNode& root, const CalibrationSchema& schema);

  const std::string& name() const { return name_; }
  const std::string& display_name() const { return display_name_; }
  const std::string& vendor() const { return vendor_; }
  double peak_flops_per_s(core::Dtype d) const { return peak_[static_cast<std::size_t>(d)]; }
  bool supports(core::Dtype d) const { return peak_flops_per_s(d) > 0.0; }
  int compute_units() const { return compute_units_; }
  const std::string& compute_unit_name() const { return compute_unit_name_; }  // "SM", "CU", ...
  double clock_hz() const { return clock_hz_; }
  double l2_cache_bytes() const { return l2_cache_bytes_; }
  double shared_memory_per_unit_bytes() const { return shared_memory_per_unit_bytes_; }
  double tdp_w() const { return tdp_w_; }
  const MemorySystem& memory() const { return memory_; }
  const std::string& scale_up_link() const { return scale_up_link_; }
  double scale_up_bandwidth_bytes_per_s() const { return scale_up_bandwidth_; }  // both directions
  const Calibration& calibration() const { return calibration_; }
  const SourceMap& sources() const { return sources_; }
  const std::string& file() const { return file_; }

 private:
  std::string name_, display_name_, vendor_, compute_unit_name_, scale_up_link_, file_;
  std::array<double, core::kAllDtypes.size()> peak_{};
  int compute_units_ = 0;
  double clock_hz_ = 0, l2_cache_bytes_ = 0, shared_memory_per_unit_bytes_ = 0, tdp_w_ = 0;
  double scale_up_bandwidth_ = 0;
  MemorySystem memory_;
  Calibration calibration_;
  SourceMap sources_;
};

}  // namespace xpusim::hardware
