#include "scenario/session.hpp"

#include "training/stack.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <fmt/format.h>
#include <fstream>
#include <iterator>

#include "scenario/calibration_schema.hpp"

namespace xpusim::scenario {
namespace {

// FNV-1a over the sorted relative paths and contents of every file under `dir`.
std::string hash_tree(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
    if (it->is_regular_file()) files.push_back(it->path());
  std::sort(files.begin(), files.end());
  std::uint64_t h = 1469598103934665603ULL;
  const auto mix = [&h](const char* data, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) h = (h ^ static_cast<unsigned char>(data[i])) * 1099511628211ULL;
  };
  for (const auto& f : files) {
    const std::string rel = std::filesystem::relative(f, dir).generic_string();
    mix(rel.data(), rel.size() + 1);
    std::ifstream in(f, std::ios::binary);
    const std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    mix(body.data(), body.size());
  }
  return fmt::format("{:016x}", h);
}

std::string key_of(std::string_view name, const std::vector<hardware::Override>& overrides) {
  std::string key(name);
  for (const auto& o : overrides) key += "\n" + o.text();
  return key;
}

// The cached value of `key`, built by `make` outside the lock when absent (so slow builds do not
// serialise lookups); when two threads build the same key, the first one stored wins.
template <class Map, class Make>
typename Map::mapped_type cached(std::mutex& mutex, Map& map, const typename Map::key_type& key, const Make& make) {
  {
    std::lock_guard lock(mutex);
    if (auto it = map.find(key); it != map.end()) return it->second;
  }
  auto value = make();
  std::lock_guard lock(mutex);
  return map.emplace(key, std::move(value)).first->second;
}

}  // namespace

std::filesystem::path Session::default_data_dir() {
  if (const char* env = std::getenv("XPUSIM_DATA_DIR"); env && *env) return env;
  const std::filesystem::path built_in = XPUSIM_SOURCE_DATA_DIR;
  if (std::filesystem::is_directory(built_in)) return built_in;
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) return exe.parent_path().parent_path() / "share" / "xpusim" / "data";
  return built_in;
}

Session::Session(std::filesystem::path data_dir)
    : data_dir_(data_dir.empty() ? default_data_dir() : std::move(data_dir)),
      schema_(full_calibration_schema()),
      catalog_(hardware::Catalog::load(data_dir_, schema_)),
      timings_(memory::TimingCatalog::load(data_dir_)) {}

const std::string& Session::data_hash() const {
  std::lock_guard lock(mutex_);
  if (data_hash_.empty()) data_hash_ = hash_tree(data_dir_);
  return data_hash_;
}

std::shared_ptr<const hardware::Chip> Session::chip(std::string_view name, std::string_view flag,
                                                    const std::vector<hardware::Override>& overrides) const {
  return cached(mutex_, chips_, key_of(name, overrides),
                [&] { return hardware::apply_overrides(catalog_.chip(name, flag), overrides, schema_); });
}

std::shared_ptr<const hardware::System> Session::system(std::string_view name, std::string_view flag,
                                                        const std::vector<hardware::Override>& overrides) const {
  return cached(mutex_, systems_, key_of(name, overrides),
                [&] { return hardware::apply_overrides(catalog_.system(name, flag), overrides, schema_); });
}

std::shared_ptr<const model::Architecture> Session::architecture(const std::string& name) const {
  return cached(mutex_, models_, name,
                [&] { return std::make_shared<const model::Architecture>(model::load_model(name, data_dir_)); });
}

std::shared_ptr<const training::StackOptions> Session::stack(const std::string& name) const {
  return cached(mutex_, stacks_, name,
                [&] { return std::make_shared<const training::StackOptions>(training::load_stack(name, data_dir_)); });
}

std::shared_ptr<const cost::CostModel> Session::cost_model(const std::shared_ptr<const hardware::Chip>& chip) const {
  {
    std::lock_guard lock(mutex_);
    if (auto it = costs_.find(chip.get()); it != costs_.end()) return it->second.second;
  }
  const auto hbm = memory::AnalyticalModel::for_memory_system(chip->memory(), timings_);  // read while building
  auto model = std::make_shared<const cost::CostModel>(*chip, &hbm);
  std::lock_guard lock(mutex_);
  return costs_.emplace(chip.get(), std::make_pair(chip, std::move(model))).first->second.second;
}

std::shared_ptr<const training::StepModel> Session::step_model(
    const std::shared_ptr<const model::Architecture>& arch,
    const std::shared_ptr<const hardware::System>& system) const {
  const auto key = std::make_pair(arch.get(), system.get());
  {
    std::lock_guard lock(mutex_);
    if (auto it = step_models_.find(key); it != step_models_.end()) return it->second.model;
  }
  // The step model keeps its own copy of the architecture and holds the system (and so the chip).
  auto model = std::make_shared<const training::StepModel>(*arch, system, cost_model(system->chip_ptr()));
  std::lock_guard lock(mutex_);
  return step_models_.emplace(key, StepModelEntry{arch, system, std::move(model)}).first->second.model;
}

}  // namespace xpusim::scenario
