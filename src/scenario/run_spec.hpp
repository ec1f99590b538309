#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "scenario/scenario.hpp"

namespace xpusim::scenario {

// One value given for a run-spec field, and how to report it when it is bad: a flag
// ("--tp: expected ...") or a run file's key ("run.yaml:4: tp: expected ...").
struct FieldValue {
  std::string text;
  std::function<core::Error(std::string expected)> error;
};

enum class FieldType { kText, kCount, kChoice, kBool, kOverrides };

// One field of the training run spec, declared once: the CLI flag, the run file's key and the
// Python keyword argument all come from this table (name = key = keyword argument).
struct RunField {
  std::string name;         // "seq_len"
  std::string flag;         // "--seq-len"; for a negated switch the flag that turns it off ("--no-sp")
  FieldType type;
  std::string unit;         // "tokens", "sequences", "GPUs"; empty when none
  std::string default_text; // shown in help; empty for required fields and derived defaults
  bool required = false;
  bool negated_flag = false;  // kBool whose CLI switch sets it false
  std::vector<std::string> choices;  // kChoice
  std::string description;
  // Parses `value` into the scenario; throws value.error(...) when it is bad.
  std::function<void(const FieldValue& value, Scenario& into)> apply;
};

// The training run spec: model, system, overrides and every layout field of `xpusim train`.
// Contract: applying no field leaves the defaults of training::Layout, which are the defaults
// the table states.
const std::vector<RunField>& training_fields();
const RunField* find_field(std::string_view name);

}  // namespace xpusim::scenario
