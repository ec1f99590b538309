#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "cost/op_cost.hpp"
#include "hardware/catalog.hpp"
#include "hardware/overrides.hpp"
#include "memory/analytical.hpp"
#include "model/architecture.hpp"
#include "training/step_model.hpp"

namespace xpusim::scenario {

// Everything a run needs that does not change between scenarios, built once: the catalog, the
// HBM timing sets, the calibration schema, and caches of what scenarios share (a cost model per
// chip, a loaded model per name, a derived system per override set, a step model per pair).
// Contract: every member is const and safe to call from many threads at once; lookups throw
// core::Error naming the flag or field for bad names or overrides; cached objects live as long
// as the session.
class Session {
 public:
  // Loads the data directory (default_data_dir() when empty). Throws core::Error for bad data.
  explicit Session(std::filesystem::path data_dir = {});
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // $XPUSIM_DATA_DIR, else the source tree's data/ (compiled in), else <exe>/../share/xpusim/data.
  static std::filesystem::path default_data_dir();

  const std::filesystem::path& data_dir() const { return data_dir_; }
  const hardware::Catalog& catalog() const { return catalog_; }
  const hardware::CalibrationSchema& schema() const { return schema_; }
  const memory::TimingCatalog& timings() const { return timings_; }
  // A short hash of every file under data_dir (names and contents), so a result names its data.
  const std::string& data_hash() const;

  // A catalog chip or system by name or YAML file, with overrides applied; `flag` names the option.
  std::shared_ptr<const hardware::Chip> chip(std::string_view name_or_file, std::string_view flag,
                                             const std::vector<hardware::Override>& overrides = {}) const;
  std::shared_ptr<const hardware::System> system(std::string_view name_or_file, std::string_view flag,
                                                 const std::vector<hardware::Override>& overrides = {}) const;
  // A shipped model name or a HuggingFace config.json, loaded once.
  std::shared_ptr<const model::Architecture> architecture(const std::string& name_or_file) const;
  // A software stack (data/stacks/NAME.yaml or a YAML file), loaded once; `--stack` in errors.
  std::shared_ptr<const training::StackOptions> stack(const std::string& name_or_file) const;
  // The chip's operator cost model with the memory layer's analytical HBM model behind its
  // bandwidths (what its hbm_fabric_efficiency was fitted with), built once per chip.
  std::shared_ptr<const cost::CostModel> cost_model(const std::shared_ptr<const hardware::Chip>& chip) const;
  // The step model of a model on a system, built once per pair.
  std::shared_ptr<const training::StepModel> step_model(const std::shared_ptr<const model::Architecture>& arch,
                                                        const std::shared_ptr<const hardware::System>& system) const;

 private:
  std::filesystem::path data_dir_;
  hardware::CalibrationSchema schema_;
  hardware::Catalog catalog_;
  memory::TimingCatalog timings_;

  mutable std::mutex mutex_;
  mutable std::string data_hash_;
  mutable std::map<std::string, std::shared_ptr<const hardware::Chip>> chips_;
  mutable std::map<std::string, std::shared_ptr<const hardware::System>> systems_;
  mutable std::map<std::string, std::shared_ptr<const model::Architecture>> models_;
  mutable std::map<std::string, std::shared_ptr<const training::StackOptions>> stacks_;
  mutable std::map<const hardware::Chip*, std::pair<std::shared_ptr<const hardware::Chip>,
                                                    std::shared_ptr<const cost::CostModel>>> costs_;
  // Keys are raw pointers; each entry holds its key objects so a pointer is never reused.
  struct StepModelEntry {
    std::shared_ptr<const model::Architecture> arch;
    std::shared_ptr<const hardware::System> system;
    std::shared_ptr<const training::StepModel> model;
  };
  mutable std::map<std::pair<const model::Architecture*, const hardware::System*>, StepModelEntry> step_models_;
};

}  // namespace xpusim::scenario
