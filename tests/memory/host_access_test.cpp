#include <gtest/gtest.h>

#include "memory/host_access.hpp"

namespace xpusim::memory {
namespace {

const TimingCatalog& catalog() {
  static const TimingCatalog c = TimingCatalog::load(XPUSIM_SOURCE_DATA_DIR);
  return c;
}

HostAccessModel h100_like(const HostAccess& h) {
  return HostAccessModel(AnalyticalModel(catalog().closest("hbm3", 6.4e9), 5), h, 132, 1.0);
}

TEST(HostAccess, GranuleRoundsSmallGathersUp) {
  const auto nv = h100_like(HostAccess::for_vendor("NVIDIA"));
  const auto amd = h100_like(HostAccess::for_vendor("AMD"));
  EXPECT_DOUBLE_EQ(nv.scattered(4).fetched_per_useful, 8.0);    // one 32 B sector per 4 B
  EXPECT_DOUBLE_EQ(amd.scattered(4).fetched_per_useful, 16.0);  // one 64 B request per 4 B
  EXPECT_DOUBLE_EQ(nv.scattered(4096).fetched_per_useful, 1.0);
  EXPECT_LT(nv.scattered(4).bandwidth_bytes_per_s, nv.scattered(64).bandwidth_bytes_per_s / 4);
}

TEST(HostAccess, SectorAlignedSixtyFourByteAccessSplitsOverTwoPseudoChannels) {
  auto h = HostAccess::for_vendor("NVIDIA");
  const auto sector = h100_like(h).scattered(64);
  EXPECT_TRUE(sector.chunk_splits);
  EXPECT_DOUBLE_EQ(sector.dram_granules_per_chunk, 1.5);  // half of them straddle two granules
  h.alignment_bytes = 64;
  const auto aligned = h100_like(h).scattered(64);
  EXPECT_FALSE(aligned.chunk_splits);
  EXPECT_DOUBLE_EQ(aligned.dram_granules_per_chunk, 1.0);
  EXPECT_NEAR(sector.device_bandwidth_bytes_per_s / aligned.device_bandwidth_bytes_per_s, 1.0 / 1.5, 1e-9);
}

TEST(HostAccess, RandomChunksUpToGroupsTimesPcsAreActBound) {
  const auto m = h100_like(HostAccess::for_vendor("NVIDIA"));
  EXPECT_LT(m.scattered_vs_stream(64), 0.7);    // one ACT per 64 B: the tFAW bound
  EXPECT_LT(m.scattered_vs_stream(2048), 0.7);  // a 2 KiB page visits every PC once
  // The default mapping (ro-ba-co-bg-pc-ch) spreads 64 B granules over channels, PCs and then
  // bank groups, so up to PCs x 8 groups x 64 B (16 KiB on one stack) every granule of a random
  // chunk opens a row of its own: ACT-bound like 64 B reads.
  const HostAccessModel one(AnalyticalModel(catalog().closest("hbm3", 6.4e9), 1), HostAccess::for_vendor("NVIDIA"), 132);
  EXPECT_NEAR(one.scattered_vs_stream(16384) / one.scattered_vs_stream(64), 1.0, 0.05);
  EXPECT_NEAR(m.scattered_vs_stream(16384) / m.scattered_vs_stream(64), 1.0, 0.05);
}

TEST(HostAccess, WindowBoundsBandwidthAndLatencyIsLittlesLaw) {
  const auto m = h100_like(HostAccess::for_vendor("NVIDIA"));
  const auto one = m.stream(0.5, 0.5);
  EXPECT_STREQ(one.bound, "in_flight");
  EXPECT_NEAR(one.bandwidth_bytes_per_s / one.in_flight_bound_bytes_per_s, 1.0, 0.05);
  const auto full = m.stream(0.5, 132);
  EXPECT_STREQ(full.bound, "device");
  EXPECT_GT(full.bandwidth_bytes_per_s, 20 * one.bandwidth_bytes_per_s);
  EXPECT_LT(full.bandwidth_bytes_per_s, full.device_bandwidth_bytes_per_s);
  for (const auto& e : {one, full}) {
    EXPECT_GE(e.loaded_latency_s, e.unloaded_latency_s);
    EXPECT_NEAR(e.loaded_latency_s * e.bandwidth_bytes_per_s * e.fetched_per_useful / e.window_bytes, 1.0, 0.06);
  }
  // Loaded latency grows with load: the window / bandwidth at saturation is several times unloaded.
  EXPECT_GT(full.loaded_latency_s, 2 * full.unloaded_latency_s);
}

TEST(HostAccess, EstimatedTimingSetIsFlagged) {
  const HostAccessModel e(AnalyticalModel(catalog().closest("hbm3e", 9.6e9), 8), HostAccess::for_vendor("NVIDIA"), 148);
  EXPECT_TRUE(e.timing_estimate());
  EXPECT_FALSE(h100_like(HostAccess::for_vendor("NVIDIA")).timing_estimate());
}

}  // namespace
}  // namespace xpusim::memory
