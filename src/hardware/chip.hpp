#pragma once

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/dtype.hpp"
#include "hardware/memory_system.hpp"
#include "hardware/sourced.hpp"

namespace xpusim::hardware {

// What is known of a chip's design, before validation: a catalog file parsed, or a spec built or
// changed in code ("an H200 with 8 stacks"). Copies are cheap: the citations are shared.
struct ChipSpec {
  std::string name, display_name, vendor, compute_unit_name = "core", scale_up_link;
  std::array<double, core::kAllDtypes.size()> peak_flops_per_s{};  // dense; 0 where there is no path
  int compute_units = 0;
  double clock_hz = 0, l2_cache_bytes = 0, shared_memory_per_unit_bytes = 0, tdp_w = 0;
  double scale_up_bandwidth_bytes_per_s = 0;  // both directions
  MemorySystemSpec memory;
  Calibration calibration;
  std::shared_ptr<const SourceMap> sources = std::make_shared<const SourceMap>();
  // Provenance of a derived spec: the overrides applied ("memory.stacks=8"), what was re-derived
  // from them, and the origin of each field for error messages.
  std::vector<std::string> overrides, derived;
  SpecOrigin origin;
};

// One accelerator: dense peak compute per dtype, compute units, clock, on-chip memory, HBM, power,
// and the calibrated efficiency parameters the cost layer derates peaks with.
// Contract: immutable once built; from_spec() validates like a catalog entry (throws core::Error
// naming the field at its origin); peak_flops_per_s(d) is 0 where the chip has no such path.
class Chip {
 public:
  static Chip parse(const core::ConfigNode& root, const CalibrationSchema& schema);
  static Chip from_spec(ChipSpec spec);

  const ChipSpec& spec() const { return spec_; }
  const std::string& name() const { return spec_.name; }
  // "h200-sxm-141gb with memory.stacks=8" for a derived chip, else the name.
  std::string label() const;
  const std::string& display_name() const { return spec_.display_name; }
  const std::string& vendor() const { return spec_.vendor; }
  double peak_flops_per_s(core::Dtype d) const { return spec_.peak_flops_per_s[static_cast<std::size_t>(d)]; }
  bool supports(core::Dtype d) const { return peak_flops_per_s(d) > 0.0; }
  int compute_units() const { return spec_.compute_units; }
  const std::string& compute_unit_name() const { return spec_.compute_unit_name; }  // "SM", "CU", ...
  double clock_hz() const { return spec_.clock_hz; }
  double l2_cache_bytes() const { return spec_.l2_cache_bytes; }
  double shared_memory_per_unit_bytes() const { return spec_.shared_memory_per_unit_bytes; }
  double tdp_w() const { return spec_.tdp_w; }
  const MemorySystem& memory() const { return memory_; }
  const std::string& scale_up_link() const { return spec_.scale_up_link; }
  double scale_up_bandwidth_bytes_per_s() const { return spec_.scale_up_bandwidth_bytes_per_s; }
  const Calibration& calibration() const { return spec_.calibration; }
  const SourceMap& sources() const { return *spec_.sources; }
  const std::string& file() const { return spec_.origin.file; }

 private:
  ChipSpec spec_;
  MemorySystem memory_;
};

}  // namespace xpusim::hardware
