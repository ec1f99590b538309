#include "core/error.hpp"

#include <fmt/format.h>

namespace xpusim::core {

std::string SourceLocation::to_string() const {
  if (file.empty()) return {};
  if (line <= 0) return file;
  return fmt::format("{}:{}", file, line);
}

namespace {
std::string compose(const SourceLocation& where, const std::string& field, const std::string& value,
                    const std::string& expected) {
  std::string out;
  const std::string loc = where.to_string();
  if (!loc.empty()) out += loc + ": ";
  if (!field.empty()) out += field + ": ";
  out += "expected " + expected + ", got \"" + value + "\"";
  return out;
}
}  // namespace

Error::Error(std::string message) : std::runtime_error(std::move(message)) {}

Error::Error(SourceLocation where, std::string field, std::string value, std::string expected)
    : std::runtime_error(compose(where, field, value, expected)),
      where_(std::move(where)),
      field_(std::move(field)),
      value_(std::move(value)),
      expected_(std::move(expected)) {}

Error Error::flag(std::string flag, std::string value, std::string expected) {
  return Error(SourceLocation{}, std::move(flag), std::move(value), std::move(expected));
}

InternalError::InternalError(const std::string& message) : std::logic_error(message) {}

}  // namespace xpusim::core
