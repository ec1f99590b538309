#include <gtest/gtest.h>

#include <cmath>

#include "core/units.hpp"

namespace xpusim::core {
namespace {

double parsed(std::string_view text, Dimension d) {
  double v = std::nan("");
  EXPECT_TRUE(parse_quantity(text, d, &v)) << text;
  return v;
}

bool rejects(std::string_view text, Dimension d) {
  double v = -123.0;
  const bool ok = parse_quantity(text, d, &v);
  EXPECT_EQ(v, -123.0) << "a rejected parse must leave the output untouched: " << text;
  return !ok;
}

TEST(Units, ParsesTheCatalogSpellings) {
  EXPECT_EQ(parsed("80 GiB", Dimension::kBytes), 80.0 * 1024 * 1024 * 1024);
  EXPECT_EQ(parsed("80 GB", Dimension::kBytes), 80e9);
  EXPECT_EQ(parsed("228 KiB", Dimension::kBytes), 228.0 * 1024);
  EXPECT_EQ(parsed("3.35 TB/s", Dimension::kBytesPerSecond), 3.35e12);
  EXPECT_EQ(parsed("900 GB/s", Dimension::kBytesPerSecond), 900e9);
  EXPECT_EQ(parsed("989 TFLOP/s", Dimension::kFlopsPerSecond), 989e12);
  EXPECT_EQ(parsed("1978.9 TOP/s", Dimension::kFlopsPerSecond), 1978.9e12);
  EXPECT_EQ(parsed("2.5 PFLOPS", Dimension::kFlopsPerSecond), 2.5e15);
  EXPECT_EQ(parsed("700 W", Dimension::kWatts), 700.0);
  EXPECT_EQ(parsed("10.2 kW", Dimension::kWatts), 10200.0);
  EXPECT_EQ(parsed("1.98 GHz", Dimension::kHertz), 1.98e9);
  EXPECT_EQ(parsed("6.4 Gb/s", Dimension::kBitsPerSecond), 6.4e9);
  EXPECT_EQ(parsed("400 Gbps", Dimension::kBitsPerSecond), 400e9);
  EXPECT_EQ(parsed("400 Gbit/s", Dimension::kBitsPerSecond), 400e9);
  EXPECT_EQ(parsed("2 us", Dimension::kSeconds), 2e-6);
  EXPECT_EQ(parsed("2 \xC2\xB5s", Dimension::kSeconds), 2e-6);
  EXPECT_EQ(parsed("1.5 ms", Dimension::kSeconds), 1.5e-3);
  EXPECT_EQ(parsed("3 min", Dimension::kSeconds), 180.0);
  EXPECT_EQ(parsed("25000 USD", Dimension::kUsd), 25000.0);
  EXPECT_EQ(parsed("0.85", Dimension::kDimensionless), 0.85);
  EXPECT_EQ(parsed("85%", Dimension::kDimensionless), 0.85);
}

TEST(Units, DecimalPrefixesScaleExactly) {
  // A plain product gives 66900000000000.01 and 4.9999999999999996e-06; the catalog prints these.
  EXPECT_EQ(parsed("66.9 TFLOP/s", Dimension::kFlopsPerSecond), 66.9e12);
  EXPECT_EQ(parsed("5 us", Dimension::kSeconds), 5e-6);
  EXPECT_EQ(parsed("1.5e3 GB", Dimension::kBytes), 1.5e12);
  EXPECT_EQ(parsed("2e+1 W", Dimension::kWatts), 20.0);
  EXPECT_EQ(parsed("  3.35TB/s  ", Dimension::kBytesPerSecond), 3.35e12);
}

TEST(Units, RejectsBadUnitsAndDimensionMismatches) {
  EXPECT_TRUE(rejects("80 GiB", Dimension::kBytesPerSecond));   // a size is not a bandwidth
  EXPECT_TRUE(rejects("3.35 TB/s", Dimension::kBytes));
  EXPECT_TRUE(rejects("6.4 Gb/s", Dimension::kBytesPerSecond));  // bits are not bytes
  EXPECT_TRUE(rejects("6.4 GB/s", Dimension::kBitsPerSecond));
  EXPECT_TRUE(rejects("700 kg", Dimension::kWatts));
  EXPECT_TRUE(rejects("80", Dimension::kBytes));                 // a unit is required
  EXPECT_TRUE(rejects("80 XB", Dimension::kBytes));
  EXPECT_TRUE(rejects("80 Gib", Dimension::kBytes));
  EXPECT_TRUE(rejects("6 GiHz", Dimension::kHertz));             // binary prefixes only for bytes
  EXPECT_TRUE(rejects("five W", Dimension::kWatts));
  EXPECT_TRUE(rejects("", Dimension::kDimensionless));
  EXPECT_TRUE(rejects("80 GB extra", Dimension::kBytes));
  EXPECT_TRUE(rejects("inf", Dimension::kDimensionless));
  EXPECT_TRUE(rejects("nan", Dimension::kDimensionless));
  EXPECT_TRUE(rejects("2 hours", Dimension::kSeconds));
  EXPECT_TRUE(rejects("5 kUSD", Dimension::kUsd));
}

TEST(Units, FormatsWithReadablePrefixes) {
  EXPECT_EQ(format_quantity(3.35e12, Dimension::kBytesPerSecond), "3.35 TB/s");
  EXPECT_EQ(format_quantity(80e9, Dimension::kBytes), "80 GB");
  EXPECT_EQ(format_quantity(989.4e12, Dimension::kFlopsPerSecond), "989.4 TFLOP/s");
  EXPECT_EQ(format_quantity(1978.9e12, Dimension::kFlopsPerSecond), "1.979 PFLOP/s");
  EXPECT_EQ(format_quantity(700.0, Dimension::kWatts), "700 W");
  EXPECT_EQ(format_quantity(10200.0, Dimension::kWatts), "10.2 kW");
  EXPECT_EQ(format_quantity(1.98e9, Dimension::kHertz), "1.98 GHz");
  EXPECT_EQ(format_quantity(6.4e9, Dimension::kBitsPerSecond), "6.4 Gb/s");
  EXPECT_EQ(format_quantity(2e-6, Dimension::kSeconds), "2 us");
  EXPECT_EQ(format_quantity(1.5e-3, Dimension::kSeconds), "1.5 ms");
  EXPECT_EQ(format_quantity(42.0, Dimension::kSeconds), "42 s");
  EXPECT_EQ(format_quantity(3e-10, Dimension::kSeconds), "0.3 ns");
  EXPECT_EQ(format_quantity(25000.0, Dimension::kUsd), "25000 USD");
  EXPECT_EQ(format_quantity(2.75, Dimension::kUsd), "2.75 USD");
  EXPECT_EQ(format_quantity(0.8512, Dimension::kDimensionless), "0.8512");
  EXPECT_EQ(format_quantity(0.0, Dimension::kBytes), "0 B");
  EXPECT_EQ(format_quantity(123456.0, Dimension::kBytes, 6), "123.456 kB");
}

TEST(Units, FormatThenParseRoundTrips) {
  for (double v : {3.35e12, 80e9, 1.5e6, 7.0, 0.5}) {
    double back = 0.0;
    ASSERT_TRUE(parse_quantity(format_quantity(v, Dimension::kBytes, 17), Dimension::kBytes, &back));
    EXPECT_DOUBLE_EQ(back, v);
  }
}

TEST(Units, DimensionNamesAndExamplesForMessages) {
  EXPECT_EQ(dimension_name(Dimension::kBytesPerSecond), "bandwidth");
  EXPECT_EQ(dimension_name(Dimension::kSeconds), "time");
  EXPECT_EQ(dimension_example(Dimension::kBytes), "a size such as \"80 GiB\"");
  EXPECT_EQ(dimension_example(Dimension::kFlopsPerSecond), "a compute rate such as \"989 TFLOP/s\"");
}

}  // namespace
}  // namespace xpusim::core
