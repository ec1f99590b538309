#include "report/svg_plot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace xpusim::report {
namespace {

// Colour-blind-safe palette (Okabe & Ito, 2008), its yellow swapped for Paul Tol's wine (#882255):
// yellow lines vanish on white.
constexpr const char* kColors[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#882255"};

std::vector<double> nice_ticks(double lo, double hi, int target) {
  if (!(hi > lo)) {
    lo -= 0.5;
    hi += 0.5;
  }
  const double raw = (hi - lo) / std::max(1, target);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  std::vector<double> ticks;
  for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push_back(std::abs(t) < step * 1e-9 ? 0 : t);
  return ticks;
}

std::string tick_label(double v) {
  const double a = std::abs(v);
  if (a >= 1e12) return fmt::format("{:g}T", v / 1e12);
  if (a >= 1e9) return fmt::format("{:g}G", v / 1e9);
  if (a >= 1e6) return fmt::format("{:g}M", v / 1e6);
  if (a >= 1e4) return fmt::format("{:g}k", v / 1e3);
  return fmt::format("{:g}", v);
}

}  // namespace

std::string xml_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string render_svg(const PlotSpec& p) {
  // The legend's column is as wide as its longest name (about 7.5 px a character at 13 px).
  std::size_t longest = 0;
  for (const auto& ser : p.series) longest = std::max(longest, ser.name.size());
  const double left = 86, right = p.series.size() < 2 ? 24 : std::max(190.0, 44 + 7.5 * static_cast<double>(longest)),
               top = 46, bottom = 64;
  const double w = p.width - left - right, h = p.height - top - bottom;
  double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
  const auto fx = [&](double x) { return p.log_x ? std::log10(x) : x; };
  for (const auto& s : p.series)
    for (const auto& [x, y] : s.points) {
      if (!std::isfinite(x) || !std::isfinite(y) || (p.log_x && x <= 0)) continue;
      x0 = std::min(x0, fx(x));
      x1 = std::max(x1, fx(x));
      y0 = std::min(y0, y);
      y1 = std::max(y1, y);
    }
  const bool empty = !std::isfinite(x0);
  if (empty) x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  if (!p.x_categories.empty()) x0 = -0.5, x1 = static_cast<double>(p.x_categories.size()) - 0.5;
  y0 = std::min(0.0, y0);  // throughput-like axes start at zero so ratios read true
  const auto yt = nice_ticks(y0, y1 * 1.05, 6);
  y1 = std::max(y1, yt.back());
  y0 = std::min(y0, yt.front());
  if (x1 == x0) x0 -= 0.5, x1 += 0.5;
  const double xpad = p.x_categories.empty() ? 0.04 * (x1 - x0) : 0;
  x0 -= xpad;
  x1 += xpad;
  const auto X = [&](double x) { return left + (fx(x) - x0) / (x1 - x0) * w; };
  const auto Xc = [&](double v) { return left + (v - x0) / (x1 - x0) * w; };
  const auto Y = [&](double y) { return top + h - (y - y0) / (y1 - y0) * h; };

  std::string s = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"{}\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" "
      "font-family=\"Helvetica, Arial, sans-serif\" font-size=\"13\">\n",
      xml_escape(p.id), p.width, p.height, p.width, p.height);
  s += fmt::format("<rect width=\"{}\" height=\"{}\" fill=\"white\"/>\n", p.width, p.height);
  s += fmt::format("<text x=\"{}\" y=\"26\" font-size=\"16\" font-weight=\"bold\">{}</text>\n", left, xml_escape(p.title));
  // Grid and y ticks.
  for (double t : yt) {
    s += fmt::format("<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#e3e3e3\"/>\n", left, left + w,
                     Y(t), Y(t));
    s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\" fill=\"#333\">{}</text>\n", left - 8,
                     Y(t) + 4, tick_label(t));
  }
  // X ticks.
  if (!p.x_categories.empty()) {
    for (std::size_t i = 0; i < p.x_categories.size(); ++i)
      s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" fill=\"#333\">{}</text>\n",
                       Xc(static_cast<double>(i)), top + h + 20, xml_escape(p.x_categories[i]));
  } else {
    const auto xt = nice_ticks(x0, x1, 7);
    for (double t : xt) {
      if (t < x0 || t > x1) continue;
      const double v = p.log_x ? std::pow(10.0, t) : t;
      s += fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1:.1f}\" y2=\"{2:.1f}\" stroke=\"#999\"/>\n", Xc(t),
                       top + h, top + h + 5);
      s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" fill=\"#333\">{}</text>\n", Xc(t),
                       top + h + 20, tick_label(v));
    }
  }
  s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#555\"/>\n", left, top, w, h);
  s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n", left + w / 2, static_cast<double>(p.height) - 18,
                   xml_escape(p.x_label));
  s += fmt::format("<text transform=\"translate(22,{:.1f}) rotate(-90)\" text-anchor=\"middle\">{}</text>\n", top + h / 2,
                   xml_escape(p.y_label));
  if (empty)
    s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" fill=\"#777\">no data</text>\n",
                     left + w / 2, top + h / 2);
  // Series: plain ones first, highlighted on top.
  for (int pass = 0; pass < 2; ++pass)
    for (std::size_t i = 0; i < p.series.size(); ++i) {
      const auto& ser = p.series[i];
      if (ser.highlight != (pass == 1)) continue;
      const char* color = kColors[i % std::size(kColors)];
      std::vector<std::pair<double, double>> pts;
      for (const auto& [x, y] : ser.points)
        if (std::isfinite(x) && std::isfinite(y) && !(p.log_x && x <= 0))
          pts.emplace_back(p.x_categories.empty() ? X(x) : Xc(x), Y(y));
      if (ser.line && pts.size() > 1) {
        std::string path;
        for (std::size_t k = 0; k < pts.size(); ++k) path += fmt::format("{}{:.1f},{:.1f}", k ? " L" : "M", pts[k].first, pts[k].second);
        s += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\"/>\n", path, color,
                         ser.highlight ? 2.5 : 1.8);
      }
      for (const auto& [px, py] : pts)
        s += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"{}\" fill=\"{}\" fill-opacity=\"0.85\"/>\n", px, py,
                         ser.highlight ? 5 : 3.5, color);
      if (p.series.size() < 2) continue;  // one series needs no legend: the axis labels say what it is
      const double ly = top + 10 + 22.0 * static_cast<double>(i);
      s += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"5\" fill=\"{}\"/>\n", left + w + 18, ly, color);
      s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n", left + w + 30, ly + 4, xml_escape(ser.name));
    }
  s += "</svg>\n";
  return s;
}

}  // namespace xpusim::report
