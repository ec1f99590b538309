#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace xpusim::fleet {

// A reference pre-training job: the model, the job size and shape, the token budget (for its
// effective-training-time fraction) and its weight in the `training` H100-equivalents.
struct TrainingWorkload {
  std::string name, model;
  long long gpus = 0, seq_len = 0, global_batch = 0;
  double tokens = 0;
  double weight = 1;
};

// A reference serving workload with its SLOs, for the `serving` measure.
struct ServingWorkload {
  std::string name, model;
  long long input_tokens = 0, output_tokens = 0;
  double ttft_slo_s = 0, tpot_slo_s = 0;
};

struct ReferenceWorkloads {
  std::vector<TrainingWorkload> training;
  std::vector<ServingWorkload> serving;
};

// Loads data/fleets/reference_workloads.yaml. Throws core::Error naming file:line and field.
ReferenceWorkloads load_reference_workloads(const std::filesystem::path& file);

// The workloads with their training models replaced by `models` (one job per model, in order,
// each with the first job's shape); unchanged when `models` is empty.
ReferenceWorkloads with_models(ReferenceWorkloads w, const std::vector<std::string>& models);

}  // namespace xpusim::fleet
