#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "report/record.hpp"

namespace xpusim::report {

enum class Format { kTable, kJson, kCsv };

std::optional<Format> parse_format(std::string_view name);  // "table" | "json" | "csv"

// Contract: every reporter renders the same record; none drops a scalar field.
// - JSON: the record verbatim, indented, with a trailing newline.
// - table: human-readable; numbers are shown with a unit prefix chosen from the key's unit suffix
//   (`_bytes_per_s` -> "3.35 TB/s"); lists of objects become column tables.
// - CSV: lists of objects become one row each (columns: the union of their flattened keys);
//   anything else is one row; nested lists in a cell are written as JSON text.
std::string render(const Record& record, Format format);
std::string render_json(const Record& record);
std::string render_table(const Record& record);
std::string render_csv(const Record& record);

// Formats one value for a table cell using the unit suffix of its key.
std::string format_cell(std::string_view key, const Record& value);

}  // namespace xpusim::report
