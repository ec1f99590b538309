#pragma once

#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "core/units.hpp"

namespace xpusim::hardware {

// Field path ("memory.bandwidth") -> where the number was published.
using SourceMap = std::map<std::string, std::string>;

// Reads a catalog number written either bare (`stacks: 5`) or with its source
// (`stacks: {value: 5, source: "NVIDIA whitepaper, Table 3"}`) and records the source.
double read_sourced(const core::ConfigNode& node, core::Dimension d, SourceMap& sources);
double read_sourced_positive(const core::ConfigNode& node, core::Dimension d, SourceMap& sources);
// A positive whole number (stacks, chips per node); "six" or 2.5 are errors.
int read_count(const core::ConfigNode& node, SourceMap& sources);
// An error at a catalog number that names the field ("memory.stacks", not "memory.stacks.value") and
// shows the value itself, for checks made after reading (derivations, cross-field rules).
core::Error sourced_value_error(const core::ConfigNode& node, std::string expected);
std::optional<double> read_optional(const core::ConfigNode& parent, std::string_view key, core::Dimension d,
                                    SourceMap& sources);

// A calibration parameter that an upper layer (cost, memory, training) declares: the catalog may
// set it per chip or per system. Parameters are registered explicitly, never by static init.
struct ParamDecl {
  enum class Scope { kChip, kSystem };
  std::string name;  // "gemm_peak_efficiency"
  Scope scope;
  core::Dimension dimension;
  double default_value;
  std::string description;
  // Physical range; a value outside it is bad input, reported at the file:line or flag that gave it.
  double min = -HUGE_VAL;
  double max = HUGE_VAL;
  bool min_exclusive = false;

  bool in_range(double v) const { return (min_exclusive ? v > min : v >= min) && v <= max; }
  std::string range_text() const;  // "a value in (0, 1]"
};
using CalibrationSchema = std::vector<ParamDecl>;

// Calibrated values of one chip or system: only parameters the schema declares are accepted.
// Contract: get(name) returns the catalog's value, or the declared default, or throws if the
// name was never declared (a programming error: core::InternalError).
class Calibration {
 public:
  Calibration() = default;
  // Declared defaults of `scope`, overridden by the keys of `node` (which may be absent).
  static Calibration parse(const core::ConfigNode* node, const CalibrationSchema& schema,
                           ParamDecl::Scope scope, SourceMap& sources);

  double get(std::string_view name) const;
  bool set_in_catalog(std::string_view name) const;  // false when the default is used
  // A copy with `name` set (as if the catalog gave it); throws like get() for an undeclared name.
  Calibration with(std::string_view name, double value) const;
  // Declared parameters left at their code default, in name order.
  std::vector<std::string> defaulted() const;
  const std::map<std::string, double, std::less<>>& values() const { return values_; }

 private:
  std::map<std::string, double, std::less<>> values_;
  std::map<std::string, bool, std::less<>> given_;
};

}  // namespace xpusim::hardware
