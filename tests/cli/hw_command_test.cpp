#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/test_support.hpp"

namespace xpusim {
namespace {

TEST(HwCommand, ShowH100JsonHasHeadlineFigures) {
  const auto r = test::run_cli({"hw", "show", "h100-sxm5-80gb", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["kind"], "chip");
  EXPECT_NEAR(j["peak_flops_per_s"]["bf16"].get<double>(), 989.4e12, 989.4e12 * 0.005);
  EXPECT_DOUBLE_EQ(j["memory"]["capacity_bytes"].get<double>(), 80e9);
  EXPECT_EQ(j["memory"]["generation"], "hbm3");
  EXPECT_NEAR(j["memory"]["bandwidth_bytes_per_s"].get<double>(), 3.35e12, 3.35e12 * 0.005);
}

TEST(HwCommand, UnknownNameSuggestsClosest) {
  const auto r = test::run_cli({"hw", "show", "h100"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("did you mean: h100-pcie-80gb, h100-sxm5-80gb, dgx-h100?"), std::string::npos) << r.err;
}

TEST(HwCommand, BadFormatIsExit2) {
  const auto r = test::run_cli({"hw", "list", "--format", "xml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--format: expected one of: table, json, csv, got \"xml\""), std::string::npos) << r.err;
}

}  // namespace
}  // namespace xpusim
