#pragma once

#include "report/record.hpp"
#include "scenario/evaluate.hpp"
#include "training/step_model.hpp"

namespace xpusim::report {

// `xpusim train` record: feasibility, step time, throughput, MFU/HFU, memory and time breakdowns
// and the resolved parallel layout (DESIGN.md "Interfaces"; keys carry their units).
Record training_record(const training::StepResult& result, const std::string& model, const std::string& system);
// The record of one evaluated scenario: the train record, then `uncalibrated` (parameters on
// code defaults), `hardware` ("dgx-h100 with memory.stacks=6"; the system name when nothing is
// overridden) and `derived`; a run file's scenario name comes first as `scenario`.
Record training_outcome_record(const scenario::TrainingOutcome& outcome);

}  // namespace xpusim::report
