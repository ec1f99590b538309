#pragma once

#include <string>
#include <vector>

#include "report/record.hpp"
#include "report/svg_plot.hpp"

namespace xpusim::report {

// One self-contained page for a person: title, notes, inline SVG plots and a table. No scripts,
// no network: it opens from a file anywhere.
struct HtmlReport {
  std::string title;
  std::vector<std::string> notes;  // paragraphs under the title (context, assumptions)
  std::vector<PlotSpec> plots;
  std::vector<std::string> columns;          // table header
  std::vector<std::vector<std::string>> rows;  // cells, already formatted
  std::vector<bool> highlight_rows;          // rows drawn bold (a Pareto front)
  std::string footer;                        // version, data hash, command
};

std::string render_html(const HtmlReport& report);

// Table cells of records: one column per key path ("cost.die_area_mm2" reads nested objects),
// numbers to 4 significant digits, booleans as yes/no, missing keys empty.
std::vector<std::vector<std::string>> table_cells(const std::vector<Record>& records,
                                                  const std::vector<std::string>& key_paths);

}  // namespace xpusim::report
