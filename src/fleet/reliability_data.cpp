#include "fleet/reliability_data.hpp"

#include <cmath>

#include "core/config.hpp"
#include "hardware/sourced.hpp"

namespace xpusim::fleet {

FailureRates fit_rates(const FitWindow& w) {
  FailureRates r;
  const double exposure_s = w.days * 86400.0;
  for (std::size_t i = 0; i < r.per_gpu.size(); ++i) r.per_gpu[i] = w.counts[i] / (w.gpus * exposure_s);
  r.planned_per_job = w.planned / exposure_s;
  return r;
}

ReliabilityData load_reliability(const std::filesystem::path& file) {
  const auto root = core::ConfigNode::load_file(file);
  if (auto kind = root.find("kind"); kind && kind->as_string() != "reliability") throw kind->error("\"reliability\"");
  root.expect_keys({"kind", "name", "fit_window", "components", "recovery", "checkpoint"});
  ReliabilityData d;
  hardware::SourceMap& src = d.sources;
  using core::Dimension;
  const auto w = root.at("fit_window");
  w.expect_keys({"description", "gpus", "days", "planned_interruptions", "hbm_stacks_per_gpu"});
  d.window.description = w.at("description").as_string();
  d.window.gpus = hardware::read_sourced_positive(w.at("gpus"), Dimension::kDimensionless, src);
  d.window.days = hardware::read_sourced_positive(w.at("days"), Dimension::kDimensionless, src);
  d.window.planned = hardware::read_sourced(w.at("planned_interruptions"), Dimension::kDimensionless, src);
  d.window.hbm_stacks_per_gpu = hardware::read_count(w.at("hbm_stacks_per_gpu"), src);
  const auto c = root.at("components");
  c.expect_keys({"gpu", "hbm", "host", "network", "software"});
  for (auto comp : kComponents) {
    const auto node = c.at(component_name(comp));
    const double n = hardware::read_sourced(node, Dimension::kDimensionless, src);
    if (n < 0) throw hardware::sourced_value_error(node, "a count >= 0");
    d.window.counts[static_cast<std::size_t>(comp)] = n;
  }
  d.rates = fit_rates(d.window);
  const auto rec = root.at("recovery");
  rec.expect_keys({"restart"});
  d.restart_s = hardware::read_sourced(rec.at("restart"), Dimension::kSeconds, src);
  const auto ck = root.at("checkpoint");
  ck.expect_keys({"bytes_per_parameter", "storage_write_bandwidth", "storage_read_bandwidth"});
  d.bytes_per_parameter = hardware::read_sourced_positive(ck.at("bytes_per_parameter"), Dimension::kDimensionless, src);
  d.write_bytes_per_s = hardware::read_sourced_positive(ck.at("storage_write_bandwidth"), Dimension::kBytesPerSecond, src);
  d.read_bytes_per_s = hardware::read_sourced_positive(ck.at("storage_read_bandwidth"), Dimension::kBytesPerSecond, src);
  return d;
}

FailureRates rates_for_gpu(const ReliabilityData& data, int hbm_stacks) {
  FailureRates r = data.rates;
  auto& hbm = r.per_gpu[static_cast<std::size_t>(Component::kHbm)];
  hbm *= static_cast<double>(hbm_stacks) / data.window.hbm_stacks_per_gpu;
  return r;
}

double checkpoint_bytes(const ReliabilityData& data, const model::Architecture& arch) {
  return arch.params_total() * data.bytes_per_parameter;
}

JobTimes make_job(const ReliabilityData& data, const FailureRates& rates, long long gpus, double work_s,
                  double ckpt_bytes, double interval_s) {
  JobTimes j;
  j.work_s = work_s;
  j.rate_per_s = rates.total(gpus);
  j.write_s = ckpt_bytes / data.write_bytes_per_s;
  j.recovery_s = data.restart_s + ckpt_bytes / data.read_bytes_per_s;
  if (interval_s <= 0) {
    const double mtbf = j.rate_per_s > 0 ? 1.0 / j.rate_per_s : INFINITY;
    interval_s = young_daly_interval(j.write_s, mtbf);
  }
  // No failures and nothing to write: one segment.
  j.interval_s = std::isfinite(interval_s) && interval_s > 0 ? std::min(interval_s, work_s) : work_s;
  return j;
}

}  // namespace xpusim::fleet
