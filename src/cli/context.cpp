#include "cli/context.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "core/error.hpp"

namespace xpusim::cli {

const scenario::Session& Context::session() {
  if (!session_) session_ = std::make_unique<scenario::Session>();
  return *session_;
}

void Context::warn_uncalibrated(const std::string& hardware, const std::vector<std::string>& names) const {
  if (names.empty() || format() != report::Format::kTable) return;
  std::string list;
  for (std::size_t i = 0; i < names.size(); ++i) list += (i ? ", " : "") + names[i];
  std::fprintf(stderr, "warning: %s runs on code defaults, not fitted or sourced values, for %zu calibration "
               "parameter%s: %s\n", hardware.c_str(), names.size(), names.size() == 1 ? "" : "s", list.c_str());
}

void Context::add_format_option(CLI::App* command) {
  command->add_option("--format", format_,
                      "Output format: table|json|jsonl|csv (default: table on a terminal, else json)")
      ->each([](const std::string& v) {
        if (!report::parse_format(v)) throw core::Error::flag("--format", v, "one of: table, json, jsonl, csv");
      });
}

report::Format Context::format() const {
  if (format_.empty()) return isatty(STDOUT_FILENO) ? report::Format::kTable : report::Format::kJson;
  if (auto f = report::parse_format(format_)) return *f;
  throw core::Error::flag("--format", format_, "one of: table, json, jsonl, csv");
}

void Context::emit(const report::Record& record, const report::Record* table_view) const {
  const auto f = format();
  const report::Record& what = (f == report::Format::kTable && table_view) ? *table_view : record;
  const auto sink = report::make_sink(f, std::cout, true);
  report::RunContext rc;  // one record: the version only (no data hash to compute)
  rc.xpusim_version = XPUSIM_VERSION;
  sink->begin(rc);
  sink->row(what);
  sink->end();
}

std::unique_ptr<report::Sink> Context::stream_sink() const { return report::make_sink(format(), std::cout, false); }

report::RunContext Context::run_context() {
  report::RunContext rc;
  rc.xpusim_version = XPUSIM_VERSION;
  rc.data_hash = session().data_hash();
  rc.command = command_line;
  return rc;
}

core::ProgressFn Context::progress(std::string label) const {
  if (!isatty(STDERR_FILENO)) return {};
  return [label = std::move(label)](std::size_t done, std::size_t total) {
    const int width = 40;
    if (total == 0) {  // a stream of unknown length (a trace): the count only; (0, 0) ends it
      if (done == 0) std::fprintf(stderr, "\n");
      else std::fprintf(stderr, "\r%s %zu", label.c_str(), done);
      std::fflush(stderr);
      return;
    }
    const double frac = static_cast<double>(done) / static_cast<double>(total);
    const int filled = static_cast<int>(frac * width);
    std::fprintf(stderr, "\r%s [%.*s%*s] %3d%% (%zu/%zu)", label.c_str(), filled,
                 "########################################", width - filled, "", static_cast<int>(frac * 100),
                 done, total);
    if (done >= total) std::fprintf(stderr, "\n");
    std::fflush(stderr);
  };
}

}  // namespace xpusim::cli
