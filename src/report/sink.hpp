#pragma once

#include <cstddef>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "report/record.hpp"
#include "report/reporter.hpp"

namespace xpusim::report {

// What a stream of rows was produced by; written once, ahead of the rows, by the formats that can
// carry it (JSON, JSON Lines).
struct RunContext {
  std::string xpusim_version;
  std::string data_hash;             // identifies the data/ tree the results were computed from
  std::string command;               // the command line, for reproducing the results
  std::vector<std::string> columns;  // CSV column order; empty: the first row's flattened keys
};

// A reporter that writes result rows to an ostream as they finish (google/benchmark's reporters).
//
// Contract:
// - begin() once, then row() any number of times as results finish, then end() once.
// - row() has written (and flushed) its row before it returns, and the sink keeps no rows, so a
//   million-row sweep never sits in memory and a reader tailing the output sees each row at once.
// - A row is one Record; the sink does not hold on to it after row() returns.
// - The sink writes only to the ostream it was given and throws only what the ostream or
//   nlohmann::json throws (for instance on invalid UTF-8 in a string).
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void begin(const RunContext& context) = 0;
  virtual void row(const Record& record) = 0;
  virtual void end() = 0;
  // Cells left out because their key was not among the columns (CSV streams); 0 elsewhere.
  virtual std::size_t dropped_cells() const { return 0; }
};

// single_record = true: the command emits one record, and the output is what render(record,
// format) gives, byte for byte, for table and CSV; JSON and JSON Lines carry "xpusim_version" as
// the record's first key when the record is an object (a list is written unchanged).
//
// single_record = false, a stream of rows:
// - JSON: {"xpusim_version": V, "context": {"data_hash": H, "command": C}, "results": [rows]},
//   written as the rows arrive and byte-identical to that whole document indented by 2, so it is
//   valid JSON at end() with any number of rows, zero included.
// - JSON Lines: a first line {"context": {"xpusim_version": V, "data_hash": H, "command": C}},
//   then one compact row per line.
// - CSV: the header when the first row arrives (RunContext::columns, else the first row's
//   flattened keys, flattened as render_csv does), then one line per row; a key a row lacks is an
//   empty cell, a key not in the header is dropped and counted in dropped_cells(). With columns
//   given and no rows, end() writes the header alone.
// - table: each row as render_table draws it, blocks separated by one blank line.
std::unique_ptr<Sink> make_sink(Format format, std::ostream& out, bool single_record);

}  // namespace xpusim::report
