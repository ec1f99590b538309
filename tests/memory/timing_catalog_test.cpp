#include <gtest/gtest.h>

#include "core/error.hpp"
#include "memory/analytical.hpp"
#include "support/test_support.hpp"

namespace xpusim::memory {
namespace {

const TimingCatalog& catalog() {
  static const TimingCatalog c = TimingCatalog::load(XPUSIM_SOURCE_DATA_DIR);
  return c;
}

TEST(TimingCatalog, LoadsEveryGenerationWithSources) {
  for (const char* g : {"hbm2", "hbm2e", "hbm3", "hbm3e"}) {
    const auto& s = catalog().closest(g, 0);
    EXPECT_EQ(s.generation, g);
    EXPECT_FALSE(s.sources.empty());
    EXPECT_TRUE(s.sources.count("timings.nFAW")) << s.name;
  }
}

TEST(TimingCatalog, ClosestPicksNearestSpeedGrade) {
  EXPECT_EQ(catalog().closest("hbm3e", 9.5e9).name, "hbm3e-9600");
  EXPECT_EQ(catalog().closest("hbm3e", 8.1e9).name, "hbm3e-8000");
  EXPECT_EQ(catalog().closest("hbm2e", 3.6e9).name, "hbm2e-3600");
  const auto& h3 = catalog().closest("hbm3", 6.4e9);
  EXPECT_NEAR(h3.stack_peak_bytes_per_s(), 819.2e9, 1e6);
  EXPECT_EQ(h3.org.burst_bytes(), 32);
  EXPECT_EQ(h3.org.row_bytes(), 1024);
}

TEST(TimingCatalog, UnknownGenerationSuggestsClosest) {
  try {
    catalog().closest("hbm3x", 6.4e9);
    FAIL() << "no error";
  } catch (const core::Error& e) {
    EXPECT_NE(std::string(e.what()).find("--generation"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("did you mean: hbm3"), std::string::npos) << e.what();
  }
}

TEST(TimingCatalog, InconsistentBurstIsRejectedWithFileAndField) {
  const std::string yaml = R"(name: bad
generation: hbm3
pin_rate: "6.4 Gb/s"
clock_period: "0.625 ns"
organisation: {channels_per_stack: 16, pseudo_channels_per_channel: 2, pseudo_channel_width_bits: 32,
  stack_ids: 1, bank_groups_per_sid: 4, banks_per_group: 4, rows: 8192, columns: 32, burst_length: 8}
timings: {nBL: 4, nCL: 20, nCWL: 10, nRCDRD: 31, nRCDWR: 15, nRP: 26, nRAS: 45, nRC: 72, nRRDS: 4, nRRDL: 5,
  nFAW: 24, nCCDS: 4, nCCDL: 4, nCCDR: 3, nWR: 33, nWTRS: 7, nWTRL: 10, nRTP: 9, nRTW: 20, nRFC: 416,
  nREFI: 6240, nRFCpb: 320, nREFIpb: 195, nRREFD: 8}
)";
  try {
    TimingSet::parse(core::ConfigNode::parse(yaml, "bad.yaml"));
    FAIL() << "no error";
  } catch (const core::Error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.yaml:"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("nBL"), std::string::npos) << e.what();
  }
}

TEST(AnalyticalModel, StreamNearPeakRandomAtActBound) {
  const AnalyticalModel m(catalog().closest("hbm3", 6.4e9), 1);
  const auto s = m.estimate(AccessPattern::stream());
  EXPECT_NEAR(s.peak_bandwidth_bytes_per_s, 819.2e9, 1e6);
  EXPECT_GT(s.efficiency, 0.85);
  EXPECT_LE(s.efficiency, 1.0);
  const auto r = m.estimate(AccessPattern::random());
  EXPECT_NEAR(r.bandwidth_bytes_per_s, m.random_act_bound_bytes_per_s(64), 0.02 * r.bandwidth_bytes_per_s);
  EXPECT_LT(r.efficiency, s.efficiency);
  EXPECT_GT(r.avg_latency_s, 0);
}

TEST(AnalyticalModel, ForMemorySystemUsesStacksAndClosestSet) {
  const auto& h100 = *test::catalog().find_chip("h100-sxm5-80gb");
  const auto m = AnalyticalModel::for_memory_system(h100.memory(), catalog());
  EXPECT_EQ(m.timing_set().generation, "hbm3");
  EXPECT_EQ(m.stacks(), 5);
}

}  // namespace
}  // namespace xpusim::memory
