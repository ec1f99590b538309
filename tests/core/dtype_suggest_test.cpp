#include <gtest/gtest.h>

#include "core/dtype.hpp"
#include "core/suggest.hpp"

namespace xpusim::core {
namespace {

TEST(Dtype, NamesRoundTripAndSizes) {
  for (Dtype d : kAllDtypes) EXPECT_EQ(parse_dtype(dtype_name(d)), d);
  EXPECT_EQ(dtype_name(Dtype::kBf16), "bf16");
  EXPECT_FALSE(parse_dtype("bfloat16").has_value());
  EXPECT_FALSE(parse_dtype("BF16").has_value());
  EXPECT_EQ(dtype_bytes(Dtype::kFp64), 8.0);
  EXPECT_EQ(dtype_bytes(Dtype::kTf32), 4.0);
  EXPECT_EQ(dtype_bytes(Dtype::kBf16), 2.0);
  EXPECT_EQ(dtype_bytes(Dtype::kFp8), 1.0);
  EXPECT_EQ(dtype_bytes(Dtype::kFp6), 0.75);
  EXPECT_EQ(dtype_bytes(Dtype::kFp4), 0.5);
}

const std::vector<std::string> kChips{"h100-sxm5-80gb", "h100-pcie-80gb", "h200-sxm-141gb", "a100-sxm4-80gb",
                                      "mi300x", "tpu-v5p"};

TEST(Suggest, ClosestNamesBestFirst) {
  EXPECT_EQ(closest_names("h100-sxm5-80g", kChips, 1), std::vector<std::string>{"h100-sxm5-80gb"});
  EXPECT_EQ(closest_names("mi300", kChips, 1), std::vector<std::string>{"mi300x"});
  EXPECT_EQ(closest_names("MI300X", kChips, 1), std::vector<std::string>{"mi300x"});  // case-insensitive
  // A typed prefix matches every name containing it; ties keep catalog order.
  EXPECT_EQ(closest_names("h100", kChips), (std::vector<std::string>{"h100-sxm5-80gb", "h100-pcie-80gb"}));
}

TEST(Suggest, EqualDistancesPreferTheLongerSharedPrefix) {
  // mi300 -> b200 and mi300 -> mi325x are both 3 edits; the shared "mi3" decides.
  EXPECT_EQ(closest_names("mi300", {"b200", "mi325x", "mi300x"}),
            (std::vector<std::string>{"mi300x", "mi325x", "b200"}));
}

TEST(Suggest, MaxDistanceCapsSuggestions) {
  EXPECT_EQ(closest_names("vendr", {"vendor", "name"}, 1, 2), std::vector<std::string>{"vendor"});
  EXPECT_TRUE(closest_names("tdp_max", {"tdp", "vendor"}, 1, 2).empty());
}

TEST(Suggest, NothingCloseGivesNoSuggestion) {
  EXPECT_TRUE(closest_names("quantum-annealer-9000", kChips).empty());
  EXPECT_TRUE(closest_names("x", {}).empty());
}

TEST(Suggest, MessagesForErrors) {
  EXPECT_EQ(expected_one_of({"table", "json", "csv"}), "one of: table, json, csv");
  EXPECT_EQ(expected_known_name("chip", "mi300", kChips),
            "a known chip name or a YAML file (did you mean: mi300x?)");
  EXPECT_EQ(expected_known_name("chip", "quantum-annealer-9000", kChips), "a known chip name or a YAML file");
}

}  // namespace
}  // namespace xpusim::core
