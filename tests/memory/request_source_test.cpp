#include <gtest/gtest.h>

#include <cstdio>
#include <set>

#include "core/error.hpp"
#include "memory/checker.hpp"
#include "memory/request_source.hpp"
#include "memory/simulator.hpp"
#include "support/test_support.hpp"

namespace xpusim::memory {
namespace {

const TimingSet& hbm3() {
  static const TimingCatalog c = TimingCatalog::load(XPUSIM_SOURCE_DATA_DIR);
  return c.closest("hbm3", 6.4e9);
}

std::string fmt_hex(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%x\n", i * 64);
  return buf;
}

std::string error_of(const std::string& name, const std::string& text) {
  const auto path = test::write_temp_file(name, text);
  try {
    TraceSource src(path, 64, 1.6e9);
    MemRequest r;
    while (src.next(r)) {
    }  // lines after the first are read as the trace streams
    return "";
  } catch (const core::Error& e) {
    return e.what();
  }
}

TEST(TraceSource, ReadsBothFormsAndTimeUnits) {
  const auto path = test::write_temp_file("ok.trace",
                                          "# comment line\n"
                                          "0 R 0x0\n"
                                          "10 W 0x40   # trailing comment\n"
                                          "\n"
                                          "25ns R 1f80\n"
                                          "LD 0x2000\n"
                                          "ST 0x2040\n");
  TraceSource src(path, 64, 1.6e9);
  EXPECT_EQ(src.size(), 0u);  // streamed: not known in advance
  MemRequest r;
  ASSERT_TRUE(src.next(r));
  EXPECT_EQ(r.arrival_cycle, 0u);
  EXPECT_FALSE(r.write);
  ASSERT_TRUE(src.next(r));
  EXPECT_EQ(r.arrival_cycle, 10u);
  EXPECT_TRUE(r.write);
  EXPECT_EQ(r.address, 0x40u);
  ASSERT_TRUE(src.next(r));
  EXPECT_EQ(r.arrival_cycle, 40u);  // 25 ns at 1.6 GHz
  EXPECT_EQ(r.address, 0x1f80u);
  ASSERT_TRUE(src.next(r));
  EXPECT_EQ(r.address, 0x2000u);
  EXPECT_FALSE(r.write);
  ASSERT_TRUE(src.next(r));
  EXPECT_TRUE(r.write);
  EXPECT_FALSE(src.next(r));
  EXPECT_EQ(src.requests_read(), 5u);
  EXPECT_DOUBLE_EQ(src.read_fraction(), 3.0 / 5.0);
}

TEST(TraceSource, BadLineNamesFileAndLine) {
  const auto e = error_of("bad.trace", "0 R 0x0\n5 X 0x40\n");
  EXPECT_NE(e.find("bad.trace:2"), std::string::npos) << e;
  EXPECT_NE(e.find("5 X 0x40"), std::string::npos) << e;
  EXPECT_NE(e.find("<R|W>"), std::string::npos) << e;
}

TEST(TraceSource, BadAddressAndExtraFieldsAreErrors) {
  EXPECT_NE(error_of("addr.trace", "0 R 0xZZ\n").find("addr.trace:1"), std::string::npos);
  EXPECT_NE(error_of("extra.trace", "0 R 0x10 7\n").find("extra.trace:1"), std::string::npos);
  EXPECT_NE(error_of("ld.trace", "LD\n").find("ld.trace:1"), std::string::npos);
  EXPECT_NE(error_of("time.trace", "abc R 0x10\n").find("time.trace:1"), std::string::npos);
}

TEST(TraceSource, TimeGoingBackwardsIsAnError) {
  const auto e = error_of("back.trace", "100 R 0x0\n50 R 0x40\n");
  EXPECT_NE(e.find("back.trace:2"), std::string::npos) << e;
  EXPECT_NE(e.find("not earlier"), std::string::npos) << e;
}

TEST(TraceSource, EmptyOrMissingFileIsAnError) {
  EXPECT_NE(error_of("empty.trace", "# nothing\n").find("at least one request"), std::string::npos);
  try {
    TraceSource src("/nonexistent/x.trace", 64, 1.6e9);
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/x.trace"), std::string::npos);
  }
}

TEST(TraceSource, ReplayedTraceSimulatesAndChecksClean) {
  std::string text;
  for (int i = 0; i < 3000; ++i) text += std::to_string(i * 2) + (i % 3 ? " R 0x" : " W 0x") + fmt_hex(i);
  const auto path = test::write_temp_file("replay.trace", text);
  TraceSource src(path, 64, hbm3().clock_hz());
  Simulator sim(hbm3(), 1);
  sim.record_commands(true);
  const auto r = sim.run(src);
  EXPECT_EQ(r.simulated_requests, 3000u);
  EXPECT_GT(r.commands.wr, 0u);
  EXPECT_TRUE(check_timing(hbm3(), sim.mapping().pcs(), sim.command_log()).ok());
  // Requests arrive every 2 cycles: the run cannot be shorter than the trace.
  EXPECT_GE(r.cycles, 2u * 2999u);
}

TEST(SyntheticSource, ReadFractionAndIssueRate) {
  AccessPattern p = AccessPattern::random(0.25);
  p.issue_rate_bytes_per_s = 64e9;  // one 64-byte request per ns
  SyntheticSource src(p, 10000, 1ull << 30, 1.6e9, 7);
  MemRequest r;
  int writes = 0;
  std::uint64_t last = 0;
  while (src.next(r)) {
    writes += r.write;
    EXPECT_EQ(r.address % 64, 0u);
    EXPECT_LT(r.address, 1ull << 30);
    last = r.arrival_cycle;
  }
  EXPECT_NEAR(writes / 10000.0, 0.75, 0.02);
  EXPECT_NEAR(static_cast<double>(last), 9999 * 1.6, 2.0);
}

TEST(AddressMapping, BadMappingNamesTheFlag) {
  for (const char* bad : {"ro-ba-co-bg-pc", "ro-ba-co-bg-pc-ch-ch", "ro-ba-co-bg-pc-xx", "ro-ba-co-bg-pc-ch+hash"}) {
    try {
      AddressMapping::parse(bad, hbm3(), 1, "--mapping");
      FAIL() << bad;
    } catch (const core::Error& e) {
      EXPECT_NE(std::string(e.what()).find("--mapping"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
}

TEST(AddressMapping, DefaultSpreadsConsecutiveGranulesOverAllPseudoChannels) {
  const auto m = AddressMapping::parse(AddressMapping::default_name(), hbm3(), 2, "--mapping");
  EXPECT_EQ(m.pcs(), 64);
  EXPECT_EQ(m.capacity_bytes(), 2ull * 32 * 32 * 8192 * 1024);  // stacks x PCs x banks x rows x 1 KiB
  std::vector<int> seen(64, 0);
  for (std::uint64_t g = 0; g < 64; ++g) ++seen[m.decode(g * 64).pc];
  for (int c : seen) EXPECT_EQ(c, 1);
  const auto a = m.decode(0), b = m.decode(32);  // two bursts of one granule
  EXPECT_EQ(a.pc, b.pc);
  EXPECT_EQ(a.row, b.row);
  EXPECT_EQ(b.column, a.column + 1);
}

TEST(AddressMapping, XorHashSpreadsRowsOfOneBankOverBanks) {
  const auto plain = AddressMapping::parse("ro-ba-bg-co-pc-ch", hbm3(), 1, "--mapping");
  const auto hashed = AddressMapping::parse("ro-ba-bg-co-pc-ch+xor", hbm3(), 1, "--mapping");
  const std::uint64_t row_bytes = plain.capacity_bytes() / 8192;
  std::set<std::uint32_t> plain_banks, hashed_banks;
  for (std::uint64_t r = 0; r < 32; ++r) {
    plain_banks.insert(plain.decode(r * row_bytes).bank);
    hashed_banks.insert(hashed.decode(r * row_bytes).bank);
  }
  EXPECT_EQ(plain_banks.size(), 1u);
  EXPECT_EQ(hashed_banks.size(), 32u);
}

// The k-th granule a stream sends to PC 0 is the k-th address of the stream that decodes to
// PC 0: checked by filtering the stream itself, for every documented mapping and two stacks.
TEST(AddressMapping, PcStreamAddressIsTheStreamFilteredToPcZero) {
  for (const auto& name : AddressMapping::named_mappings()) {
    const auto m = AddressMapping::parse(name, hbm3(), 2, "--mapping");
    std::uint64_t k = 0;
    for (std::uint64_t a = 0; k < 200; a += static_cast<std::uint64_t>(m.granule_bytes())) {
      if (m.decode(a).pc != 0) continue;
      EXPECT_EQ(m.pc_stream_address(k), a) << name << " granule " << k;
      ++k;
    }
  }
}

}  // namespace
}  // namespace xpusim::memory
