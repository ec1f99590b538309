#pragma once

#include <string>
#include <vector>

#include "scenario/scenario.hpp"
#include "scenario/session.hpp"
#include "training/step_model.hpp"

namespace xpusim::scenario {

// What one training scenario resolves to and predicts: the names it ran under, what its
// hardware was derived from, which calibration parameters ran on code defaults, and the step.
struct TrainingOutcome {
  std::string scenario;  // the run file's name for it, may be empty
  std::string model, system;
  std::string hardware;  // "dgx-h100 with memory.stacks=6"; equals `system` without overrides
  std::vector<std::string> derived;       // what the overrides re-derived ("memory.capacity: 96 GB (...)")
  std::vector<std::string> uncalibrated;  // "chip.gemm_mainloop_efficiency", "system.training_memory_reserve"
  training::StepResult step;
  std::vector<int> stage_layers;  // decoder layers per pipeline stage (StepModel::stage_layers)
};

// The layout a scenario runs: its layout with the named stack applied (and its gradient-reduction
// override), through the session's stack cache. A scenario without a stack name keeps its layout.
training::Layout effective_layout(const Session& session, const Scenario& scenario);

// Calibration parameters of a system (and its chip) that came from code defaults, as
// "chip.<name>" and "system.<name>", in name order.
std::vector<std::string> uncalibrated_parameters(const hardware::System& system);
// "memory.timing_set.<name> (scaled estimate)" when the chip's HBM timing set (the closest of
// its generation) is an HBM2E / HBM3E estimate rather than a published preset; else empty.
std::string hbm_timing_estimate(const Session& session, const hardware::Chip& chip);
std::vector<std::string> uncalibrated_parameters(const hardware::Chip& chip);

// The model and system a scenario names, resolved through the session's caches.
std::shared_ptr<const model::Architecture> resolve_architecture(const Session& session, const Scenario& scenario);
std::shared_ptr<const hardware::System> resolve_system(const Session& session, const Scenario& scenario);

// Predicts one training scenario.
// Contract: const and thread-safe (many threads may evaluate against one session; results are
// identical to a serial loop); throws core::Error for bad input (unknown model or system, bad
// override); a layout that does not divide or fit is a result with step.feasible == false.
TrainingOutcome evaluate(const Session& session, const Scenario& scenario);

// The cheap pre-check a search runs before timing: structure and memory per GPU, no operator
// costs. Contract: fits == evaluate(...).step.feasible, and the memory breakdown is the same.
training::MemoryFit check_memory(const Session& session, const Scenario& scenario);

}  // namespace xpusim::scenario
