#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "fleet/reliability.hpp"
#include "model/architecture.hpp"

namespace xpusim::fleet {

// Published interruption counts of one job over a window: what the component rates are fitted on.
struct FitWindow {
  std::string description;
  double gpus = 0, days = 0, planned = 0;
  std::array<double, 5> counts{};  // unexpected interruptions by Component
  double hbm_stacks_per_gpu = 0;   // of the fitted cluster's GPU
};

// The reliability data of `xpusim fleet` (data/fleets/reliability.yaml): component rates fitted on
// a published window, the restart overhead, checkpoint bytes per parameter and storage bandwidth.
struct ReliabilityData {
  FitWindow window;
  FailureRates rates;  // fitted from `window`
  double restart_s = 0;
  double bytes_per_parameter = 0;
  double write_bytes_per_s = 0, read_bytes_per_s = 0;
  std::map<std::string, std::string> sources;  // field path -> source
};

// Rates per GPU-second (and planned per job-second) from a window's counts: count / (gpus x days).
FailureRates fit_rates(const FitWindow& window);

// Loads the YAML file. Throws core::Error naming file:line and field for bad data.
ReliabilityData load_reliability(const std::filesystem::path& file);

// The rates on a GPU with `hbm_stacks` stacks: HBM interruptions scale with the stacks a GPU
// carries (an estimate: each stack fails independently at the fitted per-stack rate); other
// components keep their per-GPU rate.
FailureRates rates_for_gpu(const ReliabilityData& data, int hbm_stacks);

// Bytes of one full checkpoint (weights, master weights, optimizer moments) of a model.
double checkpoint_bytes(const ReliabilityData& data, const model::Architecture& arch);

// The job the failure model sees: `work_s` of training at `gpus` GPUs, checkpoints of `ckpt_bytes`
// written and restored at the data's storage bandwidths, every `interval_s` of work (0: the
// Young-Daly interval for this job's MTBF), each interruption costing restart + restore.
JobTimes make_job(const ReliabilityData& data, const FailureRates& rates, long long gpus, double work_s,
                  double ckpt_bytes, double interval_s);

}  // namespace xpusim::fleet
