#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "report/reporter.hpp"
#include "report/sink.hpp"

namespace xpusim::report {
namespace {

const Format kAll[] = {Format::kTable, Format::kJson, Format::kJsonl, Format::kCsv};

RunContext context() {
  RunContext c;
  c.xpusim_version = "9.8.7";
  c.data_hash = "abc123";
  c.command = "xpusim run sweep.yaml";
  return c;
}

Record train_like(int i) {
  return Record{{"model", "llama3-8b"},
                {"gpus", 8 * i},
                {"step_time_s", 0.5 * i},
                {"mfu", 0.41},
                {"feasible", true},
                {"memory", {{"per_gpu_bytes", 7.5e10}, {"kind", "hbm3"}}},
                {"note", "a, \"quoted\" note"}};
}

// Every kind of record the commands emit today: an object with nesting and lists of objects, a
// list of objects, an object of lists (hw list), a list of scalars, a scalar.
std::vector<Record> single_records() {
  return {train_like(1),
          Record{{"model", "gpt"},
                 {"rows", Record::array({Record{{"case", "a"}, {"time_s", 1.5}},
                                         Record{{"case", "bb"}, {"time_s", 0.002}, {"extra", 3}}})}},
          Record::array({Record{{"x", 1}}, Record{{"x", 2}, {"y", "z"}}}),
          Record{{"chips", Record::array({Record{{"name", "a"}}})}, {"systems", Record::array({Record{{"name", "b"}}})}},
          Record::array({1, 2, 3}),
          Record("hello")};
}

std::string run_sink(Format format, bool single, const RunContext& ctx, const std::vector<Record>& rows) {
  std::ostringstream out;
  auto sink = make_sink(format, out, single);
  sink->begin(ctx);
  for (const auto& r : rows) sink->row(r);
  sink->end();
  return out.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

TEST(Sink, ParseFormatKnowsJsonl) {
  EXPECT_EQ(parse_format("jsonl"), Format::kJsonl);
  EXPECT_FALSE(parse_format("JSONL").has_value());
  EXPECT_FALSE(parse_format("ndjson").has_value());
}

TEST(Sink, SingleRecordTableAndCsvAreByteIdenticalToRender) {
  for (const auto& rec : single_records()) {
    for (Format f : {Format::kTable, Format::kCsv})
      EXPECT_EQ(run_sink(f, true, context(), {rec}), render(rec, f)) << rec.dump() << " format " << int(f);
  }
}

TEST(Sink, SingleRecordJsonIsTheRecordWithTheVersionFirst) {
  for (const auto& rec : single_records()) {
    const std::string json = run_sink(Format::kJson, true, context(), {rec});
    const std::string jsonl = run_sink(Format::kJsonl, true, context(), {rec});
    if (!rec.is_object()) {  // lists and scalars are written unchanged
      EXPECT_EQ(json, render(rec, Format::kJson));
      EXPECT_EQ(jsonl, rec.dump() + "\n");
      continue;
    }
    Record expected = Record::object();
    expected["xpusim_version"] = "9.8.7";
    for (auto it = rec.begin(); it != rec.end(); ++it) expected[it.key()] = *it;
    EXPECT_EQ(json, render_json(expected));
    EXPECT_EQ(jsonl, expected.dump() + "\n");
    EXPECT_EQ(json.rfind("{\n  \"xpusim_version\": \"9.8.7\",\n", 0), 0u) << json;
    EXPECT_EQ(std::count(jsonl.begin(), jsonl.end(), '\n'), 1);
    // The record itself is untouched apart from the added key.
    Record back = Record::parse(json);
    back.erase("xpusim_version");
    EXPECT_EQ(back, rec);
  }
}

TEST(Sink, SingleRecordJsonOfAnEmptyObjectCarriesTheVersion) {
  EXPECT_EQ(run_sink(Format::kJson, true, context(), {Record::object()}), "{\n  \"xpusim_version\": \"9.8.7\"\n}\n");
}

TEST(Sink, JsonStreamParsesBackWithZeroOneAndThreeRows) {
  for (int n : {0, 1, 3}) {
    std::vector<Record> rows;
    for (int i = 1; i <= n; ++i) rows.push_back(train_like(i));
    const std::string text = run_sink(Format::kJson, false, context(), rows);
    const Record doc = Record::parse(text);
    EXPECT_EQ(doc.begin().key(), "xpusim_version");
    EXPECT_EQ(doc["xpusim_version"], "9.8.7");
    EXPECT_EQ(doc["context"], (Record{{"data_hash", "abc123"}, {"command", "xpusim run sweep.yaml"}}));
    ASSERT_TRUE(doc["results"].is_array());
    ASSERT_EQ(doc["results"].size(), static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) EXPECT_EQ(doc["results"][i], rows[i]);
    // Exactly what indenting the whole document would give: rows nest like today's JSON.
    EXPECT_EQ(text, render_json(doc)) << text;
  }
}

TEST(Sink, JsonlStreamIsAContextLineThenOneRowPerLine) {
  std::vector<Record> rows{train_like(1), train_like(2), train_like(3)};
  const auto lines = lines_of(run_sink(Format::kJsonl, false, context(), rows));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0],
            "{\"context\":{\"xpusim_version\":\"9.8.7\",\"data_hash\":\"abc123\",\"command\":\"xpusim run "
            "sweep.yaml\"}}");
  for (std::size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(Record::parse(lines[i + 1]), rows[i]);
  EXPECT_EQ(lines_of(run_sink(Format::kJsonl, false, context(), {})).size(), 1u);
}

TEST(Sink, CsvStreamTakesItsHeaderFromTheFirstRow) {
  const std::string text = run_sink(Format::kCsv, false, context(), {train_like(1), train_like(2)});
  // One record through render_csv is the header and the first line of the stream.
  const auto first = lines_of(render_csv(train_like(1)));
  const auto lines = lines_of(text);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "model,gpus,step_time_s,mfu,feasible,memory.per_gpu_bytes,memory.kind,note");
  EXPECT_EQ(lines[0], first[0]);
  EXPECT_EQ(lines[1], first[1]);
  EXPECT_EQ(lines[2], "llama3-8b,16,1,0.41,true,75000000000,hbm3,\"a, \"\"quoted\"\" note\"");
}

TEST(Sink, CsvStreamLeavesMissingKeysEmptyAndCountsDroppedOnes) {
  std::ostringstream out;
  auto sink = make_sink(Format::kCsv, out, false);
  sink->begin(context());
  sink->row(Record{{"a", 1}, {"b", {{"c", 2}}}, {"d", "x"}});
  EXPECT_EQ(sink->dropped_cells(), 0u);
  sink->row(Record{{"d", "y"}, {"a", 3}});  // b.c missing, keys out of order
  sink->row(Record{{"a", 4}, {"b", {{"c", 5}}}, {"d", "z"}, {"e", 6}, {"b2", Record::array({1, 2})}});
  sink->end();
  EXPECT_EQ(out.str(), "a,b.c,d\n1,2,x\n3,,y\n4,5,z\n");
  EXPECT_EQ(sink->dropped_cells(), 2u);  // e and b2
}

TEST(Sink, CsvStreamUsesTheGivenColumns) {
  RunContext ctx = context();
  ctx.columns = {"d", "a", "missing"};
  EXPECT_EQ(run_sink(Format::kCsv, false, ctx, {Record{{"a", 1}, {"d", "x"}}, Record{{"a", 2}, {"z", 0}}}),
            "d,a,missing\nx,1,\n,2,\n");
  EXPECT_EQ(run_sink(Format::kCsv, false, ctx, {}), "d,a,missing\n");  // the header alone
  EXPECT_EQ(run_sink(Format::kCsv, false, context(), {}), "");
}

TEST(Sink, TableStreamIsOneBlockPerRowSeparatedByABlankLine) {
  const Record a{{"name", "a"}, {"time_s", 1.5}}, b{{"name", "bb"}, {"tdp_w", 700.0}};
  EXPECT_EQ(run_sink(Format::kTable, false, context(), {a, b}), render_table(a) + "\n" + render_table(b));
  EXPECT_EQ(run_sink(Format::kTable, false, context(), {a}), render_table(a));
}

TEST(Sink, EveryStreamWritesEachRowBeforeTheNextRowCall) {
  for (Format f : kAll) {
    std::ostringstream out;
    auto sink = make_sink(f, out, false);
    sink->begin(context());
    const std::size_t after_begin = out.str().size();
    std::size_t before = after_begin;
    for (int i = 1; i <= 3; ++i) {
      Record r = train_like(i);
      r["tag"] = "row-" + std::to_string(i) + "-tag";
      sink->row(r);
      const std::string now = out.str();
      EXPECT_GT(now.size(), before) << "format " << int(f) << " row " << i;
      // The text added by this row() holds this row's own value.
      EXPECT_NE(now.find(r["tag"].get<std::string>(), before), std::string::npos) << "format " << int(f) << "\n"
                                                                                   << now;
      before = now.size();
    }
    sink->end();
  }
}

TEST(Sink, SingleRecordSinkWritesOnRow) {
  for (Format f : kAll) {
    std::ostringstream out;
    auto sink = make_sink(f, out, true);
    sink->begin(context());
    EXPECT_EQ(out.str(), "") << int(f);
    sink->row(train_like(1));
    EXPECT_FALSE(out.str().empty()) << int(f);
    const std::string written = out.str();
    sink->end();
    EXPECT_EQ(out.str(), written) << int(f);  // end adds nothing for one record
  }
}

TEST(Sink, StreamsCarryTheVersion) {
  for (Format f : {Format::kJson, Format::kJsonl})
    EXPECT_NE(run_sink(f, false, context(), {train_like(1)}).find("\"xpusim_version\""), std::string::npos)
        << int(f);
}

}  // namespace
}  // namespace xpusim::report
