#include "search/sweep.hpp"

#include "core/error.hpp"

namespace xpusim::search {

std::vector<SweepPoint> sweep_points(const scenario::Scenario& base, const std::vector<SweepAxis>& axes) {
  std::vector<const scenario::RunField*> fields;
  for (const auto& a : axes) {
    const auto* f = scenario::find_field(a.field);
    if (!f) throw core::Error("sweep: '" + a.field + "' is not a run-spec field");
    if (a.values.empty() || a.values.size() != a.shown.size())
      throw core::Error("sweep: axis '" + a.label + "' needs values");
    fields.push_back(f);
  }
  std::vector<SweepPoint> out;
  std::vector<std::size_t> at(axes.size(), 0);
  while (true) {
    SweepPoint p;
    p.scenario = base;
    for (std::size_t i = 0; i < axes.size(); ++i) {
      fields[i]->apply(axes[i].values[at[i]], p.scenario);
      p.values.emplace_back(axes[i].label, axes[i].shown[at[i]]);
    }
    out.push_back(std::move(p));
    // Odometer with the last axis fastest.
    std::size_t i = axes.size();
    while (i > 0) {
      --i;
      if (++at[i] < axes[i].values.size()) break;
      at[i] = 0;
      if (i == 0) return out;
    }
    if (axes.empty()) return out;
  }
}

void run_sweep(const scenario::Session& session, const std::vector<SweepPoint>& points, const SearchOptions& options,
               const std::function<void(const SweepRow&)>& on_row, const core::ProgressFn& points_done) {
  SearchOptions o = options;
  o.progress = {};
  for (std::size_t i = 0; i < points.size(); ++i) {
    SweepRow row;
    row.point = &points[i];
    row.result = search_layouts(session, points[i].scenario, o);
    on_row(row);
    if (points_done) points_done(i + 1, points.size());
    if (o.stop && o.stop->load()) return;
  }
}

}  // namespace xpusim::search
