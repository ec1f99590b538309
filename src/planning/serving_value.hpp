#pragma once

#include <optional>
#include <string>
#include <vector>

#include "fleet/workloads.hpp"
#include "hardware/system.hpp"
#include "scenario/session.hpp"

namespace xpusim::planning {

// The `serving` measure of one GPU of a system: highest SLO goodput per GPU of the reference
// serving workloads relative to the H100 reference system's; absent (with the reason) when it
// cannot be computed.
struct ServingMeasure {
  std::optional<double> per_gpu;
  std::string reason;  // empty when per_gpu is set
};

// The one seam for the serving measure: it returns no value until the serving simulator is part
// of this build; then it is bound here to its goodput search, and nothing else changes.
// Contract: the reference system itself is worth exactly 1 when a value is given.
ServingMeasure serving_h100_equivalents(const scenario::Session& session, const hardware::System& system,
                                        const hardware::System& reference,
                                        const std::vector<fleet::ServingWorkload>& workloads);

}  // namespace xpusim::planning
