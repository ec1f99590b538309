#pragma once

#include <vector>

#include "training/step_model.hpp"

namespace xpusim::fleet {

// The layouts the built-in enumeration tries for a job: tp in {1,2,4,8} within the scale-up
// domain, pp in {1,2,4,8,16} dividing the layers (or
// layers + 2, the edge stages holding one fewer), micro-batch {1,2,4}, recompute none/selective/
// full, and for MoE models ep in {1, 8} (and the expert count when smaller), ZeRO-1, dp derived.
// Contract: every candidate has gpus, seq_len and global_batch as given; which of them divide and
// fit is for the StepModel to say.
std::vector<training::Layout> training_candidates(const model::Architecture& arch, const hardware::System& system,
                                                  long long gpus, long long seq_len, long long global_batch);

// The fastest feasible candidate (feasible == false, with a reason, when none fits). Candidates
// are pre-checked for memory and structure before they are timed.
// Contract: never throws for a layout that does not fit or divide.
training::StepResult fastest_training_layout(const training::StepModel& model, long long gpus, long long seq_len,
                                             long long global_batch);

}  // namespace xpusim::fleet
