#pragma once

#include "hardware/sourced.hpp"

namespace xpusim::report {

// Every calibration parameter the modelling layers declare (memory, cost, training), for loading
// the catalog. Lives at the top of the library because it gathers all the layers below.
hardware::CalibrationSchema full_calibration_schema();

}  // namespace xpusim::report
