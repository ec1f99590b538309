#include "core/units.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fmt/format.h>
#include <string>
#include <vector>

namespace xpusim::core {
namespace {

struct UnitName {
  std::string_view text;
  double scale;
};

// Decimal prefixes with the spellings the catalog and vendors use.
constexpr std::array<UnitName, 7> kDecimalPrefixes{{
    {"", 1.0}, {"k", 1e3}, {"K", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12}, {"P", 1e15}}};
constexpr std::array<UnitName, 4> kBinaryPrefixes{{
    {"Ki", 1024.0}, {"Mi", 1048576.0}, {"Gi", 1073741824.0}, {"Ti", 1099511627776.0}}};

std::vector<UnitName> base_units(Dimension d) {
  switch (d) {
    case Dimension::kBytes: return {{"B", 1.0}, {"byte", 1.0}, {"bytes", 1.0}};
    case Dimension::kBytesPerSecond: return {{"B/s", 1.0}, {"Bps", 1.0}};
    case Dimension::kBitsPerSecond: return {{"b/s", 1.0}, {"bit/s", 1.0}, {"bps", 1.0}};
    case Dimension::kFlopsPerSecond:
      return {{"FLOP/s", 1.0}, {"FLOPS", 1.0}, {"flop/s", 1.0}, {"OP/s", 1.0}, {"OPS", 1.0}};
    case Dimension::kWatts: return {{"W", 1.0}};
    case Dimension::kHertz: return {{"Hz", 1.0}};
    case Dimension::kSeconds: return {{"s", 1.0}};
    case Dimension::kUsd: return {{"USD", 1.0}, {"$", 1.0}};
    case Dimension::kDimensionless: return {{"%", 0.01}};
  }
  return {};
}

bool binary_prefixes_allowed(Dimension d) {
  return d == Dimension::kBytes || d == Dimension::kBytesPerSecond;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Scale of a unit string, or NaN if it is not a unit of dimension d.
double unit_scale(std::string_view unit, Dimension d) {
  if (d == Dimension::kSeconds) {
    static constexpr std::array<UnitName, 7> kTime{
        {{"s", 1.0}, {"ms", 1e-3}, {"us", 1e-6}, {"\xC2\xB5s", 1e-6}, {"ns", 1e-9}, {"ps", 1e-12},
         {"min", 60.0}}};
    for (const auto& t : kTime)
      if (unit == t.text) return t.scale;
    return std::nan("");
  }
  for (const auto& base : base_units(d)) {
    if (unit.size() < base.text.size() || unit.substr(unit.size() - base.text.size()) != base.text)
      continue;
    const std::string_view prefix = unit.substr(0, unit.size() - base.text.size());
    if (d == Dimension::kDimensionless || d == Dimension::kUsd) {
      if (prefix.empty()) return base.scale;
      continue;
    }
    for (const auto& p : kDecimalPrefixes)
      if (prefix == p.text) return p.scale * base.scale;
    if (binary_prefixes_allowed(d))
      for (const auto& p : kBinaryPrefixes)
        if (prefix == p.text) return p.scale * base.scale;
  }
  return std::nan("");
}

// number x scale, correctly rounded where scale is a power of ten: "66.9 TFLOP/s" must be exactly
// 66.9e12 and "5 us" exactly 5e-6 (a plain product gives 66900000000000.01 and 4.9999999999999996e-06).
double scale_exactly(std::string_view number_text, double number, double scale) {
  const double exponent = std::round(std::log10(scale));
  if (scale <= 0.0 || std::fabs(std::pow(10.0, exponent) / scale - 1.0) > 1e-12) return number * scale;
  std::string text(number_text);
  int extra = static_cast<int>(exponent);
  if (auto e = text.find_first_of("eE"); e != std::string::npos) {
    int own = 0;
    const char* first = text.data() + e + 1;
    if (first != text.data() + text.size() && *first == '+') ++first;  // from_chars takes no '+'
    const auto [p, ec] = std::from_chars(first, text.data() + text.size(), own);
    if (ec != std::errc() || p != text.data() + text.size()) return number * scale;
    extra += own;
    text.resize(e);
  }
  text += "e" + std::to_string(extra);
  double exact = 0.0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), exact);
  if (ec != std::errc() || p != text.data() + text.size() || !std::isfinite(exact)) return number * scale;
  return exact;
}

}  // namespace

std::string_view dimension_name(Dimension d) {
  switch (d) {
    case Dimension::kDimensionless: return "number";
    case Dimension::kBytes: return "size";
    case Dimension::kBytesPerSecond: return "bandwidth";
    case Dimension::kBitsPerSecond: return "bit rate";
    case Dimension::kFlopsPerSecond: return "compute rate";
    case Dimension::kWatts: return "power";
    case Dimension::kHertz: return "frequency";
    case Dimension::kSeconds: return "time";
    case Dimension::kUsd: return "price";
  }
  return "quantity";
}

std::string_view dimension_example(Dimension d) {
  switch (d) {
    case Dimension::kDimensionless: return "a number such as 0.85";
    case Dimension::kBytes: return "a size such as \"80 GiB\"";
    case Dimension::kBytesPerSecond: return "a bandwidth such as \"3.35 TB/s\"";
    case Dimension::kBitsPerSecond: return "a bit rate such as \"6.4 Gb/s\"";
    case Dimension::kFlopsPerSecond: return "a compute rate such as \"989 TFLOP/s\"";
    case Dimension::kWatts: return "a power such as \"700 W\"";
    case Dimension::kHertz: return "a frequency such as \"1.98 GHz\"";
    case Dimension::kSeconds: return "a time such as \"2 us\"";
    case Dimension::kUsd: return "a price such as \"25000 USD\"";
  }
  return "a quantity";
}

bool parse_quantity(std::string_view text, Dimension d, double* out) {
  text = trim(text);
  if (text.empty()) return false;
  double number = 0.0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(begin, end, number);
  if (ec != std::errc() || !std::isfinite(number)) return false;
  const std::string_view unit = trim(std::string_view(ptr, static_cast<std::size_t>(end - ptr)));
  if (unit.empty()) {
    if (d != Dimension::kDimensionless) return false;
    *out = number;
    return true;
  }
  const double scale = unit_scale(unit, d);
  if (std::isnan(scale)) return false;
  const double v = scale_exactly(std::string_view(begin, static_cast<std::size_t>(ptr - begin)), number, scale);
  if (!std::isfinite(v)) return false;  // "1e308 PB": past the range of a double
  *out = v;
  return true;
}

std::string format_quantity(double value, Dimension d, int significant_digits) {
  if (d == Dimension::kDimensionless) return fmt::format("{:.{}g}", value, significant_digits);
  if (d == Dimension::kSeconds) {
    static constexpr std::array<UnitName, 4> kTime{{{"s", 1.0}, {"ms", 1e-3}, {"us", 1e-6}, {"ns", 1e-9}}};
    for (const auto& t : kTime)
      if (std::fabs(value) >= t.scale || t.scale == 1e-9)
        return fmt::format("{:.{}g} {}", value / t.scale, significant_digits, t.text);
  }
  const std::string_view base = base_units(d).front().text;
  // Prices read best in full ("25000 USD", not "2.5e+04 USD"), cents only where there are any.
  if (d == Dimension::kUsd) return fmt::format("{:.{}f} {}", value, value == std::floor(value) ? 0 : 2, base);
  static constexpr std::array<UnitName, 6> kShow{
      {{"P", 1e15}, {"T", 1e12}, {"G", 1e9}, {"M", 1e6}, {"k", 1e3}, {"", 1.0}}};
  for (const auto& p : kShow)
    if (std::fabs(value) >= p.scale || p.scale == 1.0)
      return fmt::format("{:.{}g} {}{}", value / p.scale, significant_digits, p.text, base);
  return fmt::format("{}", value);
}

}  // namespace xpusim::core
