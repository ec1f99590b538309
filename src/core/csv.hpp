#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace xpusim::core {

class CsvTable;

// What every row of a table shares: the file name and the header's column lookup.
struct CsvHeader {
  std::string file;
  std::vector<std::string> names;
  std::map<std::string, std::size_t, std::less<>> index;
  std::size_t column(std::string_view name) const;  // throws the header error below
};

// One data row of a CSV file: its fields, where it starts, and typed access by column name.
// Contract: every accessor that rejects a value throws core::Error naming file:line, the column,
// the bad value and what was expected; naming a column the header lacks is the same header error
// that CsvTable::require_columns() gives.
class CsvRow {
 public:
  int line() const { return line_; }  // 1-based line where the row starts
  SourceLocation where() const;       // file:line of the row

  bool has(std::string_view column) const;            // the header names the column
  const std::string& text(std::string_view column) const;  // the raw field
  bool empty(std::string_view column) const { return text(column).empty(); }

  double number(std::string_view column) const;                       // "a number"
  double number_or(std::string_view column, double fallback) const;   // empty field -> fallback
  long long integer(std::string_view column) const;                   // "an integer"
  long long integer_or(std::string_view column, long long fallback) const;
  bool boolean(std::string_view column) const;  // yes/no, true/false, 1/0 (any case)

  const std::vector<std::string>& fields() const { return fields_; }

 private:
  friend class CsvTable;
  CsvRow(std::shared_ptr<const CsvHeader> header, std::vector<std::string> fields, int line)
      : header_(std::move(header)), fields_(std::move(fields)), line_(line) {}
  [[noreturn]] void reject(std::string_view column, const std::string& value, const char* expected) const;

  std::shared_ptr<const CsvHeader> header_;
  std::vector<std::string> fields_;
  int line_;
};

// A parsed RFC 4180 CSV file: quoted fields may hold commas, doubled quotes and line breaks;
// lines end in LF, CRLF or CR. The first record is the header; blank lines are skipped.
// Contract: parse() and load() throw core::Error for an unreadable file, a missing header, a row
// whose field count differs from the header's, or a quote left open at the end of the file.
class CsvTable {
 public:
  // `file` names the text in error messages.
  static CsvTable parse(std::string_view text, std::string file);
  static CsvTable load(const std::filesystem::path& path);

  const std::string& file() const { return header_->file; }
  const std::vector<std::string>& header() const { return header_->names; }
  const std::vector<CsvRow>& rows() const { return rows_; }

  bool has_column(std::string_view column) const;
  // Index of a column; throws "<file>:1: header: expected a column named so, got \"<column>\"".
  std::size_t column(std::string_view column) const;
  // Every named column present, checked in order (the first missing one is reported).
  void require_columns(const std::vector<std::string_view>& columns) const;

 private:
  CsvTable() = default;

  std::shared_ptr<const CsvHeader> header_;
  std::vector<CsvRow> rows_;
};

}  // namespace xpusim::core
