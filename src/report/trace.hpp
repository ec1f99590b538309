#pragma once

#include <string>

#include "report/record.hpp"
#include "training/step_model.hpp"

namespace xpusim::report {

// Chrome/Perfetto trace-event JSON of one training step: one track per pipeline stage for
// compute and one for its exposed communication, then the data-parallel reduction and the
// optimizer. Opens in ui.perfetto.dev and chrome://tracing.
// Contract: times in microseconds from the step start; only for feasible results (an infeasible
// one gives an empty trace with its reason in metadata).
Record training_trace(const training::StepModel& model, const training::StepResult& result);

}  // namespace xpusim::report
