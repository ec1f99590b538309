#pragma once

#include <array>
#include <string>
#include <string_view>

#include "memory/analytical.hpp"

namespace xpusim::memory {

// The requester side of HBM: what a GPU (or other accelerator) sends to the memory controllers.
// Defaults per vendor in for_vendor(), each with its source (docs/hbm.md, "Host access model").
struct HostAccess {
  // Smallest piece the requester fetches: an NVIDIA L2 miss moves 32-byte sectors, AMD's L2 asks
  // the fabric for 64-byte requests (128-byte lines); a 4-byte gather still costs a granule.
  int granule_bytes = 32;
  // Alignment of the scattered chunks the requester reads (KV pages, embedding rows, token rows
  // start on this); a chunk that is not 64-byte aligned spans one more DRAM granule, i.e. its
  // first and last 64 bytes split over two pseudo-channels (the address hash interleaves PCs at
  // 64 B, as the memory layer's mapping does).
  int alignment_bytes = 32;
  // Path from the SM through the NoC and L2 to the memory controller and back, beyond the DRAM's
  // own access (tRP + tRCD + tCL + burst): unloaded latency = fabric + DRAM.
  double fabric_latency_s = 0;
  // Bytes one compute unit (SM, CU) keeps in flight from HBM at full occupancy (like its MSHRs
  // and load queues); the chip's window is this times its active compute units.
  double bytes_in_flight_per_unit = 0;
  // How sharply bandwidth turns from in-flight-bound (window / latency, Little's law) to
  // device-bound: bandwidth = (device^-k + (window / latency)^-k)^(-1/k). Large k: a hard knee.
  double knee_exponent = 0.88125;
  std::string source;  // where the numbers come from

  // NVIDIA: 32 B sectors (CUPTI "32 bytes transactions to L2"), latency and window fitted by the
  // hbm suite on H100 pointer-chase and copy rows. AMD: 64 B (ROCm L2-fabric requests); others:
  // 64 B; their latency and window are the H100 fit carried over (marked in `source`).
  static HostAccess for_vendor(std::string_view vendor);
};

// What the requester sees for one access pattern.
struct HostAccessEstimate {
  double bandwidth_bytes_per_s = 0;         // useful bytes (what the operator asked for) per second
  double device_bandwidth_bytes_per_s = 0;  // DRAM-level bound for this pattern, useful bytes
  double in_flight_bound_bytes_per_s = 0;   // window / unloaded latency
  double fetched_per_useful = 1;            // granule and alignment rounding
  double dram_granules_per_chunk = 0;       // 64-byte DRAM granules one chunk touches (PC visits)
  bool chunk_splits = false;                // a 64-byte access can straddle two PCs (alignment < 64)
  double window_bytes = 0;                  // bytes in flight
  double unloaded_latency_s = 0;            // fabric + DRAM, one request alone
  double loaded_latency_s = 0;              // window / bandwidth (Little's law) at this load
  const char* bound = "device";             // "device" | "in_flight"
};

// Host access model: a requester's granule, alignment and in-flight window over the memory
// layer's analytical HBM model. Contract: built once (it runs the analytical model for random
// chunks of 32 B .. 16 KiB and the stream, about 0.1 ms), then every query is a few
// arithmetic operations and allocates nothing; pure and thread-safe. `fabric_efficiency`
// derates the DRAM-level bandwidth as the cost layer's hbm_fabric_efficiency does.
class HostAccessModel {
 public:
  HostAccessModel(const AnalyticalModel& hbm, HostAccess host, int compute_units, double fabric_efficiency = 1.0);

  // `chunk_bytes` contiguous bytes at random `alignment_bytes`-aligned addresses (paged KV
  // gathers, embedding lookups, MoE token scatter / gather), `active_units` compute units issuing.
  HostAccessEstimate scattered(double chunk_bytes, double active_units = -1) const;
  // A sequential stream with `read_fraction` reads (copies: 0.5).
  HostAccessEstimate stream(double read_fraction = 1.0, double active_units = -1) const;
  // DRAM-level efficiency of random chunks relative to a read stream (<= 1), for the cost layer.
  double scattered_vs_stream(double chunk_bytes) const;

  // The same memory tables with other requester parameters (for fitters: no re-estimation).
  HostAccessModel with_host(HostAccess host) const {
    HostAccessModel m = *this;
    m.host_ = std::move(host);
    return m;
  }
  const HostAccess& host() const { return host_; }
  double peak_bandwidth_bytes_per_s() const { return peak_; }
  double dram_unloaded_latency_s() const { return dram_latency_s_; }
  bool timing_estimate() const { return timing_estimate_; }

 private:
  static constexpr int kChunks = 10;  // 32 B << i
  HostAccessEstimate finish(double device_useful, double fetched_per_useful, double active_units) const;
  double chunk_efficiency(double fetched_bytes) const;  // DRAM efficiency of random chunks of that size
  HostAccess host_;
  int units_;
  double fabric_efficiency_;
  double peak_;
  double dram_latency_s_;
  bool timing_estimate_;
  std::array<double, kChunks> chunk_eff_{};
  std::array<double, 5> stream_eff_{};  // read fraction 0, 1/4, .., 1
};

}  // namespace xpusim::memory
