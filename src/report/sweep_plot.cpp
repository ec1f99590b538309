#include "report/sweep_plot.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <map>

namespace xpusim::report {
namespace {

constexpr double kPanelW = 460, kPanelH = 330, kLeft = 78, kRight = 20, kTop = 60, kBottom = 58;
constexpr const char* kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"};

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// A "nice" step (1, 2 or 5 times a power of ten) giving about `n` intervals over [0, hi].
double nice_step(double hi, int n) {
  if (!(hi > 0)) return 1;
  const double raw = hi / n;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (raw <= m * mag) return m * mag;
  return 10 * mag;
}

std::string tick_text(double v) {
  if (v == 0) return "0";
  const double a = std::abs(v);
  if (a < 1e6 && v == std::floor(v)) return fmt::format("{:.0f}", v);  // GPU counts, sequence lengths
  if (a >= 1e6) return fmt::format("{:g}M", v / 1e6);
  if (a >= 1e4) return fmt::format("{:g}k", v / 1e3);
  return fmt::format("{:g}", v);
}

}  // namespace

std::string render_sweep_svg(const SweepChart& plot) {
  const double width = kPanelW * std::max<std::size_t>(1, plot.panels.size());
  std::size_t n_series = plot.panels.empty() ? 0 : plot.panels[0].series.size();
  const double legend_rows = std::ceil(static_cast<double>(n_series) / 3.0);
  const double height = kPanelH + 40 + 22 * legend_rows;
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"DejaVu Sans, Arial, sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
      width, height);
  svg += fmt::format("<text x=\"{}\" y=\"24\" font-size=\"16\" font-weight=\"bold\" text-anchor=\"middle\">{}</text>\n",
                     width / 2, escape(plot.title));

  // The shared x range.
  double xmin = std::numeric_limits<double>::infinity(), xmax = -xmin;
  for (const auto& p : plot.panels)
    for (const auto& s : p.series)
      for (double x : s.x) {
        xmin = std::min(xmin, x);
        xmax = std::max(xmax, x);
      }
  if (!std::isfinite(xmin)) xmin = 0, xmax = 1;
  const bool log_x = plot.log_x && xmin > 0;
  const auto tx = [&](double x) { return log_x ? std::log2(x) : x; };
  double lo = tx(xmin), hi = tx(xmax);
  if (hi - lo <= 0) lo -= 0.5, hi += 0.5;
  const double pad = (hi - lo) * 0.06;
  lo -= pad;
  hi += pad;
  // Ticks: the data's own x values when few (every GPU count of a sweep), else even steps.
  std::vector<double> xticks;
  for (const auto& p : plot.panels)
    for (const auto& s : p.series)
      for (double x : s.x)
        if (std::find(xticks.begin(), xticks.end(), x) == xticks.end()) xticks.push_back(x);
  std::sort(xticks.begin(), xticks.end());
  if (xticks.size() > 10 && plot.categories.empty()) {
    xticks.clear();
    const double step = nice_step(xmax - xmin, 6);
    for (double v = std::ceil(xmin / step) * step; v <= xmax + 1e-9 * step; v += step) xticks.push_back(v);
  }

  for (std::size_t pi = 0; pi < plot.panels.size(); ++pi) {
    const auto& panel = plot.panels[pi];
    const double ox = kPanelW * static_cast<double>(pi) + kLeft, oy = kTop;
    const double w = kPanelW - kLeft - kRight, h = kPanelH - kTop - kBottom + 20;
    double ymax = 0;
    for (const auto& s : panel.series)
      for (double y : s.y)
        if (std::isfinite(y)) ymax = std::max(ymax, y);
    const double ystep = nice_step(ymax * 1.12, 5);
    const double ytop = std::max(ystep, std::ceil(ymax * 1.12 / ystep) * ystep);
    const auto px = [&](double x) { return ox + (tx(x) - lo) / (hi - lo) * w; };
    const auto py = [&](double y) { return oy + h - y / ytop * h; };
    svg += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"14\" text-anchor=\"middle\">{}</text>\n", ox + w / 2, oy - 12,
                       escape(panel.title));
    // Grid and y ticks.
    for (double v = 0; v <= ytop + 1e-9 * ystep; v += ystep) {
      svg += fmt::format("<line x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\" stroke=\"#e5e5e5\"/>\n", ox, py(v), ox + w,
                         py(v));
      svg += fmt::format("<text x=\"{}\" y=\"{:.1f}\" font-size=\"11\" text-anchor=\"end\">{}</text>\n", ox - 6,
                         py(v) + 4, tick_text(v));
    }
    for (double v : xticks) {
      svg += fmt::format("<line x1=\"{:.1f}\" y1=\"{}\" x2=\"{:.1f}\" y2=\"{}\" stroke=\"#f0f0f0\"/>\n", px(v), oy, px(v),
                         oy + h);
      const std::size_t ci = static_cast<std::size_t>(std::llround(v));
      const std::string label = !plot.categories.empty() && ci < plot.categories.size() ? plot.categories[ci] : tick_text(v);
      svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{}</text>\n", px(v),
                         oy + h + 16, escape(label));
    }
    svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#333\"/>\n", ox, oy, w, h);
    svg += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">{}</text>\n", ox + w / 2,
                       oy + h + 36, escape(plot.x_label + (log_x ? " (log scale)" : "")));
    svg += fmt::format(
        "<text x=\"{0}\" y=\"{1}\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 {0} {1})\">{2}</text>\n",
        ox - 56, oy + h / 2, escape(panel.y_label));
    for (std::size_t si = 0; si < panel.series.size(); ++si) {
      const auto& s = panel.series[si];
      const char* color = kColors[si % std::size(kColors)];
      std::string path;
      bool pen = false;
      for (std::size_t i = 0; i < s.x.size(); ++i) {
        if (!std::isfinite(s.y[i])) {
          pen = false;
          continue;
        }
        path += fmt::format("{}{:.1f},{:.1f} ", pen ? "L" : "M", px(s.x[i]), py(s.y[i]));
        pen = true;
      }
      if (!path.empty())
        svg += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>\n", path, color);
      for (std::size_t i = 0; i < s.x.size(); ++i) {
        if (!std::isfinite(s.y[i])) {
          svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"11\" fill=\"{}\" text-anchor=\"middle\">&#215;</text>\n",
                             px(s.x[i]), py(0) - 4, color);
          continue;
        }
        svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3.5\" fill=\"{}\"/>\n", px(s.x[i]), py(s.y[i]), color);
        if (i < s.notes.size() && !s.notes[i].empty())
          svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"9\" fill=\"{}\" text-anchor=\"middle\">{}</text>\n",
                             px(s.x[i]), py(s.y[i]) - 8 - 10.0 * static_cast<double>(si % 2), color, escape(s.notes[i]));
      }
    }
  }
  // Legend below the panels, three entries a row.
  if (!plot.panels.empty()) {
    const auto& series = plot.panels[0].series;
    for (std::size_t si = 0; si < series.size(); ++si) {
      const double lx = 40 + static_cast<double>(si % 3) * (width - 80) / 3.0;
      const double ly = kPanelH + 28 + 22 * std::floor(static_cast<double>(si) / 3.0);
      const char* color = kColors[si % std::size(kColors)];
      svg += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"2\"/>\n", lx, ly, lx + 24,
                         ly, color);
      svg += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"3.5\" fill=\"{}\"/>\n", lx + 12, ly, color);
      svg += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"12\">{}</text>\n", lx + 30, ly + 4, escape(series[si].name));
    }
  }
  svg += "</svg>\n";
  return svg;
}

SweepChart sweep_plot(const std::vector<SweepPlotPoint>& points, const std::string& title) {
  SweepChart plot;
  plot.title = title;
  if (points.empty()) return plot;
  // The swept labels, in order, with their distinct values.
  const auto& labels = points.front().values;
  std::vector<std::vector<std::string>> distinct(labels.size());
  for (const auto& p : points)
    for (std::size_t i = 0; i < p.values.size() && i < distinct.size(); ++i)
      if (std::find(distinct[i].begin(), distinct[i].end(), p.values[i].second) == distinct[i].end())
        distinct[i].push_back(p.values[i].second);
  const auto numeric = [](const std::string& s) {
    char* end = nullptr;
    std::strtod(s.c_str(), &end);
    return !s.empty() && end && *end == '\0';
  };
  int x_axis = -1;
  for (std::size_t i = 0; i < distinct.size(); ++i) {
    const bool all_numeric = std::all_of(distinct[i].begin(), distinct[i].end(), numeric);
    if (all_numeric && (x_axis < 0 || distinct[i].size() > distinct[static_cast<std::size_t>(x_axis)].size()))
      x_axis = static_cast<int>(i);
  }
  const bool categorical = x_axis < 0;
  if (categorical) x_axis = 0;
  const auto xi = static_cast<std::size_t>(x_axis);
  plot.x_label = labels.empty() ? "" : labels[xi].first;
  if (categorical) plot.categories = distinct[xi];
  double xmin = std::numeric_limits<double>::infinity(), xmax = 0;
  std::map<std::string, std::size_t> series_of;
  SweepPanel tput{"Throughput per GPU", "tokens/s per GPU", {}}, mfu{"Model FLOPs utilization", "MFU (%)", {}};
  for (const auto& p : points) {
    if (p.values.size() != labels.size()) continue;
    std::string name;
    for (std::size_t i = 0; i < p.values.size(); ++i) {
      if (i == xi) continue;
      name += (name.empty() ? "" : ", ") + p.values[i].first + "=" + p.values[i].second;
    }
    if (name.empty()) name = "best layout at each point";
    auto [it, inserted] = series_of.emplace(name, tput.series.size());
    if (inserted) {
      tput.series.push_back({name, {}, {}, {}});
      mfu.series.push_back({name, {}, {}, {}});
    }
    const std::string& xs = p.values[xi].second;
    const double x = categorical ? static_cast<double>(std::find(distinct[xi].begin(), distinct[xi].end(), xs) -
                                                       distinct[xi].begin())
                                 : std::strtod(xs.c_str(), nullptr);
    xmin = std::min(xmin, x);
    xmax = std::max(xmax, x);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    auto& ts = tput.series[it->second];
    ts.x.push_back(x);
    ts.y.push_back(p.feasible ? p.tokens_per_s_per_gpu : nan);
    ts.notes.push_back(p.feasible ? p.note : "");
    auto& ms = mfu.series[it->second];
    ms.x.push_back(x);
    ms.y.push_back(p.feasible ? 100.0 * p.mfu : nan);
  }
  plot.log_x = !categorical && xmin > 0 && xmax / xmin >= 8;
  // Too many labels overlap: notes only for a few series of few points.
  if (tput.series.size() > 3 || distinct[xi].size() > 12)
    for (auto& s : tput.series) s.notes.clear();
  plot.panels = {std::move(tput), std::move(mfu)};
  return plot;
}

}  // namespace xpusim::report
