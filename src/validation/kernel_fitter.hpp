#pragma once

#include <string>
#include <vector>

#include "cost/op_cost.hpp"
#include "hardware/chip.hpp"
#include "memory/analytical.hpp"
#include "validation/kernel_rows.hpp"

namespace xpusim::validation {

// The fitter behind `xpusim op calibrate`: it minimises the squared log error of the chip's `fit`
// rows by coordinate descent over the named parameters (see cost::cost_param()) within physical
// bounds. It lives beside the kernels suite, not inside it: the suite checks the parameters the
// fitter wrote into the catalog and never fits anything itself.
// Contract: only rows with use = fit and this chip's name are seen; a name cost_param() does not
// know is a core::Error.
cost::CostParams fit_cost_params(const std::vector<KernelRow>& rows, const hardware::Chip& chip,
                                 cost::CostParams start, const std::vector<std::string>& names,
                                 const memory::AnalyticalModel* hbm);

// Which parameters a chip's rows can identify: families and dtypes present among its fit rows.
std::vector<std::string> identifiable_params(const std::vector<KernelRow>& rows, const std::string& chip);

}  // namespace xpusim::validation
