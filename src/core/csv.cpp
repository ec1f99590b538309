#include "core/csv.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>

#include "core/suggest.hpp"

namespace xpusim::core {
namespace {

// One record of the text with the line it starts on.
struct Record {
  std::vector<std::string> fields;
  int line = 0;
};

// RFC 4180: quoted fields may hold commas, doubled quotes and line breaks.
std::vector<Record> split_records(std::string_view text, const std::string& file) {
  std::vector<Record> out;
  Record rec;
  std::string field;
  bool quoted = false;
  int line = 1, quote_line = 0;
  rec.line = 1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        // A CRLF inside quotes counts as one line break, as outside.
        if (c == '\n' || (c == '\r' && !(i + 1 < text.size() && text[i + 1] == '\n'))) ++line;
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
      quote_line = line;
    } else if (c == ',') {
      rec.fields.push_back(std::move(field));
      field.clear();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      rec.fields.push_back(std::move(field));
      field.clear();
      out.push_back(std::move(rec));
      rec = Record{};
      rec.line = ++line;
    } else {
      field += c;
    }
  }
  if (quoted) {
    // The value is the start of the field the quote opened, enough to find it in the file.
    throw Error(SourceLocation{file, quote_line, 0}, "field", field.substr(0, 20),
                "a closing quote before the end of the file");
  }
  if (!field.empty() || !rec.fields.empty()) {
    rec.fields.push_back(std::move(field));
    out.push_back(std::move(rec));
  }
  return out;
}

bool blank(const Record& r) { return r.fields.size() == 1 && r.fields[0].empty(); }

}  // namespace

std::size_t CsvHeader::column(std::string_view name) const {
  const auto it = index.find(name);
  if (it == index.end()) throw Error(SourceLocation{file, 1, 0}, "header", std::string(name), "a column named so");
  return it->second;
}

CsvTable CsvTable::parse(std::string_view text, std::string file) {
  auto records = split_records(text, file);
  auto header = std::make_shared<CsvHeader>();
  header->file = std::move(file);
  std::size_t first = 0;
  while (first < records.size() && blank(records[first])) ++first;
  if (first == records.size()) throw Error(SourceLocation{header->file, 1, 0}, "header", "", "a CSV header row");
  header->names = std::move(records[first].fields);
  // The first of two equally named columns wins, as a reader by name would expect.
  for (std::size_t i = 0; i < header->names.size(); ++i) header->index.emplace(header->names[i], i);
  CsvTable table;
  table.header_ = header;
  for (std::size_t i = first + 1; i < records.size(); ++i) {
    auto& r = records[i];
    if (blank(r)) continue;
    if (r.fields.size() != header->names.size())
      throw Error(SourceLocation{header->file, r.line, 0}, "row", std::to_string(r.fields.size()) + " fields",
                  std::to_string(header->names.size()) + " fields");
    table.rows_.push_back(CsvRow(header, std::move(r.fields), r.line));
  }
  return table;
}

CsvTable CsvTable::load(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(SourceLocation{path.string(), 0, 0}, "file", path.string(), "a readable CSV file");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse(ss.str(), path.string());
}

bool CsvTable::has_column(std::string_view column) const { return header_->index.find(column) != header_->index.end(); }

std::size_t CsvTable::column(std::string_view column) const { return header_->column(column); }

void CsvTable::require_columns(const std::vector<std::string_view>& columns) const {
  for (const auto c : columns) (void)header_->column(c);
}

SourceLocation CsvRow::where() const { return SourceLocation{header_->file, line_, 0}; }

bool CsvRow::has(std::string_view column) const { return header_->index.find(column) != header_->index.end(); }

const std::string& CsvRow::text(std::string_view column) const { return fields_[header_->column(column)]; }

void CsvRow::reject(std::string_view column, const std::string& value, const char* expected) const {
  throw Error(where(), std::string(column), value, expected);
}

double CsvRow::number(std::string_view column) const {
  const std::string& t = text(column);
  double v = 0;
  const auto res = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || res.ec != std::errc() || res.ptr != t.data() + t.size()) reject(column, t, "a number");
  return v;
}

double CsvRow::number_or(std::string_view column, double fallback) const {
  return text(column).empty() ? fallback : number(column);
}

long long CsvRow::integer(std::string_view column) const {
  const std::string& t = text(column);
  long long v = 0;
  const auto res = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || res.ec != std::errc() || res.ptr != t.data() + t.size()) reject(column, t, "an integer");
  return v;
}

long long CsvRow::integer_or(std::string_view column, long long fallback) const {
  return text(column).empty() ? fallback : integer(column);
}

bool CsvRow::boolean(std::string_view column) const {
  const std::string& t = text(column);
  const std::string lower = lowercase(t);
  if (lower == "yes" || lower == "true" || lower == "1") return true;
  if (lower == "no" || lower == "false" || lower == "0") return false;
  reject(column, t, "yes or no (true/false, 1/0)");
}

}  // namespace xpusim::core
