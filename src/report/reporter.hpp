#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "report/record.hpp"

namespace xpusim::report {

enum class Format { kTable, kJson, kJsonl, kCsv };

std::optional<Format> parse_format(std::string_view name);  // "table" | "json" | "jsonl" | "csv"

// Contract: every reporter renders the same record; none drops a scalar field.
// - JSON: the record verbatim, indented, with a trailing newline.
// - JSON Lines: the record verbatim, compact, on one line with a trailing newline.
// - table: human-readable; numbers are shown with a unit prefix chosen from the key's unit suffix
//   (`_bytes_per_s` -> "3.35 TB/s"); lists of objects become column tables.
// - CSV: lists of objects become one row each (columns: the union of their flattened keys);
//   anything else is one row; nested lists in a cell are written as JSON text.
std::string render(const Record& record, Format format);
std::string render_json(const Record& record);
std::string render_jsonl(const Record& record);
std::string render_table(const Record& record);
std::string render_csv(const Record& record);

// Formats one value for a table cell using the unit suffix of its key.
std::string format_cell(std::string_view key, const Record& value);

// The pieces render_csv is built from, shared with the streaming CSV sink so that a streamed row
// and a rendered one flatten and escape alike. A FlatRow points into the record it came from.
using FlatRow = std::vector<std::pair<std::string, const Record*>>;
// Nested objects become dotted keys ("memory.capacity_bytes"); lists stay one cell. A record that
// is not an object is one cell named "value".
FlatRow flatten(const Record& record);
// One CSV cell: strings unquoted, null empty, doubles in shortest round-trip form, lists as JSON
// text; quoted when it holds a comma, quote or newline.
std::string csv_cell(const Record& value);
std::string csv_escape(const std::string& text);

}  // namespace xpusim::report
