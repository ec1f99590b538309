#pragma once

#include "hardware/sourced.hpp"

namespace xpusim::scenario {

// Every calibration parameter the modelling layers declare (memory, cost, training), for loading
// the catalog. Lives in the session layer because it gathers all the modelling layers below.
hardware::CalibrationSchema full_calibration_schema();

}  // namespace xpusim::scenario
