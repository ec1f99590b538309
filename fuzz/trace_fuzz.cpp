// HBM trace files in both line formats (timed "<t> R|W <addr>" and Ramulator "LD|ST <addr>"),
// parsed and replayed through the simulator while the trace is small.
#include "core/error.hpp"
#include "fuzz_support.hpp"
#include "memory/request_source.hpp"
#include "memory/simulator.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace xpusim;
  const auto& timings = fuzz::session().timings();
  const auto& set = timings.closest("hbm3", 0);
  const auto file = fuzz::scratch_file(data, size, ".trace");
  try {
    memory::TraceSource source(file, 64, set.clock_hz());
    memory::Simulator sim(set, 1, memory::ControllerConfig{});
    const auto r = sim.run(source, {});
    if (r.efficiency > 1.0 + 1e-9) fuzz::fail("simulated bandwidth above the peak");
  } catch (const core::Error&) {
  }
  return 0;
}
