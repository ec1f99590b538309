#include "convert.hpp"

#include <fmt/format.h>

#include "core/error.hpp"

namespace py = pybind11;

namespace xpusim::python {

py::object to_python(const report::Record& r) {
  switch (r.type()) {
    case report::Record::value_t::object: {
      py::dict d;
      for (const auto& [key, value] : r.items()) d[py::str(key)] = to_python(value);
      return d;
    }
    case report::Record::value_t::array: {
      py::list l;
      for (const auto& value : r) l.append(to_python(value));
      return l;
    }
    case report::Record::value_t::string: return py::str(r.get_ref<const std::string&>());
    case report::Record::value_t::boolean: return py::bool_(r.get<bool>());
    case report::Record::value_t::number_integer: return py::int_(r.get<long long>());
    case report::Record::value_t::number_unsigned: return py::int_(r.get<unsigned long long>());
    case report::Record::value_t::number_float: return py::float_(r.get<double>());
    default: return py::none();
  }
}

std::string to_field_text(const std::string& name, const py::handle& value) {
  // bool first: Python's bool is an int subclass.
  if (py::isinstance<py::bool_>(value)) return value.cast<bool>() ? "true" : "false";
  if (py::isinstance<py::int_>(value)) return py::str(value).cast<std::string>();
  if (py::isinstance<py::float_>(value)) {
    // A float that is a whole number is a count written as 8.0 or 1e4; keep it exact.
    const double v = value.cast<double>();
    if (v == static_cast<double>(static_cast<long long>(v)) && std::abs(v) < 9e18)
      return std::to_string(static_cast<long long>(v));
    return fmt::format("{}", v);
  }
  if (py::isinstance<py::str>(value)) return value.cast<std::string>();
  throw core::Error(core::SourceLocation{}, name, py::str(value.get_type().attr("__name__")).cast<std::string>(),
                    "a str, int, float or bool");
}

}  // namespace xpusim::python
