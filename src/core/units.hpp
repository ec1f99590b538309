#pragma once

#include <string>
#include <string_view>

namespace xpusim::core {

// Physical dimension of a quantity; values are always stored in base SI units.
enum class Dimension {
  kDimensionless,   // plain number; "%" divides by 100
  kBytes,           // B, kB, MB, GB, TB, PB; KiB, MiB, GiB, TiB
  kBytesPerSecond,  // B/s ... TB/s, GiB/s ...
  kBitsPerSecond,   // b/s, Mb/s, Gb/s, Gbit/s, Gbps
  kFlopsPerSecond,  // FLOP/s, GFLOP/s, TFLOP/s, PFLOP/s, TFLOPS, TOP/s
  kWatts,           // W, kW, MW
  kHertz,           // Hz, kHz, MHz, GHz
  kSeconds,         // s, ms, us, µs, ns, ps
  kUsd,             // USD, $
};

std::string_view dimension_name(Dimension d);
std::string_view dimension_example(Dimension d);  // e.g. "\"80 GiB\"" for error messages

// Parses "3.35 TB/s" into 3.35e12. Returns false (leaves *out untouched) when the text is not a
// number followed by a unit of dimension d. A bare number is accepted only for kDimensionless.
bool parse_quantity(std::string_view text, Dimension d, double* out);

// Formats a base-unit value with a readable prefix: 3.35e12 B/s -> "3.35 TB/s".
std::string format_quantity(double value, Dimension d, int significant_digits = 4);

}  // namespace xpusim::core
