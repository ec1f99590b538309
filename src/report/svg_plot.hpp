#pragma once

#include <string>
#include <utility>
#include <vector>

namespace xpusim::report {

// One series of a chart: points, drawn as markers (and joined when `line`), named in the legend.
struct PlotSeries {
  std::string name;
  std::vector<std::pair<double, double>> points;
  bool line = false;
  bool highlight = false;  // drawn larger and on top (a Pareto front)
};

// A chart for people: axes with units in their labels, "nice" ticks, a legend.
struct PlotSpec {
  std::string id;  // the svg element's id (an HTML page finds the plot by it)
  std::string title, x_label, y_label;
  bool log_x = false;
  std::vector<std::string> x_categories;  // when set, x values are indices into these labels
  std::vector<PlotSeries> series;
  int width = 760, height = 460;
};

// A standalone SVG document (also valid inline in HTML). Empty series draw an empty frame that
// says "no data"; non-finite points are skipped.
std::string render_svg(const PlotSpec& plot);

// Escapes &, <, >, " and ' for XML/HTML text and attributes.
std::string xml_escape(const std::string& text);

}  // namespace xpusim::report
