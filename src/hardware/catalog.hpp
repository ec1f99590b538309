#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hardware/chip.hpp"
#include "hardware/fleet.hpp"
#include "hardware/system.hpp"

namespace xpusim::hardware {

// The built-in chips and systems (data/hardware/{chips,systems}/*.yaml) plus lookup that accepts
// either a catalog name or a user's YAML file wherever a name is expected.
// Contract: load() validates every file and fails on the first bad one; lookups of unknown names
// throw core::Error naming the flag, the value and the closest known names.
class Catalog {
 public:
  static Catalog load(const std::filesystem::path& data_dir, const CalibrationSchema& schema);

  const std::vector<std::shared_ptr<const Chip>>& chips() const { return chips_; }
  const std::vector<std::shared_ptr<const System>>& systems() const { return systems_; }
  std::vector<std::string> chip_names() const;
  std::vector<std::string> system_names() const;

  std::shared_ptr<const Chip> find_chip(std::string_view name) const;      // nullptr if unknown
  std::shared_ptr<const System> find_system(std::string_view name) const;  // nullptr if unknown
  // Name or path to a .yaml/.yml file; `flag` names the option in errors ("--chip").
  std::shared_ptr<const Chip> chip(std::string_view name_or_file, std::string_view flag) const;
  std::shared_ptr<const System> system(std::string_view name_or_file, std::string_view flag) const;
  Fleet fleet(const std::filesystem::path& file) const;

  static bool looks_like_file(std::string_view text);

 private:
  std::shared_ptr<const Chip> resolve_chip_field(const core::ConfigNode& field) const;
  std::shared_ptr<const Chip> load_chip_file(const std::filesystem::path& file) const;
  std::shared_ptr<const System> load_system_file(const std::filesystem::path& file) const;

  CalibrationSchema schema_;
  std::vector<std::shared_ptr<const Chip>> chips_;
  std::vector<std::shared_ptr<const System>> systems_;
};

}  // namespace xpusim::hardware
