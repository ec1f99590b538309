#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/units.hpp"

namespace xpusim::core {

// A node of a parsed YAML or JSON document that remembers its file, line and dotted path, so every
// error can name exactly where the bad value is.
// Contract: reading is strict. Accessors throw core::Error naming file:line, the field path, the
// value found and what was expected; expect_keys() rejects keys a reader does not know.
class ConfigNode {
 public:
  // Parses a YAML or JSON file (JSON is read as YAML flow syntax, which keeps line numbers).
  static ConfigNode load_file(const std::filesystem::path& path);
  static ConfigNode parse(std::string_view text, std::string file_name);

  bool is_map() const;
  bool is_list() const;
  bool is_scalar() const;
  bool is_null() const;

  SourceLocation location() const;
  const std::string& path() const { return path_; }  // "memory.stacks", "layers[3]"
  const std::string& file() const;

  // Map access.
  bool has(std::string_view key) const;
  ConfigNode at(std::string_view key) const;  // throws if missing
  std::optional<ConfigNode> find(std::string_view key) const;
  std::vector<std::string> keys() const;
  // Every key must be in `allowed`; otherwise an error naming the key and the closest allowed one.
  void expect_keys(const std::vector<std::string_view>& allowed) const;

  // List access.
  std::vector<ConfigNode> items() const;

  // Scalar conversions.
  std::string as_string() const;
  double as_double() const;
  std::int64_t as_int() const;
  std::int64_t as_positive_int() const;
  bool as_bool() const;
  double as_quantity(Dimension d) const;  // "80 GiB" -> bytes; bare numbers only for kDimensionless
  double as_positive_quantity(Dimension d) const;

  // Text of this node for error messages (scalars verbatim, collections summarised).
  std::string text() const;
  // An error located at this node: "<file>:<line>: <path>: expected <expected>, got "<text>"".
  Error error(std::string expected) const;

  struct Impl;

 private:
  ConfigNode(std::shared_ptr<const Impl> impl, std::string path);
  std::shared_ptr<const Impl> impl_;
  std::string path_;
};

}  // namespace xpusim::core
