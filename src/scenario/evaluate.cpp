#include "scenario/evaluate.hpp"

#include <algorithm>
#include "training/stack.hpp"

namespace xpusim::scenario {

std::vector<std::string> uncalibrated_parameters(const hardware::Chip& chip) {
  std::vector<std::string> out;
  for (const auto& name : chip.calibration().defaulted()) out.push_back("chip." + name);
  return out;
}

std::vector<std::string> uncalibrated_parameters(const hardware::System& system) {
  auto out = uncalibrated_parameters(system.chip());
  for (const auto& name : system.calibration().defaulted()) out.push_back("system." + name);
  return out;
}

std::string hbm_timing_estimate(const Session& session, const hardware::Chip& chip) {
  const auto gens = session.timings().generations();
  const auto& gen = chip.memory().generation();
  if (std::find(gens.begin(), gens.end(), gen) == gens.end()) return "";
  const auto& set = session.timings().closest(gen, chip.memory().pin_rate_bits_per_s());
  return set.estimate ? "memory.timing_set." + set.name + " (scaled estimate)" : "";
}

std::shared_ptr<const model::Architecture> resolve_architecture(const Session& session, const Scenario& s) {
  if (s.architecture) return s.architecture;
  if (s.model.empty()) throw core::Error::flag("--model", "", "a shipped model name or a HuggingFace config.json");
  return session.architecture(s.model);
}

std::shared_ptr<const hardware::System> resolve_system(const Session& session, const Scenario& s) {
  if (s.system_spec) return hardware::apply_overrides(s.system_spec, s.overrides, session.schema());
  if (s.system.empty()) throw core::Error::flag("--system", "", "a catalog system name or a YAML file");
  return session.system(s.system, "--system", s.overrides);
}

training::Layout effective_layout(const Session& session, const Scenario& s) {
  training::Layout l = s.layout;
  if (!s.stack.empty()) {
    // The stack's framework defaults go under the flags the scenario gave explicitly.
    const bool tp_overlap = l.framework.overlap_tp_comm;
    training::apply_stack(l, *session.stack(s.stack));
    l.framework.overlap_tp_comm = l.framework.overlap_tp_comm || tp_overlap;
  }
  if (s.grad_reduce_bytes > 0) l.framework.grad_reduce_bytes = s.grad_reduce_bytes;
  if (s.optimizer_state_bytes > 0) l.framework.optimizer_state_bytes = s.optimizer_state_bytes;
  return l;
}

TrainingOutcome evaluate(const Session& session, const Scenario& s) {
  const auto arch = resolve_architecture(session, s);
  const auto system = resolve_system(session, s);
  TrainingOutcome out;
  out.scenario = s.name;
  out.model = arch->name;
  out.system = system->name();
  out.hardware = system->label();
  out.derived = system->chip().spec().derived;
  out.derived.insert(out.derived.end(), system->spec().derived.begin(), system->spec().derived.end());
  out.uncalibrated = uncalibrated_parameters(*system);
  if (auto note = hbm_timing_estimate(session, system->chip()); !note.empty()) out.uncalibrated.push_back(std::move(note));
  const auto model = session.step_model(arch, system);
  out.step = model->evaluate(effective_layout(session, s));
  out.stage_layers = model->stage_layers(out.step.layout);
  return out;
}

training::MemoryFit check_memory(const Session& session, const Scenario& s) {
  return session.step_model(resolve_architecture(session, s), resolve_system(session, s))->check_memory(effective_layout(session, s));
}

}  // namespace xpusim::scenario
