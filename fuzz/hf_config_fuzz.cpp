// HuggingFace config.json files (--model FILE): parsed, then counted, since a parsed model whose
// parameter count is negative or not finite is a wrong answer, not bad input.
#include <cmath>

#include "core/error.hpp"
#include "fuzz_support.hpp"
#include "model/architecture.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto file = xpusim::fuzz::scratch_file(data, size, ".json");
  try {
    const auto arch = xpusim::model::load_architecture(file);
    const double total = arch.params_total(), active = arch.params_active();
    if (!(std::isfinite(total) && total > 0 && std::isfinite(active) && active > 0 && active <= total * (1 + 1e-9)))
      xpusim::fuzz::fail("a parsed model has a non-positive or non-finite parameter count");
  } catch (const xpusim::core::Error&) {
  }
  return 0;
}
