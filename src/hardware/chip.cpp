#include "hardware/chip.hpp"

#include <vector>

namespace xpusim::hardware {

Chip Chip::parse(const core::ConfigNode& root, const CalibrationSchema& schema) {
  // The kind first: a file of another kind should say so, not list unknown fields.
  if (auto kind = root.find("kind"); kind && kind->as_string() != "chip") throw kind->error("\"chip\"");
  root.expect_keys({"name", "kind", "display_name", "vendor", "peak_flops_per_s", "compute_units",
                    "compute_unit_name", "clock", "l2_cache", "shared_memory_per_unit", "tdp", "memory",
                    "scale_up", "calibration", "notes"});
  Chip c;
  c.file_ = root.file();
  c.name_ = root.at("name").as_string();
  if (c.name_.empty()) throw root.at("name").error("a non-empty name");
  c.display_name_ = root.has("display_name") ? root.at("display_name").as_string() : c.name_;
  c.vendor_ = root.at("vendor").as_string();

  const core::ConfigNode peaks = root.at("peak_flops_per_s");
  std::vector<std::string_view> dtypes;
  for (auto d : core::kAllDtypes) dtypes.push_back(core::dtype_name(d));
  peaks.expect_keys(dtypes);
  for (const auto& key : peaks.keys()) {
    const auto d = core::parse_dtype(key);
    c.peak_[static_cast<std::size_t>(*d)] =
        read_sourced_positive(peaks.at(key), core::Dimension::kFlopsPerSecond, c.sources_);
  }
  if (!c.supports(core::Dtype::kBf16) && !c.supports(core::Dtype::kFp16))
    throw peaks.error("a bf16 or fp16 peak (the dense rate every training model uses)");

  c.compute_units_ = read_count(root.at("compute_units"), c.sources_);
  c.compute_unit_name_ = root.has("compute_unit_name") ? root.at("compute_unit_name").as_string() : "core";
  c.clock_hz_ = read_sourced_positive(root.at("clock"), core::Dimension::kHertz, c.sources_);
  c.l2_cache_bytes_ = read_optional(root, "l2_cache", core::Dimension::kBytes, c.sources_).value_or(0.0);
  c.shared_memory_per_unit_bytes_ =
      read_optional(root, "shared_memory_per_unit", core::Dimension::kBytes, c.sources_).value_or(0.0);
  c.tdp_w_ = read_sourced_positive(root.at("tdp"), core::Dimension::kWatts, c.sources_);
  c.memory_ = MemorySystem::parse(root.at("memory"), c.sources_);
  if (auto up = root.find("scale_up")) {
    up->expect_keys({"link", "bandwidth"});
    c.scale_up_link_ = up->at("link").as_string();
    c.scale_up_bandwidth_ = read_sourced_positive(up->at("bandwidth"), core::Dimension::kBytesPerSecond, c.sources_);
  }
  auto cal = root.find("calibration");
  c.calibration_ = Calibration::parse(cal ? &*cal : nullptr, schema, ParamDecl::Scope::kChip, c.sources_);
  return c;
}

}  // namespace xpusim::hardware
