#pragma once

#include <memory>
#include <string>
#include <vector>

#include "hardware/overrides.hpp"
#include "hardware/system.hpp"
#include "model/architecture.hpp"
#include "training/layout.hpp"

namespace xpusim::scenario {

// One question to the simulator: hardware, model and run spec (today the training layout), as a
// plain value. It comes from flags, from a run file, or from code; the session resolves names.
// Contract: `architecture` / `system_spec`, when set, are used as given and `model` / `system`
// are then only labels; otherwise those names (catalog names or file paths) are looked up.
struct Scenario {
  std::string name;    // from a run file; empty otherwise
  std::string model;   // shipped model name or HuggingFace config.json path
  std::string system;  // catalog system name or YAML file
  std::vector<hardware::Override> overrides;  // applied to the system (and its chip)
  training::Layout layout;
  std::string stack;             // software stack by name or YAML file; empty: the layout's own
  double grad_reduce_bytes = 0;  // gradient reduction precision override (4 fp32, 2 bf16); 0: the stack's
  double optimizer_state_bytes = 0;  // Adam state precision override (12 fp32, 6 bf16); 0: the stack's
  std::shared_ptr<const model::Architecture> architecture;
  std::shared_ptr<const hardware::System> system_spec;
};

// What a run spec (flags or a run file) starts from before its fields apply: the stack
// megatron-core and an automatic micro-batch (the fastest that fits), unlike a Layout built in
// code, whose micro-batch defaults to 1.
inline Scenario run_spec_defaults() {
  Scenario s;
  s.stack = "megatron-core";
  s.layout.micro_batch = 0;
  return s;
}

}  // namespace xpusim::scenario
