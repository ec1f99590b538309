#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/parallel.hpp"
#include "design/cost_model.hpp"
#include "hardware/overrides.hpp"
#include "scenario/session.hpp"
#include "serving/engine.hpp"
#include "serving/goodput.hpp"
#include "training/step_model.hpp"

namespace xpusim::design {

// One varied field: `--vary memory.stacks=4,5,6,8`.
struct SweepAxis {
  std::string path;
  std::vector<std::string> values;
};
// Throws core::Error naming --vary for a missing '=', an empty value or a path given twice.
SweepAxis parse_axis(const std::string& text);
// Every combination of the axes' values, first axis slowest, as override sets.
std::vector<std::vector<hardware::Override>> sweep_grid(const std::vector<SweepAxis>& axes);

// A training workload: the fastest layout the trainer finds for the model at this scale.
struct TrainWorkload {
  std::string model;
  long long gpus = 0, seq_len = 0, global_batch = 0;
};

// The best layout of a training job on a system.
using TrainSearch = std::function<training::StepResult(const scenario::Session&, const TrainWorkload&,
                                                       const std::shared_ptr<const hardware::System>&)>;
// The parallelism search (search::search_layouts, every legal layout, one thread per point since
// the sweep runs points in parallel): the default.
training::StepResult searched_layout(const scenario::Session& session, const TrainWorkload& w,
                                     const std::shared_ptr<const hardware::System>& system);
// A quick enumeration of TP x PP x micro-batch x recompute inside the scale-up domain, for
// sweeps that want speed over the last few percent.
training::StepResult small_layout_search(const scenario::Session& session, const TrainWorkload& w,
                                         const std::shared_ptr<const hardware::System>& system);

// A serving workload: the highest SLO goodput the serving model finds for the model on `gpus`
// GPUs of the point (TP degree and load searched, serving::best_slo_goodput).
struct ServeWorkload {
  std::string model;
  serving::EngineProfile engine;
  serving::GoodputWorkload workload;
};

struct SweepSpec {
  std::string base;  // a system (name or file) or a chip name with a catalog system
  std::vector<SweepAxis> axes;
  std::optional<TrainWorkload> train;
  TrainSearch train_search = searched_layout;
  std::optional<ServeWorkload> serve;
};

// One design point's outcome.
struct PointResult {
  std::vector<hardware::Override> params;
  std::string hardware;  // "dgx-h100 with memory.stacks=8"
  bool feasible = true;
  std::string reason;
  DesignCost cost;
  std::optional<training::StepResult> train;  // best layout, when a training workload is given
  double train_tokens_per_s_per_chip = 0;
  std::optional<serving::GoodputResult> serve;  // when a serving workload is given
  double serve_goodput_tokens_per_s_per_chip = 0;
  // compute | hbm_bandwidth | hbm_capacity | scale_up | scale_out | slo | die_area (what bounds it;
  // the serving workload's when there is one, else the training workload's)
  std::string limiting_resource;
  std::vector<std::string> derived, uncalibrated;
};

// The system a sweep varies: `base` as a system, or the catalog system built on that chip.
std::shared_ptr<const hardware::System> base_system(const scenario::Session& session, const std::string& base);

// Evaluates one point. Contract: thread-safe against one session; bad overrides throw
// core::Error naming --vary; a point that cannot hold the workload is feasible: false.
PointResult evaluate_point(const scenario::Session& session, const SweepSpec& spec,
                           const std::vector<hardware::Override>& params, const CostCoefficients& k);

// The sweep's grid (sweep_grid of its axes) with every point's overrides applied to the base
// once, so a bad --vary fails cleanly (core::Error naming --vary) before any work.
std::vector<std::vector<hardware::Override>> checked_grid(const scenario::Session& session, const SweepSpec& spec);

// Evaluates every point of checked_grid in parallel; results in grid order.
std::vector<PointResult> run_sweep(const scenario::Session& session, const SweepSpec& spec,
                                   const CostCoefficients& k, const core::ProgressFn& progress = {});

// Non-dominated points: maximise `a`, and maximise `b` (or minimise it when maximize_b is false).
// Points with `valid[i]` false never enter the front.
std::vector<bool> pareto_front(const std::vector<double>& a, const std::vector<double>& b, bool maximize_b,
                               const std::vector<bool>& valid);

}  // namespace xpusim::design
