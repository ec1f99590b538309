#include <gtest/gtest.h>

#include "report/reporter.hpp"

namespace xpusim::report {
namespace {

Record small() {
  return Record{{"name", "h100"}, {"bandwidth_bytes_per_s", 3.35e12}, {"tdp_w", 700.0}, {"stacks", 5},
                {"mfu", 0.4512345}, {"nvls", true}, {"memory", {{"capacity_bytes", 80e9}, {"generation", "hbm3"}}}};
}

TEST(Reporter, ParseFormat) {
  EXPECT_EQ(parse_format("table"), Format::kTable);
  EXPECT_EQ(parse_format("json"), Format::kJson);
  EXPECT_EQ(parse_format("csv"), Format::kCsv);
  EXPECT_FALSE(parse_format("xml").has_value());
  EXPECT_FALSE(parse_format("JSON").has_value());
}

TEST(Reporter, JsonIsTheRecordIndentedWithNewline) {
  EXPECT_EQ(render_json(Record{{"a", 1}, {"b", {{"c", "x"}}}}), "{\n  \"a\": 1,\n  \"b\": {\n    \"c\": \"x\"\n  }\n}\n");
  EXPECT_EQ(render(Record{{"a", 1}}, Format::kJson), render_json(Record{{"a", 1}}));
}

TEST(Reporter, TableFormatsNumbersByKeyUnitSuffix) {
  EXPECT_EQ(render_table(small()),
            "name                   h100\n"
            "bandwidth_bytes_per_s  3.35 TB/s\n"
            "tdp_w                  700 W\n"
            "stacks                 5\n"
            "mfu                    0.4512\n"
            "nvls                   true\n"
            "memory.capacity_bytes  80 GB\n"
            "memory.generation      hbm3\n");
}

TEST(Reporter, CellUnitSuffixes) {
  EXPECT_EQ(format_cell("step_time_s", Record(0.0123)), "12.3 ms");
  EXPECT_EQ(format_cell("latency_s", Record(2e-6)), "2 us");
  EXPECT_EQ(format_cell("clock_hz", Record(1.98e9)), "1.98 GHz");
  EXPECT_EQ(format_cell("pin_rate_bits_per_s", Record(6.4e9)), "6.4 Gb/s");
  EXPECT_EQ(format_cell("peak_flops_per_s.bf16", Record(989.4e12)), "989.4 TFLOP/s");  // unit on the parent
  EXPECT_EQ(format_cell("model_tflops_per_gpu", Record(163.2)), "163.2");               // no unit suffix
  EXPECT_EQ(format_cell("price_usd", Record(25000.0)), "25000 USD");
  EXPECT_EQ(format_cell("memory_per_gpu_bytes", Record(7.5e10)), "75 GB");
  EXPECT_EQ(format_cell("gpus", Record(16384)), "16384");
  EXPECT_EQ(format_cell("tags", Record::array({"a", "b"})), "a, b");
  EXPECT_EQ(format_cell("feasible", Record(false)), "false");
  EXPECT_EQ(format_cell("fp8_flops_per_s", Record()), "-");  // null: not applicable
}

TEST(Reporter, TableRendersListsOfObjectsAsColumns) {
  const Record r{{"model", "gpt"},
                 {"rows", Record::array({Record{{"case", "a"}, {"time_s", 1.5}},
                                         Record{{"case", "bb"}, {"time_s", 0.002}, {"extra", 3}}})}};
  EXPECT_EQ(render_table(r),
            "model  gpt\n"
            "\n"
            "rows\n"
            "case  time_s  extra\n"
            "----  ------  -----\n"
            "a     1.5 s\n"
            "bb    2 ms    3\n");
}

TEST(Reporter, TableOfAScalar) { EXPECT_EQ(render_table(Record("hello")), "hello\n"); }

TEST(Reporter, CsvOfOneRecordIsOneFlattenedRow) {
  EXPECT_EQ(render_csv(small()),
            "name,bandwidth_bytes_per_s,tdp_w,stacks,mfu,nvls,memory.capacity_bytes,memory.generation\n"
            "h100,3350000000000,700,5,0.4512345,true,80000000000,hbm3\n");
}

TEST(Reporter, CsvEscapesCommasQuotesAndNewlines) {
  const Record r{{"source", "NVIDIA whitepaper, Table 1"}, {"quote", "a \"b\""}, {"lines", "x\ny"}, {"plain", "p"}};
  EXPECT_EQ(render_csv(r), "source,quote,lines,plain\n\"NVIDIA whitepaper, Table 1\",\"a \"\"b\"\"\",\"x\ny\",p\n");
}

TEST(Reporter, CsvOfListsOfObjectsIsOneRowEach) {
  const Record list = Record::array({Record{{"a", 1}, {"b", {{"c", 2}}}}, Record{{"a", 3}, {"d", "x"}}});
  EXPECT_EQ(render_csv(list), "a,b.c,d\n1,2,\n3,,x\n");
  // An object whose values are all lists (hw list: chips and systems) is the rows of every list.
  const Record groups{{"chips", Record::array({Record{{"name", "c1"}}})},
                      {"systems", Record::array({Record{{"name", "s1"}, {"chip", "c1"}}})}};
  EXPECT_EQ(render_csv(groups), "name,chip\nc1,\ns1,c1\n");
  // Nested lists inside a cell are written as JSON text.
  EXPECT_EQ(render_csv(Record{{"v", Record::array({1, 2})}}), "v\n\"[1,2]\"\n");
  EXPECT_EQ(render_csv(Record::array({1, 2})), "value\n\"[1,2]\"\n");
  EXPECT_EQ(render_csv(Record{{"a", Record::array({1})}, {"b", Record::array({2})}}), "a,b\n[1],[2]\n");
}

TEST(Reporter, EveryFormatKeepsEveryScalar) {
  const Record r = small();
  for (const auto& needle : {"h100", "hbm3", "true"}) {
    EXPECT_NE(render_table(r).find(needle), std::string::npos) << needle;
    EXPECT_NE(render_csv(r).find(needle), std::string::npos) << needle;
    EXPECT_NE(render_json(r).find(needle), std::string::npos) << needle;
  }
}

}  // namespace
}  // namespace xpusim::report
