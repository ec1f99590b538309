#pragma once

#include "memory/analytical.hpp"
#include "memory/checker.hpp"
#include "memory/simulator.hpp"
#include "report/record.hpp"
#include "scenario/hbm_query.hpp"

namespace xpusim::report {

// Records of `xpusim hbm sim` and `xpusim hbm analyze`. The simulator's keys are fixed by the
// interface (issue 8): simulated_requests, elapsed_s, bandwidth_bytes_per_s,
// peak_bandwidth_bytes_per_s, efficiency, avg_latency_s, p99_latency_s, row_hit_rate and
// commands {act, rd, wr, pre, ref}; RDA/WRA count in rd/wr, PREA in pre and REFpb in ref, and
// the split is given under commands_detail.
Record hbm_sim_record(const memory::SimResult& r);
Record hbm_check_record(const memory::CheckReport& c);
Record hbm_estimate_record(const memory::BandwidthEstimate& e);
// What was simulated: timing set, stacks, pattern and controller settings.
Record hbm_setup_record(const memory::TimingSet& set, int stacks, const memory::ControllerConfig& cfg,
                        const memory::AccessPattern* pattern, const char* trace_file);
// `xpusim hbm sim`'s whole record: the simulation, its unloaded latency, the setup and the check.
Record hbm_run_record(const scenario::HbmRun& run, const std::string& trace_file);

}  // namespace xpusim::report
