#include "report/design_record.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>

namespace xpusim::report {
namespace {

// The throughput a point's record is ranked by: serving goodput when the sweep serves, else
// training; 0 where the workload does not fit (the record holds null).
double throughput_of(const Record& r) {
  const auto& v = r[r.contains("serve") ? "serve_goodput_tokens_per_s_per_chip" : "train_tokens_per_s_per_chip"];
  return v.is_number() ? v.get<double>() : 0.0;
}

// The point's value of a varied field ("" when the record lacks it).
std::string param_of(const Record& r, const std::string& path) {
  const auto& params = r["params"];
  return params.contains(path) ? params[path].get<std::string>() : std::string();
}

// "200TFLOP/s", "989.4TFLOP/s" -> ("200", "989.4") and "TFLOP/s": tick labels that fit.
std::pair<std::vector<std::string>, std::string> split_common_unit(const std::vector<std::string>& values) {
  std::string unit;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto& v = values[i];
    std::size_t k = 0;
    while (k < v.size() && (std::isdigit(static_cast<unsigned char>(v[k])) || v[k] == '.')) ++k;
    if (k == 0) return {values, ""};
    std::string u = v.substr(k);
    while (!u.empty() && u.front() == ' ') u.erase(u.begin());
    if (u.empty() || (i > 0 && u != unit)) return {values, ""};
    unit = u;
  }
  std::vector<std::string> out;
  for (const auto& v : values) {
    std::size_t k = 0;
    while (k < v.size() && (std::isdigit(static_cast<unsigned char>(v[k])) || v[k] == '.')) ++k;
    out.push_back(v.substr(0, k));
  }
  return {out, unit};
}

}  // namespace

Record design_point_record(const design::PointResult& p) {
  Record params = Record::object();
  for (const auto& o : p.params) params[o.path] = o.value;
  const auto& c = p.cost;
  const auto nullable = [](bool have, double v) { return have ? Record(v) : Record(nullptr); };
  const bool trained = p.train && p.train->feasible;
  const bool served = p.serve && p.serve->feasible;
  Record r{{"params", params},
           {"hardware", p.hardware},
           {"feasible", p.feasible},
           {"reason", p.reason},
           {"train_tokens_per_s_per_chip", nullable(trained, p.train_tokens_per_s_per_chip)},
           {"serve_goodput_tokens_per_s_per_chip", nullable(served, p.serve_goodput_tokens_per_s_per_chip)},
           {"power_w", c.power_w},
           {"cost_usd", c.cost_usd},
           {"train_tokens_per_s_per_watt", nullable(trained && c.power_w > 0, p.train_tokens_per_s_per_chip / c.power_w)},
           {"train_tokens_per_s_per_kusd",
            nullable(trained && c.cost_usd > 0, p.train_tokens_per_s_per_chip / (c.cost_usd / 1000.0))},
           {"serve_goodput_tokens_per_s_per_watt",
            nullable(served && c.power_w > 0, p.serve_goodput_tokens_per_s_per_chip / c.power_w)},
           {"serve_goodput_tokens_per_s_per_kusd",
            nullable(served && c.cost_usd > 0, p.serve_goodput_tokens_per_s_per_chip / (c.cost_usd / 1000.0))},
           {"limiting_resource", p.limiting_resource.empty() ? Record(nullptr) : Record(p.limiting_resource)}};
  r["cost"] = Record{{"die_area_mm2", c.die_area_mm2},       {"compute_area_mm2", c.compute_area_mm2},
                     {"sram_area_mm2", c.sram_area_mm2},     {"phy_area_mm2", c.phy_area_mm2},
                     {"dies_per_wafer", c.dies_per_wafer},   {"die_yield", c.die_yield},
                     {"die_cost_usd", c.die_cost_usd},       {"hbm_cost_usd", c.hbm_cost_usd},
                     {"package_cost_usd", c.package_cost_usd}, {"test_assembly_usd", c.test_assembly_usd},
                     {"compute_power_w", c.compute_power_w}, {"hbm_power_w", c.hbm_power_w},
                     {"static_power_w", c.static_power_w},   {"power_capped", c.power_capped}};
  if (p.train) {
    const auto& t = *p.train;
    const auto& l = t.layout;
    r["train"] = Record{{"feasible", t.feasible},
                        {"step_time_s", nullable(t.feasible, t.step_time_s)},
                        {"mfu", nullable(t.feasible, t.mfu)},
                        {"memory_per_gpu_bytes", nullable(t.feasible, t.memory.total())},
                        {"tp", l.tp},
                        {"pp", l.pp},
                        {"dp", t.feasible ? Record(l.dp) : Record(nullptr)},
                        {"micro_batch", l.micro_batch},
                        {"recompute", training::recompute_name(l.recompute)}};
  }
  if (p.serve) {
    const auto& g = *p.serve;
    r["serve"] = Record{{"feasible", g.feasible},
                        {"tp", nullable(g.feasible, g.tp)},
                        {"replicas", nullable(g.feasible, g.replicas)},
                        {"clients_per_replica", nullable(g.feasible, g.concurrency)},
                        {"goodput_requests_per_s_per_chip", nullable(g.feasible, g.goodput_requests_per_s_per_gpu)},
                        {"ttft_p99_s", nullable(g.feasible, g.result.ttft_s.p99)},
                        {"tpot_p99_s", nullable(g.feasible, g.result.tpot_s.p99)},
                        {"mean_decode_batch", nullable(g.feasible, g.result.mean_batch_seqs)},
                        {"kv_blocks", nullable(g.feasible, static_cast<double>(g.result.kv_blocks))},
                        {"compute_busy_s", nullable(g.feasible, g.compute_s)},
                        {"hbm_busy_s", nullable(g.feasible, g.hbm_s)},
                        {"decode_bound", g.feasible ? Record(g.decode_bound) : Record(nullptr)},
                        {"elapsed_s", nullable(g.feasible, g.result.elapsed_s)},
                        {"simulations", g.simulations}};
  }
  r["derived"] = p.derived;
  r["estimates"] = c.estimates;
  r["uncalibrated"] = p.uncalibrated;
  return r;
}

HtmlReport design_sweep_report(const std::vector<Record>& points, const std::vector<bool>& front,
                               const std::vector<design::SweepAxis>& axes, const std::string& base,
                               const std::string& workload, const std::string& footer) {
  HtmlReport page;
  page.title = "Chip design sweep over " + base;
  page.notes.push_back(fmt::format("{} design points; workload: {}. Throughput is per chip; cost is the estimated "
                                   "manufacturing cost (die, HBM, package, test; no margin).",
                                   points.size(), workload));
  page.notes.push_back("Bold rows and large markers: the Pareto front (most throughput for the cost). Area, power and "
                       "cost rest on the coefficients of data/design/cost_model.yaml, several of them estimates (listed "
                       "per point in the JSON output).");
  // Pareto plot.
  const bool serving = !points.empty() && points.front().contains("serve");
  const std::string y_label = serving ? "SLO goodput, output tokens/s per chip" : "training tokens/s per chip";
  PlotSpec pareto{"pareto", "Throughput per chip against cost", "estimated manufacturing cost per chip (USD)",
                  y_label, false, {}, {}, 760, 460};
  PlotSeries all{"design points", {}, false, false}, best{"Pareto front", {}, true, true};
  std::vector<std::pair<double, double>> front_pts;
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (!points[i]["feasible"].get<bool>()) continue;
    const std::pair<double, double> xy{points[i]["cost_usd"].get<double>(), throughput_of(points[i])};
    (front[i] ? front_pts : all.points).push_back(xy);
  }
  std::sort(front_pts.begin(), front_pts.end());
  best.points = front_pts;
  pareto.series = {all, best};
  page.plots.push_back(pareto);
  // Sensitivity: per axis, throughput at each of its values: one line per combination of the
  // other axes' values when there are at most 8 of them (the palette's size), else their mean.
  for (std::size_t a = 0; a < axes.size(); ++a) {
    std::size_t combos = 1;
    for (std::size_t b = 0; b < axes.size(); ++b)
      if (b != a) combos *= axes[b].values.size();
    const bool per_combo = combos > 1 && combos <= 8;
    const auto [labels, unit] = split_common_unit(axes[a].values);
    PlotSpec sens{"sensitivity-" + std::to_string(a), "Sensitivity to " + axes[a].path,
                  axes[a].path + (unit.empty() ? "" : " (" + unit + ")"),
                  per_combo ? y_label : y_label + " (mean)", false, labels, {}, per_combo ? 900 : 480, 380};
    std::map<std::string, PlotSeries> lines;  // by the other axes' values
    std::vector<std::string> order;
    std::vector<double> sum(axes[a].values.size(), 0.0);
    std::vector<int> n(axes[a].values.size(), 0);
    for (const auto& p : points) {
      if (!p["feasible"].get<bool>()) continue;
      const auto v = static_cast<std::size_t>(
          std::find(axes[a].values.begin(), axes[a].values.end(), param_of(p, axes[a].path)) - axes[a].values.begin());
      if (v >= axes[a].values.size()) continue;
      sum[v] += throughput_of(p);
      ++n[v];
      std::string key;  // "stacks=4 · generation=hbm3": the last part of each path names it
      for (std::size_t b = 0; b < axes.size(); ++b)
        if (b != a) {
          const auto dot = axes[b].path.rfind('.');
          key += (key.empty() ? "" : " · ") + axes[b].path.substr(dot == std::string::npos ? 0 : dot + 1) + "=" +
                 param_of(p, axes[b].path);
        }
      if (!lines.count(key)) {
        order.push_back(key);
        lines[key] = PlotSeries{key, {}, true, false};
      }
      lines[key].points.emplace_back(static_cast<double>(v), throughput_of(p));
    }
    if (per_combo) {
      for (const auto& k : order) sens.series.push_back(lines[k]);
    } else {
      PlotSeries line{"mean over the other varied fields", {}, true, false};
      for (std::size_t v = 0; v < sum.size(); ++v)
        if (n[v] > 0) line.points.emplace_back(static_cast<double>(v), sum[v] / n[v]);
      sens.series = {line};
    }
    page.plots.push_back(sens);
  }
  std::vector<std::string> keys;
  for (const auto& ax : axes) keys.push_back("params." + ax.path);
  const std::vector<std::string> metric =
      serving ? std::vector<std::string>{"serve_goodput_tokens_per_s_per_chip", "serve_goodput_tokens_per_s_per_watt",
                                         "serve.tp", "serve.clients_per_replica", "serve.tpot_p99_s"}
              : std::vector<std::string>{"train_tokens_per_s_per_chip", "train_tokens_per_s_per_watt"};
  keys.emplace_back("feasible");
  keys.emplace_back(metric[0]);
  for (const char* k : {"power_w", "cost_usd"}) keys.emplace_back(k);
  keys.insert(keys.end(), metric.begin() + 1, metric.end());
  for (const char* k : {"limiting_resource", "cost.die_area_mm2", "cost.die_yield", "reason"}) keys.emplace_back(k);
  // Paths with dots inside a params key cannot be split; read params cells directly.
  page.columns = keys;
  for (std::size_t a = 0; a < axes.size(); ++a) page.columns[a] = axes[a].path;
  page.rows = table_cells(points, keys);
  for (std::size_t i = 0; i < points.size(); ++i)
    for (std::size_t a = 0; a < axes.size(); ++a) page.rows[i][a] = param_of(points[i], axes[a].path);
  page.highlight_rows = front;
  page.footer = footer;
  return page;
}

}  // namespace xpusim::report
