#include "report/search_record.hpp"

#include <fmt/format.h>

#include "report/training_record.hpp"

namespace xpusim::report {
namespace {

Record counts(const search::SearchResult& r) {
  return Record{{"evaluated", r.evaluated},
                {"pruned", r.pruned()},
                {"feasible", r.feasible},
                {"elapsed_s", r.elapsed_s},
                {"enumerated", r.enumerated},
                {"pruned_structure", r.pruned_structure},
                {"pruned_memory", r.pruned_memory},
                {"interrupted", r.interrupted},
                {"objective", search::objective_name(r.objective)},
                {"max_memory_fraction", r.max_memory_fraction},
                {"model", r.best.model},
                {"system", r.best.system},
                {"hardware", r.best.hardware}};
}

Record row_view(const scenario::TrainingOutcome& o) {
  const auto& s = o.step;
  return Record{{"layout", layout_label(s.layout)},
                {"order", training::axis_order_name(s.layout.order)},
                {"tokens_per_s", s.tokens_per_s},
                {"mfu", s.mfu},
                {"step_time_s", s.step_time_s},
                {"memory_per_gpu_bytes", s.memory.total()}};
}

// A train record with the layout fields a search varies that the train record leaves implicit.
Record searched_record(const scenario::TrainingOutcome& o) {
  Record row = training_outcome_record(o);
  row["parallelism"]["etp"] = o.step.layout.expert_tp();
  row["parallelism"]["trim_edge_stages"] = o.step.layout.trim_edge_stages;
  return row;
}

}  // namespace

std::string layout_label(const training::Layout& l) {
  std::string out = fmt::format("tp{} pp{} vpp{} cp{} dp{}", l.tp, l.pp, l.vpp, l.cp, l.dp);
  if (l.ep > 1) out += fmt::format(" ep{}", l.ep);
  if (l.etp > 0 && l.etp != l.tp) out += fmt::format(" etp{}", l.etp);
  out += fmt::format(" mb{} {} zero{}", l.micro_batch, training::recompute_name(l.recompute), l.zero);
  if (l.tp > 1 && !l.sp()) out += " no-sp";
  if (l.trim_edge_stages) out += " trim";
  return out;
}

Record search_record(const search::SearchResult& r, bool with_pareto) {
  Record out = counts(r);
  if (r.results.empty()) out["reason"] = r.best.step.reason;
  out["uncalibrated"] = r.best.uncalibrated;
  Record results = Record::array();
  for (std::size_t i = 0; i < r.results.size(); ++i) {
    Record row{{"rank", i + 1}, {"gap_to_best", r.results[i].gap_to_best}};
    row.update(searched_record(r.results[i].outcome));
    results.push_back(std::move(row));
  }
  out["results"] = std::move(results);
  if (r.reference) {
    Record ref{{"rank", r.reference_rank},
               {"ranked", r.ranked},
               {"mesh_rank", r.reference_mesh_rank},
               {"meshes", r.meshes},
               {"gap_to_best", r.reference->gap_to_best}};
    ref.update(searched_record(r.reference->outcome));
    out["reference"] = std::move(ref);
  }
  if (with_pareto) {
    Record front = Record::array();
    for (const auto& o : r.pareto) front.push_back(searched_record(o));
    out["pareto"] = std::move(front);
  }
  return out;
}

Record search_table_view(const search::SearchResult& r, bool with_pareto) {
  Record out{{"model", r.best.model},
             {"hardware", r.best.hardware},
             {"objective", search::objective_name(r.objective)},
             {"enumerated", r.enumerated},
             {"pruned_structure", r.pruned_structure},
             {"pruned_memory", r.pruned_memory},
             {"evaluated", r.evaluated},
             {"feasible", r.feasible},
             {"elapsed_s", r.elapsed_s}};
  if (r.interrupted) out["interrupted"] = true;
  if (r.results.empty()) out["reason"] = r.best.step.reason;
  Record rows = Record::array();
  for (std::size_t i = 0; i < r.results.size(); ++i) {
    Record row{{"rank", i + 1}};
    row.update(row_view(r.results[i].outcome));
    row["gap_to_best"] = r.results[i].gap_to_best;
    rows.push_back(std::move(row));
  }
  out["results"] = std::move(rows);
  if (r.reference) {
    Record ref{{"rank", r.reference_rank}, {"ranked", r.ranked}, {"mesh_rank", r.reference_mesh_rank}, {"meshes", r.meshes}};
    ref.update(row_view(r.reference->outcome));
    ref["gap_to_best"] = r.reference->gap_to_best;
    out["reference"] = Record::array({ref});
  }
  if (with_pareto) {
    Record front = Record::array();
    for (const auto& o : r.pareto) front.push_back(row_view(o));
    out["pareto"] = std::move(front);
  }
  return out;
}

}  // namespace xpusim::report
