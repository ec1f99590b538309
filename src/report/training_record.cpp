#include "report/training_record.hpp"

#include "training/layout.hpp"

namespace xpusim::report {

namespace {

// An infeasible design keeps what was computed (e.g. the memory that did not fit); a figure the
// model never reached is null ("-" in a table), not a zero that reads as a result.
void null_uncomputed(Record& out, const training::StepResult& r) {
  if (r.memory.total() <= 0) {
    out["memory_per_gpu_bytes"] = nullptr;
    for (auto& v : out["memory_breakdown"]) v = nullptr;
  }
  if (r.memory_capacity_bytes <= 0) out["memory_capacity_bytes"] = nullptr;
  if (!(r.step_time_s > 0)) {
    for (const char* k : {"step_time_s", "tokens_per_s", "model_tflops_per_gpu", "hardware_tflops_per_gpu", "mfu", "hfu"})
      out[k] = nullptr;
    for (auto& v : out["time_breakdown_s"]) v = nullptr;
  }
  if (r.layout.dp <= 0) out["parallelism"]["dp"] = nullptr;
  if (r.microbatches <= 0) out["parallelism"]["microbatches"] = nullptr;
}

}  // namespace

Record training_record(const training::StepResult& r, const std::string& model, const std::string& system) {
  const auto& l = r.layout;
  const auto& m = r.memory;
  const auto& t = r.time;
  Record out{{"model", model},
             {"system", system},
             {"gpus", l.gpus},
             {"feasible", r.feasible},
             {"reason", r.reason},
             {"step_time_s", r.step_time_s},
             {"tokens_per_s", r.tokens_per_s},
             {"model_tflops_per_gpu", r.model_tflops_per_gpu},
             {"hardware_tflops_per_gpu", r.hardware_tflops_per_gpu},
             {"mfu", r.mfu},
             {"hfu", r.hfu},
             {"memory_per_gpu_bytes", m.total()},
             {"memory_capacity_bytes", r.memory_capacity_bytes}};
  out["memory_breakdown"] = Record{{"weights_bytes", m.weights},
                                   {"gradients_bytes", m.gradients},
                                   {"optimizer_bytes", m.optimizer},
                                   {"activations_bytes", m.activations},
                                   {"moe_buffers_bytes", m.moe_buffers},
                                   {"comm_buffers_bytes", m.comm_buffers},
                                   {"reserve_bytes", m.reserve}};
  out["time_breakdown_s"] = Record{{"compute", t.compute},     {"recompute", t.recompute},
                                   {"tp_comm", t.tp_comm},     {"cp_comm", t.cp_comm},
                                   {"ep_comm", t.ep_comm},     {"pp_comm", t.pp_comm},
                                   {"dp_comm", t.dp_comm},     {"bubble", t.bubble},
                                   {"optimizer", t.optimizer}, {"other", t.other}};
  out["parallelism"] = Record{{"tp", l.tp},
                              {"pp", l.pp},
                              {"vpp", l.vpp},
                              {"dp", l.dp},
                              {"cp", l.cp},
                              {"ep", l.ep},
                              {"micro_batch", l.micro_batch},
                              {"micro_batch_auto", r.micro_batch_auto},
                              {"stack", l.stack.name},
                              {"grad_reduce", training::grad_reduce_name(l.framework)},
                              {"optimizer_state", training::optimizer_state_name(l.framework)},
                              {"microbatches", r.microbatches},
                              {"recompute", training::recompute_name(l.recompute)},
                              {"zero", l.zero},
                              {"sp", l.sp()},
                              {"dtype", std::string(core::dtype_name(l.dtype))},
                              {"order", training::axis_order_name(l.order)}};
  if (!r.feasible) null_uncomputed(out, r);
  return out;
}

Record training_outcome_record(const scenario::TrainingOutcome& o) {
  Record out = Record::object();
  if (!o.scenario.empty()) out["scenario"] = o.scenario;
  out.update(training_record(o.step, o.model, o.system));
  // Decoder layers per pipeline stage as the layout split them ("7,8,...,8,7"); empty when the
  // layout failed its structural check.
  std::string split;
  for (int n : o.stage_layers) split += (split.empty() ? "" : ",") + std::to_string(n);
  out["parallelism"]["pipeline_layers"] = split;
  // Always present, so every row of a stream has the same columns.
  out["hardware"] = o.hardware;
  out["derived"] = o.derived;
  out["uncalibrated"] = o.uncalibrated;
  return out;
}

}  // namespace xpusim::report
