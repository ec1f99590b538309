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
  std::shared_ptr<const model::Architecture> architecture;
  std::shared_ptr<const hardware::System> system_spec;
};

}  // namespace xpusim::scenario
