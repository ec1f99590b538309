#pragma once

#include "report/record.hpp"
#include "search/search.hpp"

namespace xpusim::report {

// `xpusim train --search` record: {"evaluated", "pruned", "feasible", "elapsed_s", then
// "enumerated", "pruned_structure", "pruned_memory", "interrupted", "objective",
// "max_memory_fraction", the names (model, system, hardware), "results": [train record with
// "rank" and "gap_to_best" first ...], "reference": {rank, ranked, gap_to_best, train record}
// when one was asked for and fits, and "pareto": [train record ...] when asked for}.
Record search_record(const search::SearchResult& result, bool with_pareto);

// The shorter view people read in the table format: one line per result.
Record search_table_view(const search::SearchResult& result, bool with_pareto);

// The layout of a train record in one line, "tp8 pp16 vpp4 cp1 dp128 mb1 full zero1 trim".
std::string layout_label(const training::Layout& layout);

}  // namespace xpusim::report
