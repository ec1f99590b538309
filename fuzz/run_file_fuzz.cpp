// Run/scenario files (`xpusim run FILE`): parsed into scenarios.
#include "core/config.hpp"
#include "core/error.hpp"
#include "fuzz_support.hpp"
#include "scenario/run_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto file = xpusim::fuzz::scratch_file(data, size, ".yaml");
  try {
    (void)xpusim::scenario::load_run_file(file);
  } catch (const xpusim::core::Error&) {
  }
  return 0;
}
