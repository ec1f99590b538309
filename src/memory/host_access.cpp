#include "memory/host_access.hpp"

#include <algorithm>
#include <cmath>

namespace xpusim::memory {

HostAccess HostAccess::for_vendor(std::string_view vendor) {
  HostAccess h;
  // H100 fit of the hbm suite (validation/hbm_suite.cpp, data/validation/hbm_host.csv): fabric
  // latency = pointer-chase HBM latency 288.1 ns - the HBM3 DRAM's own 50.6 ns; the window and the
  // knee from the 1-SM and 132-SM copy rows. HbmSuite.CodeDefaultsEqualTheFit holds them equal.
  h.fabric_latency_s = 237.5e-9;
  h.bytes_in_flight_per_unit = 40125;
  h.knee_exponent = 0.88125;
  if (vendor == "NVIDIA") {
    h.granule_bytes = 32;
    h.alignment_bytes = 32;
    h.source =
        "32 B sectors: NVIDIA CUPTI CUpti_ActivityGlobalAccess3::l2_transactions ('32 bytes transactions to L2'); "
        "latency and window fitted on H100 rows (hbm suite)";
  } else {
    h.granule_bytes = 64;
    h.alignment_bytes = 64;
    h.source = vendor == "AMD"
                   ? "64 B fabric requests of 128 B L2 lines (ROCm profiler docs, L2-fabric transactions); latency and "
                     "window: the H100 fit carried over (estimate)"
                   : "64 B granule and the H100 latency / window fit carried over (estimate)";
  }
  return h;
}

HostAccessModel::HostAccessModel(const AnalyticalModel& hbm, HostAccess host, int compute_units, double fabric_efficiency)
    : host_(std::move(host)),
      units_(std::max(1, compute_units)),
      fabric_efficiency_(fabric_efficiency),
      peak_(hbm.peak_bandwidth_bytes_per_s()),
      timing_estimate_(hbm.timing_set().estimate) {
  const auto& t = hbm.timing_set().t;
  const int bursts = std::max(1, AddressMapping::kGranuleBytes / hbm.timing_set().org.burst_bytes());
  // A random read on an open-page controller finds another row open: PRE, ACT, RD, data.
  dram_latency_s_ = (t.nRP + t.nRCDRD + t.nCL + bursts * t.nBL) * hbm.timing_set().clock_period_s;
  for (int i = 0; i < kChunks; ++i)
    chunk_eff_[static_cast<std::size_t>(i)] = hbm.estimate(AccessPattern::random(1.0, 32 << i)).efficiency;
  for (int i = 0; i < 5; ++i) stream_eff_[static_cast<std::size_t>(i)] = hbm.estimate(AccessPattern::stream(i / 4.0)).efficiency;
}

double HostAccessModel::chunk_efficiency(double fetched_bytes) const {
  const double x = std::clamp(std::log2(std::max(fetched_bytes, 32.0) / 32.0), 0.0, kChunks - 1.0);
  const int i = std::min(kChunks - 2, static_cast<int>(x));
  const auto u = static_cast<std::size_t>(i);
  return chunk_eff_[u] + (chunk_eff_[u + 1] - chunk_eff_[u]) * (x - i);
}

double HostAccessModel::scattered_vs_stream(double chunk_bytes) const {
  return std::min(1.0, chunk_efficiency(chunk_bytes) / std::max(1e-9, stream_eff_[4]));
}

HostAccessEstimate HostAccessModel::finish(double device_useful, double fetched_per_useful, double active_units) const {
  HostAccessEstimate e;
  e.device_bandwidth_bytes_per_s = device_useful;
  e.fetched_per_useful = fetched_per_useful;
  e.unloaded_latency_s = host_.fabric_latency_s + dram_latency_s_;
  const double units = active_units >= 0 ? active_units : units_;
  e.window_bytes = host_.bytes_in_flight_per_unit * units;
  if (e.window_bytes <= 0) {
    e.bandwidth_bytes_per_s = device_useful;
    e.in_flight_bound_bytes_per_s = 0;
  } else {
    // Little's law at the unloaded latency, blended into the device bound with the knee exponent.
    e.in_flight_bound_bytes_per_s = e.window_bytes / fetched_per_useful / e.unloaded_latency_s;
    const double k = std::max(0.1, host_.knee_exponent);
    e.bandwidth_bytes_per_s =
        std::pow(std::pow(device_useful, -k) + std::pow(e.in_flight_bound_bytes_per_s, -k), -1.0 / k);
    if (e.in_flight_bound_bytes_per_s < device_useful) e.bound = "in_flight";
  }
  // Saturated or not, what is in flight over what comes back is the latency each request sees.
  e.loaded_latency_s = e.window_bytes > 0 ? std::max(e.unloaded_latency_s, e.window_bytes / fetched_per_useful /
                                                                               e.bandwidth_bytes_per_s)
                                          : e.unloaded_latency_s;
  return e;
}

HostAccessEstimate HostAccessModel::scattered(double chunk_bytes, double active_units) const {
  const double c = std::max(1.0, chunk_bytes);
  const double g = std::max(1, host_.granule_bytes);
  const double dram = AddressMapping::kGranuleBytes;
  // The chunk starts at a random multiple of the alignment inside a 64-byte DRAM granule:
  // average the requester granules and DRAM granules it touches over those offsets.
  const double a = std::clamp<double>(host_.alignment_bytes, 1.0, dram);
  const int offsets = std::max(1, static_cast<int>(dram / a));
  double fetched = 0, touched = 0;
  for (int k = 0; k < offsets; ++k) {
    const double off = k * a;
    fetched += (std::ceil((std::fmod(off, g) + c) / g)) * g;
    touched += std::ceil((off + c) / dram);
  }
  fetched /= offsets;
  touched /= offsets;
  const double aligned = std::ceil(c / dram);
  // Random chunks are ACT-bound: each extra DRAM granule touched is one more PC visit (an ACT).
  const double eff = chunk_efficiency(std::min(fetched, aligned * dram)) * aligned / touched;
  auto e = finish(peak_ * eff * fabric_efficiency_ * (c / fetched), fetched / c, active_units);
  e.dram_granules_per_chunk = touched;
  e.chunk_splits = a < dram && c <= dram && touched > aligned;
  return e;
}

HostAccessEstimate HostAccessModel::stream(double read_fraction, double active_units) const {
  const double x = std::clamp(read_fraction, 0.0, 1.0) * 4.0;
  const int i = std::min(3, static_cast<int>(x));
  const auto u = static_cast<std::size_t>(i);
  const double eff = stream_eff_[u] + (stream_eff_[u + 1] - stream_eff_[u]) * (x - i);
  auto e = finish(peak_ * eff * fabric_efficiency_, 1.0, active_units);
  e.dram_granules_per_chunk = 0;
  return e;
}

}  // namespace xpusim::memory
