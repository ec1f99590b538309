#pragma once

#include <pybind11/pybind11.h>

#include <string>

#include "report/record.hpp"

namespace xpusim::python {

// A result record as plain Python objects (dict, list, float, int, bool, str, None), with the
// same keys as the CLI's JSON output.
pybind11::object to_python(const report::Record& record);

// A keyword argument's value as the text a flag or run-file key would carry: bools as
// true/false, numbers in decimal, strings as they are. Throws core::Error naming `name` for
// any other type.
std::string to_field_text(const std::string& name, const pybind11::handle& value);

}  // namespace xpusim::python
