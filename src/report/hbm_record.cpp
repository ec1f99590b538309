#include "report/hbm_record.hpp"

namespace xpusim::report {

Record hbm_sim_record(const memory::SimResult& r) {
  const auto& c = r.commands;
  Record rec;
  rec["simulated_requests"] = r.simulated_requests;
  rec["elapsed_s"] = r.elapsed_s;
  rec["bandwidth_bytes_per_s"] = r.bandwidth_bytes_per_s;
  rec["peak_bandwidth_bytes_per_s"] = r.peak_bandwidth_bytes_per_s;
  rec["efficiency"] = r.efficiency;
  rec["avg_latency_s"] = r.avg_latency_s;
  rec["p99_latency_s"] = r.p99_latency_s;
  rec["row_hit_rate"] = r.row_hit_rate;
  // Latency for what it is: under saturation the window sets it (Little's law).
  rec["latency"] = Record{{"window_requests", r.window_requests},
                          {"loaded_avg_s", r.avg_latency_s},
                          {"littles_law_s", r.littles_law_latency_s}};
  rec["commands"] = Record{{"act", c.act}, {"rd", c.rd + c.rda}, {"wr", c.wr + c.wra}, {"pre", c.pre + c.prea},
                           {"ref", c.ref + c.refpb}};
  rec["commands_detail"] = Record{{"act", c.act},   {"rd", c.rd},     {"rda", c.rda},
                                  {"wr", c.wr},     {"wra", c.wra},   {"pre", c.pre},
                                  {"prea", c.prea}, {"ref", c.ref},   {"refpb", c.refpb}};
  rec["bytes"] = r.bytes;
  rec["cycles"] = r.cycles;
  return rec;
}

Record hbm_check_record(const memory::CheckReport& c) {
  Record rec{{"commands_checked", c.commands_checked}, {"violations", c.violations}};
  Record first = Record::array();
  for (const auto& v : c.first) first.push_back(Record{{"constraint", v.constraint}, {"detail", v.detail}});
  rec["first_violations"] = first;
  return rec;
}

Record hbm_estimate_record(const memory::BandwidthEstimate& e) {
  return Record{{"bandwidth_bytes_per_s", e.bandwidth_bytes_per_s},
                {"peak_bandwidth_bytes_per_s", e.peak_bandwidth_bytes_per_s},
                {"efficiency", e.efficiency},
                {"avg_latency_s", e.avg_latency_s},
                {"row_hit_rate", e.row_hit_rate},
                {"bound", e.bound},
                {"latency", Record{{"window_requests", e.window_requests},
                                   {"loaded_avg_s", e.avg_latency_s},
                                   {"unloaded_s", e.unloaded_latency_s}}}};
}

Record hbm_setup_record(const memory::TimingSet& set, int stacks, const memory::ControllerConfig& cfg,
                        const memory::AccessPattern* pattern, const char* trace_file) {
  Record rec{{"generation", set.generation},
             {"timing_set", set.name},
             {"timing_set_estimate", set.estimate},
             {"pin_rate_bits_per_s", set.pin_rate_bits_per_s},
             {"stacks", stacks},
             {"pseudo_channels", set.org.pcs_per_stack() * stacks},
             {"mapping", cfg.mapping},
             {"page_policy", memory::page_policy_name(cfg.page_policy)},
             {"refresh", memory::refresh_mode_name(cfg.refresh)}};
  if (set.estimate)
    rec["note"] = "timing set " + set.name + " is an estimate: another speed grade's nanoseconds re-expressed in this "
                  "clock (no published preset; docs/hbm.md)";
  if (trace_file != nullptr) {
    rec["pattern"] = "trace";
    rec["trace"] = trace_file;
  } else if (pattern != nullptr) {
    rec["pattern"] = memory::pattern_name(pattern->kind);
    rec["read_fraction"] = pattern->read_fraction;
    rec["request_bytes"] = pattern->request_bytes;
    if (pattern->kind == memory::PatternKind::kStrided) rec["stride_bytes"] = pattern->stride_bytes;
    if (pattern->issue_rate_bytes_per_s > 0) rec["issue_rate_bytes_per_s"] = pattern->issue_rate_bytes_per_s;
  }
  return rec;
}

Record hbm_run_record(const scenario::HbmRun& run, const std::string& trace_file) {
  Record rec = hbm_sim_record(run.result);
  if (run.unloaded_latency_s) rec["latency"]["unloaded_s"] = *run.unloaded_latency_s;
  const auto& s = run.setup;
  const auto setup = hbm_setup_record(*s.set, s.stacks, s.cfg, &s.pattern, trace_file.empty() ? nullptr : trace_file.c_str());
  for (const auto& [k, v] : setup.items()) rec[k] = v;
  if (run.check) rec["check"] = hbm_check_record(*run.check);
  return rec;
}

}  // namespace xpusim::report
