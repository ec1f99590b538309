#include "report/sink.hpp"

#include <algorithm>
#include <ostream>

namespace xpusim::report {
namespace {

// Prefixes every line after the first with `spaces` blanks, so that a dump(2) of a row nests at
// the depth it would have inside the whole document.
std::string indent_tail(const std::string& text, std::size_t spaces) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    out += c;
    if (c == '\n') out.append(spaces, ' ');
  }
  return out;
}

// The record with "xpusim_version" as its first key; anything but an object is returned as is.
Record with_version(const Record& record, const std::string& version) {
  if (!record.is_object()) return record;
  Record out = Record::object();
  out["xpusim_version"] = version;
  // A record that already names a version keeps its own value, at the first position.
  for (auto it = record.begin(); it != record.end(); ++it) out[it.key()] = *it;
  return out;
}

// Today's commands: one record, rendered as render() does (JSON gains the version).
class SingleRecordSink final : public Sink {
 public:
  SingleRecordSink(Format format, std::ostream& out) : format_(format), out_(out) {}
  void begin(const RunContext& context) override { version_ = context.xpusim_version; }
  void row(const Record& record) override {
    switch (format_) {
      case Format::kJson: out_ << render_json(with_version(record, version_)); break;
      case Format::kJsonl: out_ << render_jsonl(with_version(record, version_)); break;
      case Format::kCsv: out_ << render_csv(record); break;
      case Format::kTable: out_ << render_table(record); break;
    }
    out_.flush();
  }
  void end() override { out_.flush(); }

 private:
  Format format_;
  std::ostream& out_;
  std::string version_;
};

// One JSON document whose "results" list grows as rows arrive.
class JsonStreamSink final : public Sink {
 public:
  explicit JsonStreamSink(std::ostream& out) : out_(out) {}
  void begin(const RunContext& context) override {
    const Record ctx{{"data_hash", context.data_hash}, {"command", context.command}};
    // Nothing after "[" yet: with no rows the list closes as "[]", as dump(2) writes it.
    out_ << "{\n  \"xpusim_version\": " << Record(context.xpusim_version).dump() << ",\n  \"context\": "
         << indent_tail(ctx.dump(2), 2) << ",\n  \"results\": [";
    out_.flush();
  }
  void row(const Record& record) override {
    out_ << (rows_++ ? ",\n    " : "\n    ") << indent_tail(record.dump(2), 4);
    out_.flush();
  }
  void end() override {
    out_ << (rows_ ? "\n  ]\n}\n" : "]\n}\n");
    out_.flush();
  }

 private:
  std::ostream& out_;
  std::size_t rows_ = 0;
};

// JSON Lines: a context line, then one compact row per line.
class JsonlStreamSink final : public Sink {
 public:
  explicit JsonlStreamSink(std::ostream& out) : out_(out) {}
  void begin(const RunContext& context) override {
    const Record line{{"context",
                       {{"xpusim_version", context.xpusim_version},
                        {"data_hash", context.data_hash},
                        {"command", context.command}}}};
    out_ << render_jsonl(line);
    out_.flush();
  }
  void row(const Record& record) override {
    out_ << render_jsonl(record);
    out_.flush();
  }
  void end() override { out_.flush(); }

 private:
  std::ostream& out_;
};

// CSV with a header fixed up front (given, or the first row's keys), since rows already written
// cannot gain columns.
class CsvStreamSink final : public Sink {
 public:
  explicit CsvStreamSink(std::ostream& out) : out_(out) {}
  void begin(const RunContext& context) override { columns_ = context.columns; }
  void row(const Record& record) override {
    const FlatRow flat = flatten(record);
    if (!header_written_) {
      if (columns_.empty())
        for (const auto& [k, v] : flat) columns_.push_back(k);
      write_header();
    }
    line_.clear();
    used_.assign(flat.size(), 0);
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      if (i) line_ += ',';
      // Rows of one sweep share their key order, so the cell at the column's own position is
      // tried first; the search is for rows that differ.
      std::size_t at = flat.size();
      if (i < flat.size() && flat[i].first == columns_[i]) {
        at = i;
      } else {
        for (std::size_t j = 0; j < flat.size(); ++j)
          if (flat[j].first == columns_[i]) {
            at = j;
            break;
          }
      }
      if (at == flat.size()) continue;  // a key this row lacks: an empty cell
      used_[at] = 1;
      line_ += csv_cell(*flat[at].second);
    }
    line_ += '\n';
    dropped_ += static_cast<std::size_t>(std::count(used_.begin(), used_.end(), 0));
    out_ << line_;
    out_.flush();
  }
  void end() override {
    if (!header_written_ && !columns_.empty()) write_header();
    out_.flush();
  }
  std::size_t dropped_cells() const override { return dropped_; }

 private:
  void write_header() {
    std::string header;
    for (std::size_t i = 0; i < columns_.size(); ++i) header += (i ? "," : "") + csv_escape(columns_[i]);
    out_ << header << '\n';
    header_written_ = true;
  }

  std::ostream& out_;
  std::vector<std::string> columns_;
  bool header_written_ = false;
  std::size_t dropped_ = 0;
  std::string line_;        // reused across rows: no allocation per row once it has grown
  std::vector<char> used_;  // which of the row's cells found a column
};

// Tables for people: one block per row, a blank line between blocks.
class TableStreamSink final : public Sink {
 public:
  explicit TableStreamSink(std::ostream& out) : out_(out) {}
  void begin(const RunContext&) override {}
  void row(const Record& record) override {
    if (rows_++) out_ << '\n';
    out_ << render_table(record);
    out_.flush();
  }
  void end() override { out_.flush(); }

 private:
  std::ostream& out_;
  std::size_t rows_ = 0;
};

}  // namespace

std::unique_ptr<Sink> make_sink(Format format, std::ostream& out, bool single_record) {
  if (single_record) return std::make_unique<SingleRecordSink>(format, out);
  switch (format) {
    case Format::kJson: return std::make_unique<JsonStreamSink>(out);
    case Format::kJsonl: return std::make_unique<JsonlStreamSink>(out);
    case Format::kCsv: return std::make_unique<CsvStreamSink>(out);
    case Format::kTable: return std::make_unique<TableStreamSink>(out);
  }
  return std::make_unique<JsonStreamSink>(out);
}

}  // namespace xpusim::report
