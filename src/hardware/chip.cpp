#include "hardware/chip.hpp"

#include <cmath>
#include <vector>

namespace xpusim::hardware {

Chip Chip::parse(const core::ConfigNode& root, const CalibrationSchema& schema) {
  // The kind first: a file of another kind should say so, not list unknown fields.
  if (auto kind = root.find("kind"); kind && kind->as_string() != "chip") throw kind->error("\"chip\"");
  root.expect_keys({"name", "kind", "display_name", "vendor", "peak_flops_per_s", "compute_units",
                    "compute_unit_name", "clock", "l2_cache", "shared_memory_per_unit", "tdp", "memory",
                    "scale_up", "calibration", "notes"});
  ChipSpec c;
  SourceMap sources;
  c.origin.file = root.file();
  c.name = root.at("name").as_string();
  if (c.name.empty()) throw root.at("name").error("a non-empty name");
  c.display_name = root.has("display_name") ? root.at("display_name").as_string() : c.name;
  c.vendor = root.at("vendor").as_string();

  const core::ConfigNode peaks = root.at("peak_flops_per_s");
  std::vector<std::string_view> dtypes;
  for (auto d : core::kAllDtypes) dtypes.push_back(core::dtype_name(d));
  peaks.expect_keys(dtypes);
  for (const auto& key : peaks.keys()) {
    const auto d = core::parse_dtype(key);
    c.peak_flops_per_s[static_cast<std::size_t>(*d)] =
        read_sourced_positive(peaks.at(key), core::Dimension::kFlopsPerSecond, sources);
  }
  const auto has = [&](core::Dtype d) { return c.peak_flops_per_s[static_cast<std::size_t>(d)] > 0; };
  if (!has(core::Dtype::kBf16) && !has(core::Dtype::kFp16))
    throw peaks.error("a bf16 or fp16 peak (the dense rate every training model uses)");

  c.compute_units = read_count(root.at("compute_units"), sources);
  if (root.has("compute_unit_name")) c.compute_unit_name = root.at("compute_unit_name").as_string();
  c.clock_hz = read_sourced_positive(root.at("clock"), core::Dimension::kHertz, sources);
  c.l2_cache_bytes = read_optional(root, "l2_cache", core::Dimension::kBytes, sources).value_or(0.0);
  c.shared_memory_per_unit_bytes =
      read_optional(root, "shared_memory_per_unit", core::Dimension::kBytes, sources).value_or(0.0);
  c.tdp_w = read_sourced_positive(root.at("tdp"), core::Dimension::kWatts, sources);
  c.memory = MemorySystem::parse(root.at("memory"), sources).spec();
  if (auto up = root.find("scale_up")) {
    up->expect_keys({"link", "bandwidth"});
    c.scale_up_link = up->at("link").as_string();
    c.scale_up_bandwidth_bytes_per_s =
        read_sourced_positive(up->at("bandwidth"), core::Dimension::kBytesPerSecond, sources);
  }
  auto cal = root.find("calibration");
  c.calibration = Calibration::parse(cal ? &*cal : nullptr, schema, ParamDecl::Scope::kChip, sources);
  c.sources = std::make_shared<const SourceMap>(std::move(sources));
  return from_spec(std::move(c));
}

Chip Chip::from_spec(ChipSpec spec) {
  const auto& o = spec.origin;
  if (spec.name.empty()) throw o.error("name", "", "a non-empty name");
  const auto peak = [&](core::Dtype d) { return spec.peak_flops_per_s[static_cast<std::size_t>(d)]; };
  for (auto d : core::kAllDtypes) {
    if (peak(d) < 0 || !std::isfinite(peak(d)))
      throw o.error("peak_flops_per_s." + std::string(core::dtype_name(d)), std::to_string(peak(d)),
                    "a positive rate such as \"989 TFLOP/s\"");
  }
  if (!(peak(core::Dtype::kBf16) > 0) && !(peak(core::Dtype::kFp16) > 0))
    throw o.error("peak_flops_per_s", "", "a bf16 or fp16 peak (the dense rate every training model uses)");
  if (spec.compute_units < 1) throw o.error("compute_units", std::to_string(spec.compute_units), "a positive integer");
  if (!(spec.clock_hz > 0)) throw o.error("clock", std::to_string(spec.clock_hz), "a positive frequency such as \"1.83 GHz\"");
  if (!(spec.tdp_w > 0)) throw o.error("tdp", std::to_string(spec.tdp_w), "a positive power such as \"700 W\"");
  if (spec.l2_cache_bytes < 0) throw o.error("l2_cache", std::to_string(spec.l2_cache_bytes), "a size >= 0");
  Chip c;
  c.memory_ = MemorySystem::from_spec(spec.memory, o);
  spec.memory = c.memory_.spec();  // derived fields filled in, so a changed copy re-derives from them
  if (!spec.sources) spec.sources = std::make_shared<const SourceMap>();
  c.spec_ = std::move(spec);
  return c;
}

std::string Chip::label() const {
  std::string out = spec_.name;
  for (std::size_t i = 0; i < spec_.overrides.size(); ++i) out += (i == 0 ? " with " : ", ") + spec_.overrides[i];
  return out;
}

}  // namespace xpusim::hardware
