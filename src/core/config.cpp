#include "core/config.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "core/suggest.hpp"

namespace xpusim::core {

struct ConfigNode::Impl {
  std::shared_ptr<const std::string> file;
  YAML::Node node;
};

namespace {

std::string child_path(const std::string& parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return parent + "." + std::string(key);
}

}  // namespace

ConfigNode::ConfigNode(std::shared_ptr<const Impl> impl, std::string path)
    : impl_(std::move(impl)), path_(std::move(path)) {}

namespace {

// yaml-cpp keeps the first of duplicate keys (and JSON read as YAML does too); every reader would
// silently use one of two values, so a repeated key is an error wherever it is.
void reject_duplicate_keys(const YAML::Node& node, const std::string& file, const std::string& path, int depth) {
  if (depth > 256) throw Error(SourceLocation{file, node.Mark().line + 1, 0}, path, "a deeper nesting", "at most 256 levels of nesting");
  if (node.IsMap()) {
    std::vector<std::string> seen;
    for (const auto& kv : node) {
      const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string();
      if (!key.empty() && std::find(seen.begin(), seen.end(), key) != seen.end())
        throw Error(SourceLocation{file, kv.first.Mark().line + 1, kv.first.Mark().column + 1}, child_path(path, key), key,
                    "each field given once");
      seen.push_back(key);
      reject_duplicate_keys(kv.second, file, child_path(path, key), depth + 1);
    }
  } else if (node.IsSequence()) {
    std::size_t i = 0;
    for (const auto& item : node) reject_duplicate_keys(item, file, path + "[" + std::to_string(i++) + "]", depth + 1);
  }
}

}  // namespace

ConfigNode ConfigNode::parse(std::string_view text, std::string file_name) {
  auto file = std::make_shared<const std::string>(std::move(file_name));
  try {
    YAML::Node root = YAML::Load(std::string(text));
    reject_duplicate_keys(root, *file, "", 0);
    return ConfigNode(std::make_shared<const Impl>(Impl{file, root}), "");
  } catch (const YAML::Exception& e) {
    throw Error(SourceLocation{*file, e.mark.line + 1, e.mark.column + 1}, "",
                std::string(e.msg), "valid YAML or JSON syntax");
  }
}

ConfigNode ConfigNode::load_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw Error(SourceLocation{}, "", path.string(), "a file, not a directory");
  std::ifstream in(path);
  if (!in) throw Error(SourceLocation{path.string()}, "", path.string(), "a readable file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  // YAML forbids tabs as indentation; JSON allows them as whitespace.
  if (path.extension() == ".json") std::replace(text.begin(), text.end(), '\t', ' ');
  return parse(text, path.string());
}

bool ConfigNode::is_map() const { return impl_->node.IsMap(); }
bool ConfigNode::is_list() const { return impl_->node.IsSequence(); }
bool ConfigNode::is_scalar() const { return impl_->node.IsScalar(); }
bool ConfigNode::is_null() const { return !impl_->node || impl_->node.IsNull(); }
const std::string& ConfigNode::file() const { return *impl_->file; }

SourceLocation ConfigNode::location() const {
  const YAML::Mark m = impl_->node.Mark();
  if (m.is_null()) return SourceLocation{*impl_->file, 0, 0};
  return SourceLocation{*impl_->file, m.line + 1, m.column + 1};
}

std::string ConfigNode::text() const {
  const YAML::Node& n = impl_->node;
  if (!n || n.IsNull()) return "null";
  if (n.IsScalar()) return n.Scalar();
  if (n.IsSequence()) return "a list";
  return "a mapping";
}

Error ConfigNode::error(std::string expected) const {
  return Error(location(), path_.empty() ? std::string() : path_, text(), std::move(expected));
}

bool ConfigNode::has(std::string_view key) const {
  return impl_->node.IsMap() && impl_->node[std::string(key)].IsDefined();
}

std::optional<ConfigNode> ConfigNode::find(std::string_view key) const {
  if (!impl_->node.IsMap()) throw error("a mapping");
  YAML::Node child = impl_->node[std::string(key)];
  if (!child.IsDefined()) return std::nullopt;
  return ConfigNode(std::make_shared<const Impl>(Impl{impl_->file, child}), child_path(path_, key));
}

ConfigNode ConfigNode::at(std::string_view key) const {
  auto child = find(key);
  if (!child) {
    throw Error(location(), child_path(path_, key), "nothing",
                "a value for the required field '" + std::string(key) + "'");
  }
  return *child;
}

std::vector<std::string> ConfigNode::keys() const {
  if (!impl_->node.IsMap()) throw error("a mapping");
  std::vector<std::string> out;
  for (const auto& kv : impl_->node) out.push_back(kv.first.Scalar());
  return out;
}

void ConfigNode::expect_keys(const std::vector<std::string_view>& allowed) const {
  if (!impl_->node.IsMap()) throw error("a mapping");
  std::vector<std::string> seen;
  for (const auto& kv : impl_->node) {
    const std::string key = kv.first.Scalar();
    // YAML readers silently keep one of two equal keys; a strict reader must not guess which.
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      const YAML::Mark m = kv.first.Mark();
      throw Error(SourceLocation{*impl_->file, m.line + 1, m.column + 1}, child_path(path_, key), key,
                  "each field given once");
    }
    seen.push_back(key);
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::vector<std::string> names(allowed.begin(), allowed.end());
    const YAML::Mark m = kv.first.Mark();
    std::string expected = "a known field";
    // Only a near miss is worth suggesting: "vendr" -> "vendor", not "oversubscription" -> "calibration".
    const auto near = closest_names(key, names, 1, std::max<std::size_t>(2, key.size() / 3));
    if (!near.empty()) expected += " (did you mean '" + near.front() + "'?)";
    throw Error(SourceLocation{*impl_->file, m.line + 1, m.column + 1}, child_path(path_, key), key,
                expected);
  }
}

std::vector<ConfigNode> ConfigNode::items() const {
  if (!impl_->node.IsSequence()) throw error("a list");
  std::vector<ConfigNode> out;
  std::size_t i = 0;
  for (const auto& child : impl_->node) {
    out.push_back(ConfigNode(std::make_shared<const Impl>(Impl{impl_->file, child}),
                             path_ + "[" + std::to_string(i++) + "]"));
  }
  return out;
}

std::string ConfigNode::as_string() const {
  if (!impl_->node.IsScalar()) throw error("a string");
  return impl_->node.Scalar();
}

double ConfigNode::as_double() const {
  if (!impl_->node.IsScalar()) throw error("a number");
  double v = 0.0;
  if (!parse_quantity(impl_->node.Scalar(), Dimension::kDimensionless, &v)) throw error("a number");
  return v;
}

std::int64_t ConfigNode::as_int() const {
  if (!impl_->node.IsScalar()) throw error("an integer");
  const std::string& s = impl_->node.Scalar();
  std::size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(s, &used);
  } catch (const std::exception&) {
    throw error("an integer");
  }
  if (used != s.size()) throw error("an integer");
  return v;
}

std::int64_t ConfigNode::as_positive_int() const {
  std::int64_t v = 0;
  try {
    v = as_int();
  } catch (const Error&) {
    throw error("a positive integer");
  }
  if (v <= 0) throw error("a positive integer");
  return v;
}

bool ConfigNode::as_bool() const {
  if (impl_->node.IsScalar()) {
    const std::string& s = impl_->node.Scalar();
    if (s == "true") return true;
    if (s == "false") return false;
  }
  throw error("true or false");
}

double ConfigNode::as_quantity(Dimension d) const {
  double v = 0.0;
  if (!impl_->node.IsScalar() || !parse_quantity(impl_->node.Scalar(), d, &v))
    throw error(std::string(dimension_example(d)));
  return v;
}

double ConfigNode::as_positive_quantity(Dimension d) const {
  const double v = as_quantity(d);
  if (!(v > 0.0)) throw error("a positive " + std::string(dimension_example(d)).substr(2));
  return v;
}

}  // namespace xpusim::core
