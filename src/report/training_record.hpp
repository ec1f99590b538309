#pragma once

#include "report/record.hpp"
#include "training/step_model.hpp"

namespace xpusim::report {

// `xpusim train` record: feasibility, step time, throughput, MFU/HFU, memory and time breakdowns
// and the resolved parallel layout (DESIGN.md "Interfaces"; keys carry their units).
Record training_record(const training::StepResult& result, const std::string& model, const std::string& system);

}  // namespace xpusim::report
