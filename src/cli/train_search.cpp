#include "cli/train_search.hpp"

#include <cstdio>

#include "cli/progress.hpp"
#include "core/error.hpp"
#include "core/suggest.hpp"
#include "report/search_record.hpp"

namespace xpusim::cli {

void SearchFlags::add_to(CLI::App* command, bool with_switch) {
  if (with_switch)
    command->add_flag("--search", search,
                      "Search every legal layout over the parallel fields not given (tp, pp, vpp, dp, cp, ep, etp, "
                      "micro-batch, recompute, zero, order, sp, edge trimming) and report the best");
  command->add_option("--top", top, "Results kept by the search, best first (default 10)");
  command->add_option("--objective", objective, "What the search ranks by: throughput|memory|cost (default throughput)");
  command->add_option("--max-memory-fraction", max_memory_fraction,
                      "Share of HBM a layout may use, for headroom (default 1)");
  command->add_flag("--pareto", pareto, "Also report the throughput-memory Pareto frontier");
  command->add_option("--reference", reference,
                      "Also report where the best layout with these fields ranks, e.g. tp=8,pp=16,cp=1");
  command->add_option("--threads", threads, "Threads the search uses (default 0: every core)");
  command->add_flag("--any-order", any_order,
                    "Also time placements with TP strided across nodes (default: TP on consecutive ranks, "
                    "as every training stack places it)");
}

void SearchFlags::require_search(const CLI::App* command) const {
  if (search) return;
  for (const char* flag : {"--top", "--objective", "--max-memory-fraction", "--pareto", "--reference", "--threads", "--any-order"})
    if (command->count(flag) > 0)
      throw core::Error::flag(flag, command->get_option(flag)->as<std::string>(), "--search with it (it is a search option)");
}

search::SearchOptions SearchFlags::options(const std::set<std::string>& fixed) const {
  search::SearchOptions o;
  for (const auto& f : fixed)
    if (std::find(search::searched_fields().begin(), search::searched_fields().end(), f) !=
        search::searched_fields().end())
      o.fixed.insert(f);
  o.top = static_cast<std::size_t>(positive_int_flag("--top", top));
  const auto obj = search::parse_objective(objective);
  if (!obj) throw core::Error::flag("--objective", objective, core::expected_one_of(search::objective_names()));
  o.objective = *obj;
  const double frac = positive_number_flag("--max-memory-fraction", max_memory_fraction);
  if (frac > 1) throw core::Error::flag("--max-memory-fraction", max_memory_fraction, "a fraction in (0, 1]");
  o.max_memory_fraction = frac;
  if (threads != "0") o.threads = static_cast<std::size_t>(positive_int_flag("--threads", threads));
  o.pareto = pareto;
  o.tp_innermost = !any_order;
  if (!reference.empty()) o.reference = search::parse_reference(reference, "--reference");
  return o;
}

void run_train_search(Context& ctx, const RunSpecOptions& options, const SearchFlags& flags) {
  const scenario::Scenario s = options.scenario();
  auto opts = flags.options(options.given());
  InterruptGuard guard;
  opts.stop = guard.stop();
  opts.progress = rate_progress("search", "layouts");
  const auto result = search::search_layouts(ctx.session(), s, opts);
  if (result.interrupted) std::fprintf(stderr, "interrupted: the best of the layouts timed so far follows\n");
  ctx.warn_uncalibrated(result.best.hardware, result.best.uncalibrated);
  const auto table = report::search_table_view(result, flags.pareto);
  ctx.emit(report::search_record(result, flags.pareto), &table);
  if (result.interrupted) {
    ctx.exit_code = kInterruptedExit;
  } else if (result.results.empty()) {
    ctx.exit_code = 1;
  }
}

}  // namespace xpusim::cli
