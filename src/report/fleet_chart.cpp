#include "report/fleet_chart.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace xpusim::report {

namespace {

// 131072 -> "131,072": GPU counts are read exactly.
std::string gpus_label(double n) {
  std::string digits = fmt::format("{:.0f}", n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string tokens_label(double t) {
  if (t >= 1e12) return fmt::format("{:.3g}T", t / 1e12);
  if (t >= 1e9) return fmt::format("{:.3g}B", t / 1e9);
  return fmt::format("{:.3g}", t);
}

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else out += c;
  }
  return out;
}

// Ticks 1, 2, 5 x 10^k covering [lo, hi] (log axis), and the axis bounds they give.
std::vector<double> log_ticks(double lo, double hi) {
  std::vector<double> t;
  for (double mag = std::pow(10.0, std::floor(std::log10(lo))); mag <= hi * 10; mag *= 10)
    for (double m : {1.0, 2.0, 5.0}) t.push_back(m * mag);
  std::vector<double> out;
  double below = t.front(), above = t.back();
  for (double x : t) {
    if (x <= lo) below = x;
    if (x >= hi) {
      above = x;
      break;
    }
  }
  for (double x : t)
    if (x >= below && x <= above) out.push_back(x);
  return out;
}

}  // namespace

std::string time_to_train_svg(const planning::FleetRunResult& res) {
  struct P {
    double gpus, ideal_d, expected_d, ett;
  };
  std::vector<P> pts;
  std::vector<long long> infeasible;
  for (const auto& p : res.sweep) {
    if (p.feasible) pts.push_back({static_cast<double>(p.gpus), p.ideal_s / 86400, p.expected_s / 86400, p.effective_fraction});
    else infeasible.push_back(p.gpus);
  }
  const double W = 860, H = 540, left = 90, right = 40, top = 70, bottom = 130;
  const double pw = W - left - right, ph = H - top - bottom;
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"DejaVu Sans, Arial, sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
      W, H);
  const auto& o = res.outcome;
  svg += fmt::format("<text x=\"{}\" y=\"28\" font-size=\"18\" font-weight=\"bold\">Time to train {} on {}</text>\n",
                     left, escape(o.model), escape(o.hardware));
  svg += fmt::format(
      "<text x=\"{}\" y=\"50\" font-size=\"13\" fill=\"#444\">{} tokens. Expected time adds checkpoint writes, "
      "restarts and lost work ({}).</text>\n",
      left, tokens_label(res.tokens),
      res.interval_young_daly ? "Young-Daly interval" : "given interval");
  if (pts.empty()) {
    svg += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"14\">No GPU count of the sweep has a feasible layout.</text>\n",
                       left, top + ph / 2);
    return svg + "</svg>\n";
  }
  const double x0 = std::log10(pts.front().gpus), x1 = std::log10(pts.back().gpus);
  const double xs = x1 > x0 ? x1 - x0 : 1;
  double ymax = 0, ymin = INFINITY;
  for (const auto& p : pts) {
    ymax = std::max({ymax, p.ideal_d, p.expected_d});
    ymin = std::min({ymin, p.ideal_d, p.expected_d});
  }
  const auto yticks = log_ticks(ymin, ymax);
  const double ly0 = std::log10(yticks.front()), ly1 = std::log10(yticks.back());
  const auto X = [&](double g) { return left + (std::log10(g) - x0) / xs * pw; };
  const auto Y = [&](double d) { return top + ph - (std::log10(d) - ly0) / (ly1 - ly0) * ph; };
  // Grid and axes.
  for (double y : yticks) {
    svg += fmt::format("<line x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\" stroke=\"#e3e3e3\"/>\n", left, Y(y),
                       left + pw, Y(y));
    svg += fmt::format("<text x=\"{}\" y=\"{:.1f}\" font-size=\"12\" text-anchor=\"end\">{:g}</text>\n", left - 8,
                       Y(y) + 4, y);
  }
  for (const auto& p : pts) {
    svg += fmt::format("<line x1=\"{:.1f}\" y1=\"{}\" x2=\"{:.1f}\" y2=\"{}\" stroke=\"#efefef\"/>\n", X(p.gpus), top,
                       X(p.gpus), top + ph);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">{}</text>\n", X(p.gpus),
                       top + ph + 18, gpus_label(p.gpus));
  }
  svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#333\"/>\n", left, top,
                     pw, ph);
  svg += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"13\" text-anchor=\"middle\">GPUs (log scale)</text>\n",
                     left + pw / 2, top + ph + 40);
  svg += fmt::format(
      "<text x=\"22\" y=\"{0}\" font-size=\"13\" text-anchor=\"middle\" transform=\"rotate(-90 22 {0})\">time to "
      "train (days, log scale)</text>\n",
      top + ph / 2);
  // Lines.
  const auto polyline = [&](auto value, const char* colour, const char* dash) {
    std::string pts_text;
    for (const auto& p : pts) pts_text += fmt::format("{:.1f},{:.1f} ", X(p.gpus), Y(value(p)));
    std::string s = fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2.5\"{}/>\n",
                                pts_text, colour, dash);
    for (const auto& p : pts)
      s += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3.5\" fill=\"{}\"/>\n", X(p.gpus), Y(value(p)), colour);
    return s;
  };
  svg += polyline([](const P& p) { return p.ideal_d; }, "#1f77b4", " stroke-dasharray=\"7 4\"");
  svg += polyline([](const P& p) { return p.expected_d; }, "#d62728", "");
  // The optima.
  const auto best_expected = std::min_element(pts.begin(), pts.end(), [](const P& a, const P& b) {
    return a.expected_d < b.expected_d;
  });
  const auto best_ideal = std::min_element(pts.begin(), pts.end(), [](const P& a, const P& b) {
    return a.ideal_d < b.ideal_d;
  });
  svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"8\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"2\"/>\n",
                     X(best_expected->gpus), Y(best_expected->expected_d));
  // The label sits well above the lines, on a white halo, with a leader to the marker.
  const bool label_left = X(best_expected->gpus) > left + pw * 0.6;
  const double bx = X(best_expected->gpus), by = Y(best_expected->expected_d);
  // Curves fall to the right, so the top of the plot is free above a low optimum.
  const double ty = by > top + ph * 0.4 ? top + 24.0 : std::min(top + ph - 10.0, by + 40);
  svg += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#d62728\"/>\n", bx,
                     ty < by ? by - 9 : by + 9, bx, ty < by ? ty + 5 : ty - 14);
  svg += fmt::format(
      "<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"13\" fill=\"#d62728\" text-anchor=\"{}\" stroke=\"white\" "
      "stroke-width=\"4\" paint-order=\"stroke\">fastest with failures: {} GPUs, {:.1f} days, effective training "
      "time {:.0f}%</text>\n",
      bx + (label_left ? 6 : -6), ty, label_left ? "end" : "start", gpus_label(best_expected->gpus),
      best_expected->expected_d, 100 * best_expected->ett);
  // Legend under the axis label.
  const double ly = top + ph + 66;
  svg += fmt::format(
      "<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#1f77b4\" stroke-width=\"2.5\" "
      "stroke-dasharray=\"7 4\"/><text x=\"{3}\" y=\"{4}\" font-size=\"12\">ideal (no failures){5}</text>\n",
      left, ly, left + 30, left + 38, ly + 4,
      best_ideal->gpus != best_expected->gpus ? fmt::format(": fastest at {} GPUs ({:.1f} days)", gpus_label(best_ideal->gpus), best_ideal->ideal_d) : "");
  svg += fmt::format(
      "<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#d62728\" stroke-width=\"2.5\"/><text x=\"{3}\" "
      "y=\"{4}\" font-size=\"12\">expected, with failures, checkpoints and restarts</text>\n",
      left, ly + 20, left + 30, left + 38, ly + 24);
  if (!infeasible.empty()) {
    std::string list;
    for (auto n : infeasible) list += (list.empty() ? "" : ", ") + gpus_label(static_cast<double>(n));
    svg += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"#666\">no feasible layout at: {} GPUs</text>\n",
                       left, ly + 42, list);
  }
  return svg + "</svg>\n";
}

}  // namespace xpusim::report
