#pragma once

#include <string>
#include <utility>
#include <vector>

namespace xpusim::report {

// A line series: points (x, y) in order, with an optional short note drawn beside each point.
// A NaN y is a gap (an infeasible point), drawn as no marker and a broken line.
struct SweepSeries {
  std::string name;
  std::vector<double> x, y;
  std::vector<std::string> notes;  // empty, or one per point
};

struct SweepPanel {
  std::string title, y_label;
  std::vector<SweepSeries> series;
};

// The sweep chart (`xpusim sweep --plot`): panels side by side sharing one x axis and one legend (series names of the first panel).
// `categories`, when given, label x = 0, 1, 2 ... instead of numbers; `log_x` spaces x by log2.
struct SweepChart {
  std::string title, x_label;
  bool log_x = false;
  std::vector<std::string> categories;
  std::vector<SweepPanel> panels;
};

// A self-contained SVG document of the plot (axes with ticks and units, grid, legend).
std::string render_sweep_svg(const SweepChart& plot);

// One searched sweep point as the sweep plot needs it.
struct SweepPlotPoint {
  std::vector<std::pair<std::string, std::string>> values;  // swept label -> shown value
  bool feasible = false;
  double tokens_per_s_per_gpu = 0, mfu = 0;
  std::string note;  // the best layout, short ("tp8 pp16")
};

// Throughput per GPU and MFU against the swept value: x is the numeric axis with the most values
// (log2-spaced when it spans 8x or more), every other swept axis makes a series.
SweepChart sweep_plot(const std::vector<SweepPlotPoint>& points, const std::string& title);

}  // namespace xpusim::report
