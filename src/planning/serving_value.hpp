#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fleet/workloads.hpp"
#include "hardware/system.hpp"
#include "scenario/session.hpp"

namespace xpusim::planning {

// The engine and GPU count every reference serving workload runs with (one 8-GPU server, as
// the H100 reference's DGX node): a stated choice, not a measurement.
inline constexpr const char* kServingEngine = "vllm";
inline constexpr int kServingGpus = 8;

// One system's highest SLO goodput on one reference serving workload (serving::best_slo_goodput
// on kServingGpus GPUs with the kServingEngine profile).
struct ServingGoodput {
  bool feasible = false;
  std::string reason;
  double tokens_per_s_per_gpu = 0;  // output tokens/s of requests meeting both SLOs, per GPU
  int tp = 0, clients_per_replica = 0;
  std::string limiting_resource;
  double ratio = 0;  // to the reference system's, set by serving_h100_equivalents
};

ServingGoodput serving_goodput(const scenario::Session& session, const std::shared_ptr<const hardware::System>& system,
                               const fleet::ServingWorkload& workload);

// The `serving` measure of one GPU of a system: its SLO goodput per GPU relative to the reference
// system's (`reference`, one per workload, from serving_goodput), the geometric mean over the
// workloads; absent (with the reason) when the system or the reference serves none within the SLO.
struct ServingMeasure {
  std::optional<double> per_gpu;
  std::string reason;  // empty when per_gpu is set
  std::vector<ServingGoodput> jobs;  // per workload
};

// Contract: the reference system itself is worth exactly 1 (same simulation, same numbers).
ServingMeasure serving_h100_equivalents(const scenario::Session& session,
                                        const std::shared_ptr<const hardware::System>& system,
                                        const std::vector<ServingGoodput>& reference,
                                        const std::vector<fleet::ServingWorkload>& workloads);

}  // namespace xpusim::planning
