#pragma once

#include <CLI/CLI.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "core/flag_text.hpp"
#include "core/parallel.hpp"
#include "hardware/catalog.hpp"
#include "scenario/session.hpp"
#include "report/record.hpp"
#include "report/reporter.hpp"
#include "report/sink.hpp"

namespace xpusim::cli {

// What every subcommand shares: the session (catalog, timing sets, caches; built on first use),
// the output format and the exit status. Commands parse flags into scenarios, hand them to the
// session and results to a sink; they throw core::Error for bad input (main: exit status 2).
class Context {
 public:
  const scenario::Session& session();
  std::filesystem::path data_dir() const { return scenario::Session::default_data_dir(); }
  const hardware::Catalog& catalog() { return session().catalog(); }
  // The command line as given, recorded in streamed output.
  std::string command_line;

  // Adds `--format table|json|jsonl|csv` to a command.
  void add_format_option(CLI::App* command);
  // Writes one record to stdout in the chosen format through a single-record sink; `table_view`,
  // when given, replaces the record for the table format only (a shorter view for people; JSON
  // and CSV keep everything).
  void emit(const report::Record& record, const report::Record* table_view = nullptr) const;
  // A streaming sink on stdout for commands that produce many rows (`xpusim run`, sweeps). It is
  // not begun: the caller calls begin(run_context()) (adding CSV columns if it knows them), row()
  // per finished result and end(), and may warn on stderr about dropped_cells() afterwards.
  std::unique_ptr<report::Sink> stream_sink() const;
  // What the run is: the xpusim version, the data directory's hash and the command line.
  report::RunContext run_context();
  // On stderr, for people: the parameters a result ran on code defaults (only for the table
  // format; JSON and CSV carry them in the record as `uncalibrated`).
  void warn_uncalibrated(const std::string& hardware, const std::vector<std::string>& names) const;
  report::Format format() const;

  // Progress callback drawing a bar on stderr when stderr is a terminal; empty otherwise.
  core::ProgressFn progress(std::string label) const;

  int exit_code = 0;

 private:
  std::unique_ptr<scenario::Session> session_;
  std::string format_;
};

// Reads an integer/number flag given as text so errors name the flag ("--m: expected ...").
using core::positive_int_flag;
using core::positive_number_flag;

}  // namespace xpusim::cli
