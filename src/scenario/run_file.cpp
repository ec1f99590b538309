#include "scenario/run_file.hpp"

#include <set>

#include "scenario/run_spec.hpp"

namespace xpusim::scenario {
namespace {

std::vector<std::string_view> allowed_keys() {
  std::vector<std::string_view> keys{"name"};
  for (const auto& f : training_fields()) keys.push_back(f.name);
  return keys;
}

FieldValue value_at(const core::ConfigNode& node, std::string text) {
  return FieldValue{std::move(text), [node](std::string expected) { return node.error(std::move(expected)); }};
}

// Applies the fields of one mapping onto `s`, recording which were given.
void apply_mapping(const core::ConfigNode& map, Scenario& s, std::set<std::string>& given) {
  if (!map.is_map()) throw map.error("a mapping of run-spec fields (model, system, gpus, ...)");
  map.expect_keys(allowed_keys());
  for (const auto& key : map.keys()) {
    const core::ConfigNode node = map.at(key);
    given.insert(key);
    if (key == "name") {
      s.name = node.as_string();
      continue;
    }
    const RunField& field = *find_field(key);
    if (field.type == FieldType::kOverrides) {
      if (node.is_map()) {
        for (const auto& path : node.keys()) field.apply(value_at(node.at(path), path + "=" + node.at(path).as_string()), s);
      } else if (node.is_list()) {
        for (const auto& item : node.items()) field.apply(value_at(item, item.as_string()), s);
      } else {
        field.apply(value_at(node, node.as_string()), s);
      }
      continue;
    }
    if (!node.is_scalar()) throw node.error("a single value");
    field.apply(value_at(node, node.as_string()), s);
  }
}

Scenario one_scenario(const core::ConfigNode& node, const Scenario& defaults, const std::set<std::string>& given_before) {
  Scenario s = defaults;
  std::set<std::string> given = given_before;
  apply_mapping(node, s, given);
  for (const auto& f : training_fields()) {
    if (f.required && !given.count(f.name))
      throw core::Error(node.location(), node.path().empty() ? f.name : node.path() + "." + f.name, "",
                        "a value: `" + f.name + "` is required (" + f.description + ")");
  }
  return s;
}

}  // namespace

std::vector<Scenario> parse_run_file(const core::ConfigNode& root) {
  std::vector<Scenario> out;
  Scenario defaults = run_spec_defaults();
  std::set<std::string> given;
  std::vector<core::ConfigNode> items;
  if (root.is_list()) {
    items = root.items();
  } else if (root.is_map() && root.has("scenarios")) {
    root.expect_keys({"defaults", "scenarios"});
    if (auto d = root.find("defaults")) {
      apply_mapping(*d, defaults, given);
      given.erase("name");
    }
    const core::ConfigNode list = root.at("scenarios");
    if (!list.is_list()) throw list.error("a list of scenarios");
    items = list.items();
  } else if (root.is_map()) {
    items.push_back(root);
  } else {
    throw root.error("a scenario (mapping), a list of scenarios, or {defaults, scenarios}");
  }
  if (items.empty()) throw root.error("at least one scenario");
  for (const auto& item : items) out.push_back(one_scenario(item, defaults, given));
  return out;
}

std::vector<Scenario> load_run_file(const std::filesystem::path& file) {
  return parse_run_file(core::ConfigNode::load_file(file));
}

}  // namespace xpusim::scenario
