#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/parallel.hpp"
#include "fleet/reliability_data.hpp"
#include "scenario/evaluate.hpp"
#include "scenario/session.hpp"

namespace xpusim::planning {

// `xpusim fleet run`: a training job of `tokens` tokens and what failures make of its time.
struct FleetRunRequest {
  scenario::Scenario scenario;  // model, system, overrides, layout (gpus, seq_len, global_batch, ...)
  bool layout_given = false;    // take the run spec's layout; otherwise best_training_layout()
  double tokens = 0;
  double interval_s = 0;  // work between checkpoints; 0: Young-Daly
  int trials = 1000;
  std::uint64_t seed = 1;
  std::optional<double> restart_s, storage_bytes_per_s;  // replace the reliability data's
  std::vector<long long> sweep_gpus;                     // GPU counts for the time-to-train chart
};

// One GPU count of the chart: ideal and expected time to train.
struct SweepPoint {
  long long gpus = 0;
  bool feasible = false;
  std::string reason;
  double ideal_s = 0, expected_s = 0, effective_fraction = 0, interval_s = 0, tokens_per_s = 0;
};

struct FleetRunResult {
  scenario::TrainingOutcome outcome;  // the layout (given or chosen) and its step
  bool layout_searched = false;
  double tokens = 0;
  double checkpoint_bytes = 0;
  bool interval_young_daly = true;
  fleet::FailureRates rates;  // per GPU on this system (HBM scaled by its stacks)
  fleet::JobTimes job;
  fleet::Expectation expectation;
  fleet::MonteCarlo monte_carlo;
  std::vector<SweepPoint> sweep;
  fleet::ReliabilityData data;  // as used (with the request's replacements)
};

// Loads data_dir/fleets/reliability.yaml.
fleet::ReliabilityData reliability_data(const scenario::Session& session);

// Contract: throws core::Error for bad input (unknown model/system, bad override, tokens <= 0,
// trials < 1); an infeasible layout is a result (outcome.step.feasible == false, nothing else
// filled). Deterministic for a seed. progress reports Monte Carlo trials.
FleetRunResult run_fleet(const scenario::Session& session, const FleetRunRequest& request,
                         const core::ProgressFn& progress = {});

// The default global batch of a job when none is given: 16M tokens per step (Llama 3 405B's
// final batch, arXiv:2407.21783 s3.4.1) at the sequence length.
long long default_global_batch(long long seq_len);

}  // namespace xpusim::planning
