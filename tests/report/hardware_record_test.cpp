#include <gtest/gtest.h>

#include "report/hardware_record.hpp"
#include "report/reporter.hpp"
#include "support/test_support.hpp"

namespace xpusim::report {
namespace {

TEST(HardwareRecord, ChipRecordHasTheDocumentedFields) {
  const Record r = chip_record(*test::catalog().find_chip("h100-sxm5-80gb"));
  EXPECT_EQ(r["name"], "h100-sxm5-80gb");
  EXPECT_EQ(r["kind"], "chip");
  EXPECT_EQ(r["vendor"], "NVIDIA");
  EXPECT_EQ(r["peak_flops_per_s"]["bf16"].get<double>(), 989.4e12);
  EXPECT_FALSE(r["peak_flops_per_s"].contains("fp4"));  // only dtypes the chip has
  EXPECT_EQ(r["memory"]["generation"], "hbm3");
  EXPECT_EQ(r["memory"]["stacks"], 5);
  EXPECT_EQ(r["memory"]["capacity_bytes"].get<double>(), 80e9);
  EXPECT_EQ(r["memory"]["bandwidth_bytes_per_s"].get<double>(), 3.35e12);
  EXPECT_EQ(r["tdp_w"].get<double>(), 700.0);
  EXPECT_EQ(r["scale_up"]["bandwidth_bytes_per_s"].get<double>(), 900e9);
  EXPECT_FALSE(r["sources"]["peak_flops_per_s.bf16"].get<std::string>().empty());
  EXPECT_FALSE(chip_record(*test::catalog().find_chip("h100-sxm5-80gb"), false).contains("sources"));
}

TEST(HardwareRecord, SystemRecordAddsNodeNetworkAndChip) {
  const Record r = system_record(*test::catalog().find_system("dgx-h100"));
  EXPECT_EQ(r["kind"], "system");
  EXPECT_EQ(r["chip"], "h100-sxm5-80gb");
  EXPECT_EQ(r["peak_flops_per_s"]["bf16"].get<double>(), 989.4e12);
  EXPECT_EQ(r["node"]["chips_per_node"], 8);
  EXPECT_EQ(r["node"]["scale_up"]["bandwidth_per_chip_bytes_per_s"].get<double>(), 450e9);
  EXPECT_EQ(r["node"]["scale_up"]["latency_s"].get<double>(), 3e-6);
  EXPECT_EQ(r["network"]["nic_bandwidth_bytes_per_s"].get<double>(), 50e9);
  EXPECT_EQ(r["max_chips"], 32768);
}

TEST(HardwareRecord, SummariesShowMissingDtypesAsDash) {
  const Record v100 = chip_summary(*test::catalog().find_chip("v100-sxm2-32gb"));
  EXPECT_TRUE(v100["bf16_flops_per_s"].is_null());  // Volta has no bf16
  const std::string table = render_table(Record{{"chips", Record::array({v100})}});
  EXPECT_NE(table.find("v100-sxm2-32gb  NVIDIA  -                 -                hbm2"), std::string::npos) << table;
  const Record s = system_summary(*test::catalog().find_system("dgx-a100"));
  EXPECT_EQ(s["nic_bandwidth_per_node_bytes_per_s"].get<double>(), 200e9);  // 8 x 200 Gb/s
}

}  // namespace
}  // namespace xpusim::report
