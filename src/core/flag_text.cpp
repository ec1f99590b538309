#include "core/flag_text.hpp"

#include <charconv>
#include <cmath>

#include "core/error.hpp"

namespace xpusim::core {

long long positive_int_flag(const std::string& flag, const std::string& text) {
  long long v = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size() || text.empty() || v <= 0)
    throw Error::flag(flag, text, r.ec == std::errc::result_out_of_range ? "a positive integer below 2^63" : "a positive integer");
  return v;
}

double positive_number_flag(const std::string& flag, const std::string& text) {
  double v = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size() || text.empty() || !(v > 0) || !std::isfinite(v))
    throw Error::flag(flag, text, "a positive number");
  return v;
}

}  // namespace xpusim::core
