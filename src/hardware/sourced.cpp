#include "hardware/sourced.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "core/suggest.hpp"

namespace xpusim::hardware {

core::Error sourced_value_error(const core::ConfigNode& node, std::string expected) {
  const core::ConfigNode at = node.is_map() && node.has("value") ? node.at("value") : node;
  return core::Error(at.location(), node.path(), at.text(), std::move(expected));
}

namespace {

// Reads the number of `node` (bare or {value, source}); `expected` names what a bad value should be.
double read_value(const core::ConfigNode& node, core::Dimension d, SourceMap& sources, const std::string& expected) {
  const bool sourced = node.is_map();
  if (sourced) node.expect_keys({"value", "source", "note"});
  const core::ConfigNode value = sourced ? node.at("value") : node;
  double v = 0.0;
  if (!value.is_scalar() || !core::parse_quantity(value.as_string(), d, &v)) throw sourced_value_error(node, expected);
  if (!sourced) return v;
  if (auto src = node.find("source")) {
    std::string text = src->is_scalar() ? src->as_string() : std::string();
    if (text.empty()) throw src->error("a non-empty source: document and table or section, or \"estimate: <reasoning>\"");
    sources[node.path()] = std::move(text);
  }
  return v;
}

}  // namespace

double read_sourced(const core::ConfigNode& node, core::Dimension d, SourceMap& sources) {
  return read_value(node, d, sources, std::string(core::dimension_example(d)));
}

double read_sourced_positive(const core::ConfigNode& node, core::Dimension d, SourceMap& sources) {
  const double v = read_sourced(node, d, sources);
  if (!(v > 0.0)) throw sourced_value_error(node, "a positive " + std::string(core::dimension_example(d)).substr(2));
  return v;
}

int read_count(const core::ConfigNode& node, SourceMap& sources) {
  const double v = read_value(node, core::Dimension::kDimensionless, sources, "a positive integer");
  if (!(v >= 1.0) || v != std::floor(v) || v > 1e9) throw sourced_value_error(node, "a positive integer");
  return static_cast<int>(v);
}

std::optional<double> read_optional(const core::ConfigNode& parent, std::string_view key, core::Dimension d,
                                    SourceMap& sources) {
  auto child = parent.find(key);
  if (!child || child->is_null()) return std::nullopt;
  return read_sourced_positive(*child, d, sources);
}

std::string ParamDecl::range_text() const {
  const auto num = [](double v) { return fmt::format("{}", v); };
  if (max == HUGE_VAL) return (min_exclusive ? "a value above " : "a value of at least ") + num(min);
  return fmt::format("a value in {}{}, {}]", min_exclusive ? "(" : "[", num(min), num(max));
}

Calibration Calibration::parse(const core::ConfigNode* node, const CalibrationSchema& schema,
                               ParamDecl::Scope scope, SourceMap& sources) {
  Calibration out;
  std::vector<std::string_view> allowed;
  for (const auto& p : schema) {
    if (p.scope != scope) continue;
    allowed.push_back(p.name);
    out.values_[p.name] = p.default_value;
    out.given_[p.name] = false;
  }
  if (node == nullptr || node->is_null()) return out;
  node->expect_keys(allowed);
  for (const auto& key : node->keys()) {
    const auto decl = std::find_if(schema.begin(), schema.end(),
                                   [&](const ParamDecl& p) { return p.name == key && p.scope == scope; });
    const double v = read_sourced(node->at(key), decl->dimension, sources);
    if (!decl->in_range(v)) throw sourced_value_error(node->at(key), decl->range_text());
    out.values_[key] = v;
    out.given_[key] = true;
  }
  return out;
}

double Calibration::get(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end())
    throw core::InternalError("calibration parameter '" + std::string(name) +
                      "' is not declared; register it in the layer's calibration_schema()");
  return it->second;
}

Calibration Calibration::with(std::string_view name, double value) const {
  get(name);  // throws for an undeclared name
  Calibration out = *this;
  out.values_.find(name)->second = value;
  out.given_.find(name)->second = true;
  return out;
}

std::vector<std::string> Calibration::defaulted() const {
  std::vector<std::string> out;
  for (const auto& [name, given] : given_)
    if (!given) out.push_back(name);
  return out;
}

bool Calibration::set_in_catalog(std::string_view name) const {
  auto it = given_.find(name);
  return it != given_.end() && it->second;
}

}  // namespace xpusim::hardware
