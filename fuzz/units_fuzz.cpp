// Unit strings ("3.35 TB/s") in every dimension, and the formatter on what they parse to.
#include <cmath>
#include <string_view>

#include "core/units.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace xpusim::core;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (Dimension d : {Dimension::kDimensionless, Dimension::kBytes, Dimension::kBytesPerSecond,
                      Dimension::kBitsPerSecond, Dimension::kFlopsPerSecond, Dimension::kWatts, Dimension::kHertz,
                      Dimension::kSeconds, Dimension::kUsd}) {
    double v = 0;
    if (!parse_quantity(text, d, &v)) continue;
    if (!std::isfinite(v)) xpusim::fuzz::fail("parse_quantity accepted a non-finite value");
    (void)format_quantity(v, d);
  }
  return 0;
}
