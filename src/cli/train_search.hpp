#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "cli/context.hpp"
#include "cli/run_spec_options.hpp"
#include "search/search.hpp"

namespace xpusim::cli {

// The flags of a layout search, shared by `xpusim train --search` and `xpusim sweep`.
struct SearchFlags {
  bool search = false;
  std::string top = "10", objective = "throughput", max_memory_fraction = "1", threads = "0", reference;
  bool pareto = false;
  bool any_order = false;
  // Adds --top, --objective, --max-memory-fraction, --pareto, --threads --reference (and --search when
  // `with_switch`).
  void add_to(CLI::App* command, bool with_switch);
  // Throws core::Error when a search flag was given to `command` without --search.
  void require_search(const CLI::App* command) const;
  // The search options these flags give (bad values: core::Error naming the flag).
  search::SearchOptions options(const std::set<std::string>& fixed) const;
};

// `xpusim train --search`: searches the layouts the given flags leave free and emits the record.
void run_train_search(Context& ctx, const RunSpecOptions& options, const SearchFlags& flags);

}  // namespace xpusim::cli
