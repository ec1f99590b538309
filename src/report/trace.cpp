#include "report/trace.hpp"

#include <algorithm>

#include "training/schedule.hpp"

namespace xpusim::report {
namespace {

Record thread_name(int tid, const std::string& name) {
  return Record{{"name", "thread_name"}, {"ph", "M"}, {"pid", 1}, {"tid", tid}, {"args", Record{{"name", name}}}};
}

Record slice(int tid, const std::string& name, const std::string& cat, double start_s, double dur_s) {
  return Record{{"name", name}, {"cat", cat},         {"ph", "X"},
                {"pid", 1},     {"tid", tid},         {"ts", start_s * 1e6},
                {"dur", dur_s * 1e6}};
}

}  // namespace

Record training_trace(const training::StepModel& model, const training::StepResult& r) {
  Record events = Record::array();
  events.push_back(Record{{"name", "process_name"}, {"ph", "M"}, {"pid", 1}, {"args", Record{{"name", "xpusim train step"}}}});
  if (!r.feasible || r.layout.pp < 1) {
    return Record{{"traceEvents", events}, {"metadata", Record{{"feasible", false}, {"reason", r.reason}}}};
  }
  const auto& l = r.layout;
  const auto stages = model.stage_times(l, model.shape_costs(l));
  const auto sched = training::simulate_pipeline(l.pp, l.vpp, r.microbatches, stages, r.p2p_s);
  for (int s = 0; s < l.pp; ++s) {
    events.push_back(thread_name(2 * s, "stage " + std::to_string(s) + " compute"));
    events.push_back(thread_name(2 * s + 1, "stage " + std::to_string(s) + " comm"));
  }
  double end = 0;
  for (const auto& e : sched) {
    const std::string name = std::string(e.backward ? "B" : "F") + std::to_string(e.microbatch) +
                             (l.vpp > 1 ? "." + std::to_string(e.chunk) : "");
    events.push_back(slice(2 * e.stage, name, e.backward ? "backward" : "forward", e.start_s, e.duration_s));
    if (e.comm_s > 0)
      events.push_back(slice(2 * e.stage + 1, name + " tp/cp/ep", "comm", e.start_s + e.duration_s - e.comm_s, e.comm_s));
    end = std::max(end, e.start_s + e.duration_s);
  }
  // After the last backward: exposed data-parallel reduction and the optimizer on every stage.
  const int dp_tid = 2 * l.pp, opt_tid = 2 * l.pp + 1;
  events.push_back(thread_name(dp_tid, "data parallel"));
  events.push_back(thread_name(opt_tid, "optimizer"));
  if (r.time.dp_comm > 0) events.push_back(slice(dp_tid, "dp grad reduce (exposed)", "comm", end, r.time.dp_comm));
  events.push_back(slice(opt_tid, "adam", "optimizer", end + r.time.dp_comm, r.time.optimizer));
  return Record{{"traceEvents", events},
                {"displayTimeUnit", "ms"},
                {"metadata", Record{{"step_time_s", r.step_time_s}, {"schedule_end_s", end + r.time.dp_comm + r.time.optimizer}}}};
}

}  // namespace xpusim::report
