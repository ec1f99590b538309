#include "report/reporter.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <vector>

#include "core/units.hpp"

namespace xpusim::report {
namespace {

using Row = FlatRow;

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool is_table_list(const Record& v) {
  return v.is_array() && !v.empty() &&
         std::all_of(v.begin(), v.end(), [](const Record& e) { return e.is_object(); });
}

// Flattens nested objects into dotted keys; lists are kept as single cells.
void flatten_into(const Record& obj, const std::string& prefix, Row& out) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    const std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
    if (it->is_object()) {
      flatten_into(*it, key, out);
    } else {
      out.emplace_back(key, &*it);
    }
  }
}

std::optional<core::Dimension> dimension_of(std::string_view key) {
  // The unit suffix may sit on the leaf ("tdp_w") or on the parent ("peak_flops_per_s.bf16").
  std::string_view leaf = key, parent;
  if (auto dot = key.rfind('.'); dot != std::string_view::npos) {
    leaf = key.substr(dot + 1);
    parent = key.substr(0, dot);
  }
  for (std::string_view k : {leaf, parent}) {
    if (ends_with(k, "bytes_per_s")) return core::Dimension::kBytesPerSecond;
    if (ends_with(k, "bits_per_s")) return core::Dimension::kBitsPerSecond;
    if (ends_with(k, "flops_per_s")) return core::Dimension::kFlopsPerSecond;
    if (ends_with(k, "_bytes") || k == "bytes") return core::Dimension::kBytes;
    if (ends_with(k, "_hz")) return core::Dimension::kHertz;
    if (ends_with(k, "_w")) return core::Dimension::kWatts;
    if (ends_with(k, "_usd")) return core::Dimension::kUsd;
    if (ends_with(k, "_s") && !ends_with(k, "_per_s") && k != "flops") return core::Dimension::kSeconds;
    if (k == leaf && ends_with(k, "flops")) return std::nullopt;
  }
  return std::nullopt;
}

std::string plain_value(const Record& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  // Shortest text that reads back to the same double: no digits lost, no "3.35e+12" for round numbers.
  if (v.is_number_float()) return fmt::format("{}", v.get<double>());
  return v.dump();
}

std::vector<std::string> union_columns(const std::vector<Row>& rows) {
  std::vector<std::string> cols;
  for (const auto& r : rows)
    for (const auto& [k, v] : r)
      if (std::find(cols.begin(), cols.end(), k) == cols.end()) cols.push_back(k);
  return cols;
}

std::string column_table(const std::vector<Row>& rows) {
  const auto cols = union_columns(rows);
  std::vector<std::vector<std::string>> cells;
  std::vector<std::size_t> width;
  for (const auto& c : cols) width.push_back(c.size());
  for (const auto& r : rows) {
    std::vector<std::string> line;
    for (std::size_t i = 0; i < cols.size(); ++i) {
      auto it = std::find_if(r.begin(), r.end(), [&](const auto& kv) { return kv.first == cols[i]; });
      line.push_back(it == r.end() ? "" : format_cell(cols[i], *it->second));
      width[i] = std::max(width[i], line.back().size());
    }
    cells.push_back(std::move(line));
  }
  std::string out;
  auto emit = [&](const std::vector<std::string>& line) {
    // The last column is not padded: no trailing blanks at the ends of lines.
    for (std::size_t i = 0; i + 1 < line.size(); ++i) out += fmt::format("{:<{}}  ", line[i], width[i]);
    if (!line.empty()) out += line.back();
    while (!out.empty() && out.back() == ' ') out.pop_back();  // empty last cells leave no blanks
    out += "\n";
  };
  emit(cols);
  std::vector<std::string> rule;
  for (auto w : width) rule.push_back(std::string(w, '-'));
  emit(rule);
  for (const auto& line : cells) emit(line);
  return out;
}

std::vector<Row> rows_of(const Record& list) {
  std::vector<Row> rows;
  for (const auto& e : list) {
    Row r;
    flatten_into(e, "", r);
    rows.push_back(std::move(r));
  }
  return rows;
}

}  // namespace

std::optional<Format> parse_format(std::string_view name) {
  if (name == "table") return Format::kTable;
  if (name == "json") return Format::kJson;
  if (name == "jsonl") return Format::kJsonl;
  if (name == "csv") return Format::kCsv;
  return std::nullopt;
}

FlatRow flatten(const Record& record) {
  FlatRow out;
  if (record.is_object()) {
    flatten_into(record, "", out);
  } else {
    out.emplace_back("value", &record);
  }
  return out;
}

std::string csv_escape(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += (c == '"') ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string csv_cell(const Record& value) { return csv_escape(plain_value(value)); }

std::string format_cell(std::string_view key, const Record& value) {
  if (value.is_null()) return "-";  // not applicable or unknown
  if (value.is_number() && !value.is_boolean()) {
    const double v = value.get<double>();
    if (auto d = dimension_of(key)) return core::format_quantity(v, *d);
    if (value.is_number_integer()) return value.dump();
    return fmt::format("{:.4g}", v);
  }
  if (value.is_array()) {
    std::string out;
    for (const auto& e : value) out += (out.empty() ? "" : ", ") + plain_value(e);
    return out;
  }
  return plain_value(value);
}

std::string render_json(const Record& record) { return record.dump(2) + "\n"; }

std::string render_jsonl(const Record& record) { return record.dump() + "\n"; }

std::string render_table(const Record& record) {
  if (!record.is_object()) return plain_value(record) + "\n";
  std::string out;
  Row scalars;
  std::vector<std::pair<std::string, const Record*>> lists;
  Row flat;
  flatten_into(record, "", flat);
  for (const auto& [k, v] : flat) {
    if (is_table_list(*v)) {
      lists.emplace_back(k, v);
    } else {
      scalars.emplace_back(k, v);
    }
  }
  std::size_t key_width = 0;
  for (const auto& [k, v] : scalars) key_width = std::max(key_width, k.size());
  for (const auto& [k, v] : scalars) out += fmt::format("{:<{}}  {}\n", k, key_width, format_cell(k, *v));
  for (const auto& [k, v] : lists) {
    if (!out.empty()) out += "\n";
    out += k + "\n" + column_table(rows_of(*v));
  }
  return out;
}

std::string render_csv(const Record& record) {
  std::vector<Row> rows;
  if (is_table_list(record)) {
    rows = rows_of(record);
  } else if (record.is_array()) {
    rows.push_back(Row{{"value", &record}});  // a list of scalars: one cell of JSON text
  } else if (record.is_object() && !record.empty() &&
             std::all_of(record.begin(), record.end(), [](const Record& v) { return is_table_list(v); })) {
    for (const auto& list : record) {
      auto more = rows_of(list);
      rows.insert(rows.end(), more.begin(), more.end());
    }
  } else {
    rows.push_back(flatten(record));
  }
  const auto cols = union_columns(rows);
  std::string out;
  for (std::size_t i = 0; i < cols.size(); ++i) out += (i ? "," : "") + csv_escape(cols[i]);
  out += "\n";
  for (const auto& r : rows) {
    for (std::size_t i = 0; i < cols.size(); ++i) {
      auto it = std::find_if(r.begin(), r.end(), [&](const auto& kv) { return kv.first == cols[i]; });
      out += (i ? "," : "") + (it == r.end() ? std::string() : csv_cell(*it->second));
    }
    out += "\n";
  }
  return out;
}

std::string render(const Record& record, Format format) {
  switch (format) {
    case Format::kJson: return render_json(record);
    case Format::kJsonl: return render_jsonl(record);
    case Format::kCsv: return render_csv(record);
    case Format::kTable: return render_table(record);
  }
  return render_json(record);
}

}  // namespace xpusim::report
