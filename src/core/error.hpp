#pragma once

#include <stdexcept>
#include <string>

namespace xpusim::core {

// Where a value came from: a file and line, or a command-line flag (file empty, line 0).
struct SourceLocation {
  std::string file;
  int line = 0;  // 1-based; 0 when unknown
  int column = 0;

  std::string to_string() const;  // "file:line" or "file" or ""
};

// The one exception type of the library: a bad input named precisely.
// Contract: what() is a complete, user-facing message of the form
//   "<file>:<line>: <field>: expected <expected>, got \"<value>\""
// (parts that are unknown are left out). The CLI prints it and exits 2.
class Error : public std::runtime_error {
 public:
  explicit Error(std::string message);
  Error(SourceLocation where, std::string field, std::string value, std::string expected);

  // A bad value given on the command line: "--flag: expected X, got "v"".
  static Error flag(std::string flag, std::string value, std::string expected);

  const SourceLocation& where() const { return where_; }
  const std::string& field() const { return field_; }
  const std::string& value() const { return value_; }
  const std::string& expected() const { return expected_; }

 private:
  SourceLocation where_;
  std::string field_;
  std::string value_;
  std::string expected_;
};

// A programming error, never bad input: a broken invariant, a missing schema entry, a figure past a
// physical limit. Kept apart from Error so the CLI reports it as a bug (exit 3, "internal error ...
// please report") instead of blaming the user's input (exit 2).
class InternalError : public std::logic_error {
 public:
  explicit InternalError(const std::string& message);
};

// Throws InternalError("<what> (<file>:<line>)") when `ok` is false.
inline void check_invariant(bool ok, const char* what, const char* file = __builtin_FILE(),
                            int line = __builtin_LINE()) {
  if (!ok) throw InternalError(std::string(what) + " (" + file + ":" + std::to_string(line) + ")");
}

}  // namespace xpusim::core
