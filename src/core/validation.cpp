#include "core/validation.hpp"

#include <algorithm>
#include <cmath>

namespace xpusim::core {
namespace {

std::vector<double> held_out_errors(const std::vector<ValidationCase>& cases) {
  std::vector<double> held, all;
  for (const auto& c : cases) {
    all.push_back(std::fabs(c.signed_error()));
    if (!c.calibration) held.push_back(all.back());
  }
  return held.empty() ? all : held;
}

}  // namespace

double ValidationSuite::median_abs_error() const {
  auto e = held_out_errors(cases);
  if (e.empty()) return 0.0;
  std::sort(e.begin(), e.end());
  const std::size_t n = e.size();
  return n % 2 ? e[n / 2] : 0.5 * (e[n / 2 - 1] + e[n / 2]);
}

double ValidationSuite::mean_abs_error() const {
  const auto e = held_out_errors(cases);
  if (e.empty()) return 0.0;
  double s = 0;
  for (double x : e) s += x;
  return s / static_cast<double>(e.size());
}

double ValidationSuite::max_abs_error() const {
  const auto e = held_out_errors(cases);
  return e.empty() ? 0.0 : *std::max_element(e.begin(), e.end());
}

}  // namespace xpusim::core
