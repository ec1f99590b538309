#include "hardware/catalog.hpp"

#include <algorithm>

#include "core/suggest.hpp"

namespace xpusim::hardware {
namespace {

std::vector<std::filesystem::path> yaml_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  if (!std::filesystem::is_directory(dir)) return out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const auto ext = entry.path().extension();
    if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml")) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

template <class T>
std::vector<std::string> names_of(const std::vector<std::shared_ptr<const T>>& items) {
  std::vector<std::string> out;
  for (const auto& i : items) out.push_back(i->name());
  return out;
}

template <class T>
std::shared_ptr<const T> find_named(const std::vector<std::shared_ptr<const T>>& items, std::string_view name) {
  for (const auto& i : items)
    if (i->name() == name) return i;
  return nullptr;
}

}  // namespace

bool Catalog::looks_like_file(std::string_view text) {
  auto ends = [&](std::string_view s) { return text.size() >= s.size() && text.substr(text.size() - s.size()) == s; };
  return ends(".yaml") || ends(".yml") || ends(".json") || text.find('/') != std::string_view::npos;
}

Catalog Catalog::load(const std::filesystem::path& data_dir, const CalibrationSchema& schema) {
  Catalog c;
  c.schema_ = schema;
  const auto hw = data_dir / "hardware";
  if (!std::filesystem::is_directory(hw / "chips"))
    throw core::Error(core::SourceLocation{}, "XPUSIM_DATA_DIR", data_dir.string(),
                      "a data directory containing hardware/chips/*.yaml");
  for (const auto& f : yaml_files(hw / "chips")) {
    auto chip = std::make_shared<const Chip>(Chip::parse(core::ConfigNode::load_file(f), schema));
    if (c.find_chip(chip->name()))
      throw core::Error(core::SourceLocation{f.string(), 1}, "name", chip->name(), "a name no other chip uses");
    c.chips_.push_back(std::move(chip));
  }
  for (const auto& f : yaml_files(hw / "systems")) {
    auto sys = c.load_system_file(f);
    if (c.find_system(sys->name()) || c.find_chip(sys->name()))
      throw core::Error(core::SourceLocation{f.string(), 1}, "name", sys->name(), "a name no other entry uses");
    c.systems_.push_back(std::move(sys));
  }
  return c;
}

std::vector<std::string> Catalog::chip_names() const { return names_of(chips_); }
std::vector<std::string> Catalog::system_names() const { return names_of(systems_); }
std::shared_ptr<const Chip> Catalog::find_chip(std::string_view name) const { return find_named(chips_, name); }
std::shared_ptr<const System> Catalog::find_system(std::string_view name) const {
  return find_named(systems_, name);
}

namespace {

// A catalog entry named `name`, or one loaded from the YAML file it names (relative paths are
// taken from `relative_to`); `fail(expected)` builds the error for an unknown name or missing file.
template <class T, class Load, class Fail>
std::shared_ptr<const T> resolve_entry(const std::vector<std::shared_ptr<const T>>& items, std::string_view what,
                                       const std::string& name, const std::filesystem::path& relative_to,
                                       const Load& load, const Fail& fail) {
  if (auto found = find_named(items, name)) return found;
  if (!Catalog::looks_like_file(name)) throw fail(core::expected_known_name(what, name, names_of(items)));
  std::filesystem::path p(name);
  if (p.is_relative()) p = relative_to / p;
  std::error_code ec;  // the non-throwing form: a user's name may be too long for a path (fuzzing found it)
  if (!std::filesystem::exists(p, ec)) throw fail("an existing " + std::string(what) + " YAML file");
  return load(p);
}

}  // namespace

std::shared_ptr<const Chip> Catalog::load_chip_file(const std::filesystem::path& file) const {
  return std::make_shared<const Chip>(Chip::parse(core::ConfigNode::load_file(file), schema_));
}

std::shared_ptr<const Chip> Catalog::chip(std::string_view name_or_file, std::string_view flag) const {
  const std::string name(name_or_file);
  return resolve_entry(
      chips_, "chip", name, {}, [this](const std::filesystem::path& p) { return load_chip_file(p); },
      [&](const std::string& expected) { return core::Error::flag(std::string(flag), name, expected); });
}

std::shared_ptr<const System> Catalog::system(std::string_view name_or_file, std::string_view flag) const {
  const std::string name(name_or_file);
  return resolve_entry(
      systems_, "system", name, {}, [this](const std::filesystem::path& p) { return load_system_file(p); },
      [&](const std::string& expected) { return core::Error::flag(std::string(flag), name, expected); });
}

std::shared_ptr<const Chip> Catalog::resolve_chip_field(const core::ConfigNode& field) const {
  return resolve_entry(
      chips_, "chip", field.as_string(), std::filesystem::path(field.file()).parent_path(),
      [this](const std::filesystem::path& p) { return load_chip_file(p); },
      [&](const std::string& expected) { return field.error(expected); });
}

std::shared_ptr<const System> Catalog::load_system_file(const std::filesystem::path& file) const {
  return std::make_shared<const System>(System::parse(
      core::ConfigNode::load_file(file), [this](const core::ConfigNode& f) { return resolve_chip_field(f); },
      schema_));
}

Fleet Catalog::fleet(const std::filesystem::path& file) const {
  return Fleet::parse(core::ConfigNode::load_file(file), [this](const core::ConfigNode& field) {
    return resolve_entry(
        systems_, "system", field.as_string(), std::filesystem::path(field.file()).parent_path(),
        [this](const std::filesystem::path& p) { return load_system_file(p); },
        [&](const std::string& expected) { return field.error(expected); });
  });
}

}  // namespace xpusim::hardware
