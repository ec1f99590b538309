#include "core/csv.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "core/error.hpp"
#include "support/test_support.hpp"

namespace xpusim::core {
namespace {

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Csv, ReadsHeaderAndRowsByColumnName) {
  const auto t = CsvTable::parse("name,value\nalpha,1\nbeta,2.5\n", "t.csv");
  ASSERT_EQ(t.rows().size(), 2u);
  EXPECT_EQ(t.header(), (std::vector<std::string>{"name", "value"}));
  EXPECT_EQ(t.rows()[0].text("name"), "alpha");
  EXPECT_DOUBLE_EQ(t.rows()[1].number("value"), 2.5);
  EXPECT_EQ(t.rows()[1].line(), 3);
  EXPECT_EQ(t.rows()[1].where().to_string(), "t.csv:3");
  EXPECT_TRUE(t.has_column("value"));
  EXPECT_FALSE(t.has_column("other"));
  EXPECT_EQ(t.column("value"), 1u);
}

TEST(Csv, QuotedCommasDoubledQuotesAndLineBreaks) {
  const auto t = CsvTable::parse("a,b\n\"x, y\",\"say \"\"hi\"\"\"\n\"two\nlines\",z\nlast,row\n", "q.csv");
  ASSERT_EQ(t.rows().size(), 3u);
  EXPECT_EQ(t.rows()[0].text("a"), "x, y");
  EXPECT_EQ(t.rows()[0].text("b"), "say \"hi\"");
  EXPECT_EQ(t.rows()[1].text("a"), "two\nlines");
  EXPECT_EQ(t.rows()[1].line(), 3);
  // The row after a quoted line break starts one line further down.
  EXPECT_EQ(t.rows()[2].line(), 5);
}

TEST(Csv, CrlfBlankLinesAndNoFinalNewline) {
  const auto t = CsvTable::parse("a,b\r\n1,2\r\n\r\n3,\"4\r\n5\"\r\n6,", "crlf.csv");
  ASSERT_EQ(t.rows().size(), 3u);
  EXPECT_EQ(t.rows()[0].text("b"), "2");
  EXPECT_EQ(t.rows()[1].line(), 4);
  EXPECT_EQ(t.rows()[1].text("b"), "4\r\n5");
  EXPECT_EQ(t.rows()[2].line(), 6);
  EXPECT_EQ(t.rows()[2].text("a"), "6");
  EXPECT_TRUE(t.rows()[2].empty("b"));
}

TEST(Csv, TypedAccessors) {
  const auto t = CsvTable::parse("n,i,b,e\n1e3,-42,Yes,\n0.5,7,no,\n", "typed.csv");
  const auto& r = t.rows()[0];
  EXPECT_DOUBLE_EQ(r.number("n"), 1000.0);
  EXPECT_EQ(r.integer("i"), -42);
  EXPECT_TRUE(r.boolean("b"));
  EXPECT_FALSE(t.rows()[1].boolean("b"));
  EXPECT_DOUBLE_EQ(r.number_or("e", 3.0), 3.0);
  EXPECT_EQ(r.integer_or("e", 9), 9);
  EXPECT_EQ(t.rows()[1].integer_or("i", 9), 7);
}

TEST(Csv, ErrorMessagesNameFileLineColumnValueAndExpectation) {
  const auto t = CsvTable::parse("n,i,b\nfast,1.5,maybe\n,,\n", "bad.csv");
  const auto& r = t.rows()[0];
  EXPECT_EQ(message_of([&] { (void)r.number("n"); }), "bad.csv:2: n: expected a number, got \"fast\"");
  EXPECT_EQ(message_of([&] { (void)r.integer("i"); }), "bad.csv:2: i: expected an integer, got \"1.5\"");
  EXPECT_EQ(message_of([&] { (void)r.boolean("b"); }),
            "bad.csv:2: b: expected yes or no (true/false, 1/0), got \"maybe\"");
  EXPECT_EQ(message_of([&] { (void)t.rows()[1].number("n"); }), "bad.csv:3: n: expected a number, got \"\"");
  EXPECT_EQ(message_of([&] { (void)t.rows()[1].integer("i"); }), "bad.csv:3: i: expected an integer, got \"\"");
  EXPECT_EQ(message_of([&] { (void)r.number_or("b", 0); }), "bad.csv:2: b: expected a number, got \"maybe\"");
  EXPECT_EQ(message_of([&] { (void)r.text("missing"); }),
            "bad.csv:1: header: expected a column named so, got \"missing\"");
  EXPECT_EQ(message_of([&] { t.require_columns({"n", "kernel_family"}); }),
            "bad.csv:1: header: expected a column named so, got \"kernel_family\"");
  const Error e = [&] {
    try {
      (void)r.integer("i");
    } catch (const Error& err) {
      return err;
    }
    return Error("none");
  }();
  EXPECT_EQ(e.where().line, 2);
  EXPECT_EQ(e.field(), "i");
  EXPECT_EQ(e.value(), "1.5");
  EXPECT_EQ(e.expected(), "an integer");
}

TEST(Csv, StructuralErrors) {
  EXPECT_EQ(message_of([] { (void)CsvTable::parse("a,b\n1,2\n3,4,5\n", "wide.csv"); }),
            "wide.csv:3: row: expected 2 fields, got \"3 fields\"");
  EXPECT_EQ(message_of([] { (void)CsvTable::parse("", "empty.csv"); }),
            "empty.csv:1: header: expected a CSV header row, got \"\"");
  EXPECT_EQ(message_of([] { (void)CsvTable::parse("a,b\n1,\"open\n", "open.csv"); }),
            "open.csv:2: field: expected a closing quote before the end of the file, got \"open\n\"");
  EXPECT_EQ(message_of([] { (void)CsvTable::load("/no/such/file.csv"); }),
            "/no/such/file.csv: file: expected a readable CSV file, got \"/no/such/file.csv\"");
}

TEST(Csv, LoadReadsAFileAndNamesItInErrors) {
  const auto path = test::write_temp_file("load.csv", "a,b\n1,x\n");
  const auto t = CsvTable::load(path);
  ASSERT_EQ(t.rows().size(), 1u);
  EXPECT_EQ(t.file(), path);
  EXPECT_EQ(message_of([&] { (void)t.rows()[0].number("b"); }), path + ":2: b: expected a number, got \"x\"");
}

}  // namespace
}  // namespace xpusim::core
