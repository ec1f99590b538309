#include "planning/serving_value.hpp"

namespace xpusim::planning {

ServingMeasure serving_h100_equivalents(const scenario::Session&, const hardware::System&, const hardware::System&,
                                        const std::vector<fleet::ServingWorkload>&) {
  return {std::nullopt, "serving simulator not available in this build"};
}

}  // namespace xpusim::planning
