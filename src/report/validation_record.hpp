#pragma once

#include "core/validation.hpp"
#include "report/record.hpp"

namespace xpusim::report {

// `xpusim validate` record: per case the published value, the prediction and the signed error.
Record validation_record(const core::ValidationSuite& suite);

}  // namespace xpusim::report
