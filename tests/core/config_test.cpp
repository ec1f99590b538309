#include <gtest/gtest.h>

#include <string>

#include "core/config.hpp"
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

TEST(Error, ComposesFileLineFieldValueExpected) {
  const Error e(SourceLocation{"x.yaml", 7, 3}, "memory.stacks", "six", "a positive integer");
  EXPECT_STREQ(e.what(), "x.yaml:7: memory.stacks: expected a positive integer, got \"six\"");
  EXPECT_EQ(e.where().line, 7);
  EXPECT_EQ(e.field(), "memory.stacks");
  EXPECT_EQ(e.value(), "six");
  EXPECT_EQ(e.expected(), "a positive integer");
}

TEST(Error, LeavesOutUnknownParts) {
  EXPECT_STREQ(Error(SourceLocation{"x.yaml"}, "", "v", "w").what(), "x.yaml: expected w, got \"v\"");
  EXPECT_STREQ(Error(SourceLocation{}, "", "v", "w").what(), "expected w, got \"v\"");
  EXPECT_STREQ(Error::flag("--gpus", "-3", "a positive integer").what(),
               "--gpus: expected a positive integer, got \"-3\"");
  EXPECT_STREQ(Error("plain message").what(), "plain message");
}

TEST(ConfigNode, ReadsScalarsListsAndPaths) {
  const auto root = ConfigNode::parse(
      "name: h100\ncount: 8\nratio: 0.5\nflag: true\nsize: \"80 GiB\"\nlayers:\n  - {width: 4}\n  - {width: 5}\n",
      "t.yaml");
  EXPECT_TRUE(root.is_map());
  EXPECT_EQ(root.at("name").as_string(), "h100");
  EXPECT_EQ(root.at("count").as_int(), 8);
  EXPECT_EQ(root.at("count").as_positive_int(), 8);
  EXPECT_DOUBLE_EQ(root.at("ratio").as_double(), 0.5);
  EXPECT_TRUE(root.at("flag").as_bool());
  EXPECT_EQ(root.at("size").as_quantity(Dimension::kBytes), 80.0 * (1ull << 30));
  const auto layers = root.at("layers").items();
  ASSERT_EQ(layers.size(), 2u);
  EXPECT_EQ(layers[1].path(), "layers[1]");
  EXPECT_EQ(layers[1].at("width").path(), "layers[1].width");
  EXPECT_EQ(layers[1].at("width").location().line, 8);
  EXPECT_EQ(root.keys(), (std::vector<std::string>{"name", "count", "ratio", "flag", "size", "layers"}));
  EXPECT_TRUE(root.has("name"));
  EXPECT_FALSE(root.has("nope"));
  EXPECT_FALSE(root.find("nope").has_value());
}

TEST(ConfigNode, JsonIsReadWithLineNumbers) {
  const auto path = test::write_temp_file("cfg.json", "{\n\t\"hidden_size\": 4096,\n\t\"act\": \"silu\"\n}\n");
  const auto root = ConfigNode::load_file(path);
  EXPECT_EQ(root.at("hidden_size").as_int(), 4096);
  EXPECT_EQ(message_of([&] { root.at("act").as_int(); }),
            path + ":3: act: expected an integer, got \"silu\"");
}

TEST(ConfigNode, UnknownKeySuggestsTheClosest) {
  const auto root = ConfigNode::parse("name: a\nvendr: NVIDIA\n", "c.yaml");
  EXPECT_EQ(message_of([&] { root.expect_keys({"name", "vendor"}); }),
            "c.yaml:2: vendr: expected a known field (did you mean 'vendor'?), got \"vendr\"");
  const auto far = ConfigNode::parse("name: a\nzzzzzzzzzzzzzz: 1\n", "c.yaml");
  EXPECT_EQ(message_of([&] { far.expect_keys({"name", "vendor"}); }),
            "c.yaml:2: zzzzzzzzzzzzzz: expected a known field, got \"zzzzzzzzzzzzzz\"");
}

TEST(ConfigNode, NestedUnknownKeyNamesItsPath) {
  const auto root = ConfigNode::parse("memory:\n  stacks: 5\n  capacty: 80 GB\n", "c.yaml");
  EXPECT_EQ(message_of([&] { root.at("memory").expect_keys({"stacks", "capacity"}); }),
            "c.yaml:3: memory.capacty: expected a known field (did you mean 'capacity'?), got \"capacty\"");
}

TEST(ConfigNode, DuplicateKeyIsAnError) {
  // Refused when parsed (yaml-cpp would keep the first), nested and in JSON flow syntax too.
  EXPECT_EQ(message_of([&] { ConfigNode::parse("bf16: 1\nfp8: 2\nbf16: 3\n", "d.yaml"); }),
            "d.yaml:3: bf16: expected each field given once, got \"bf16\"");
  EXPECT_EQ(message_of([&] { ConfigNode::parse("{\"a\": {\"b\": 1,\n \"b\": 2}}", "d.json"); }),
            "d.json:2: a.b: expected each field given once, got \"b\"");
  EXPECT_EQ(message_of([&] { ConfigNode::parse("l:\n  - {x: 1, x: 1}\n", "l.yaml"); }),
            "l.yaml:2: l[0].x: expected each field given once, got \"x\"");
}

TEST(ConfigNode, WrongTypesNameFileLineFieldAndValue) {
  const auto root = ConfigNode::parse("n: eight\nf: 1.5\nb: yes\nm: {a: 1}\nl: [1, 2]\nneg: -2\nq: 80 kg\n", "w.yaml");
  EXPECT_EQ(message_of([&] { root.at("n").as_int(); }), "w.yaml:1: n: expected an integer, got \"eight\"");
  EXPECT_EQ(message_of([&] { root.at("f").as_int(); }), "w.yaml:2: f: expected an integer, got \"1.5\"");
  EXPECT_EQ(message_of([&] { root.at("n").as_double(); }), "w.yaml:1: n: expected a number, got \"eight\"");
  EXPECT_EQ(message_of([&] { root.at("b").as_bool(); }), "w.yaml:3: b: expected true or false, got \"yes\"");
  EXPECT_EQ(message_of([&] { root.at("m").as_string(); }), "w.yaml:4: m: expected a string, got \"a mapping\"");
  EXPECT_EQ(message_of([&] { root.at("l").as_int(); }), "w.yaml:5: l: expected an integer, got \"a list\"");
  EXPECT_EQ(message_of([&] { root.at("n").items(); }), "w.yaml:1: n: expected a list, got \"eight\"");
  EXPECT_EQ(message_of([&] { root.at("n").keys(); }), "w.yaml:1: n: expected a mapping, got \"eight\"");
  EXPECT_EQ(message_of([&] { root.at("neg").as_positive_int(); }),
            "w.yaml:6: neg: expected a positive integer, got \"-2\"");
  EXPECT_EQ(message_of([&] { root.at("q").as_quantity(Dimension::kWatts); }),
            "w.yaml:7: q: expected a power such as \"700 W\", got \"80 kg\"");
  EXPECT_EQ(message_of([&] { root.at("neg").as_positive_quantity(Dimension::kDimensionless); }),
            "w.yaml:6: neg: expected a positive number such as 0.85, got \"-2\"");
}

TEST(ConfigNode, MissingRequiredFieldNamesIt) {
  const auto root = ConfigNode::parse("memory:\n  stacks: 5\n", "m.yaml");
  EXPECT_EQ(message_of([&] { root.at("memory").at("capacity"); }),
            "m.yaml:2: memory.capacity: expected a value for the required field 'capacity', got \"nothing\"");
}

TEST(ConfigNode, SyntaxErrorNamesFileAndLine) {
  const std::string msg = message_of([] { ConfigNode::parse("a: 1\nb: [1, 2\nc: 3\n", "bad.yaml"); });
  EXPECT_EQ(msg.rfind("bad.yaml:", 0), 0u) << msg;
  EXPECT_NE(msg.find("expected valid YAML or JSON syntax"), std::string::npos) << msg;
  const std::string tab = message_of([] { ConfigNode::parse("a:\n\tb: 1\n", "tab.yaml"); });
  EXPECT_EQ(tab.rfind("tab.yaml:2:", 0), 0u) << tab;
}

TEST(ConfigNode, UnreadableFileIsAnError) {
  EXPECT_EQ(message_of([] { ConfigNode::load_file("/nonexistent/x.yaml"); }),
            "/nonexistent/x.yaml: expected a readable file, got \"/nonexistent/x.yaml\"");
}

}  // namespace
}  // namespace xpusim::core
