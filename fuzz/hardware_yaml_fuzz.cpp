// Chip, system and fleet YAML files as a user passes them (--chip FILE, --system FILE, fleets).
#include "core/error.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& catalog = xpusim::fuzz::session().catalog();
  const auto file = xpusim::fuzz::scratch_file(data, size, ".yaml");
  try {
    (void)catalog.chip(file.string(), "--chip");
  } catch (const xpusim::core::Error&) {
  }
  try {
    (void)catalog.system(file.string(), "--system");
  } catch (const xpusim::core::Error&) {
  }
  try {
    (void)catalog.fleet(file);
  } catch (const xpusim::core::Error&) {
  }
  return 0;
}
