#include "validation/registry.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace xpusim::validation {
namespace {

TEST(Registry, BuiltinSuitesInTheirPrintedOrder) {
  const auto suites = builtin_suites();
  std::vector<std::string> names;
  for (const auto& s : suites) {
    names.push_back(s.name);
    EXPECT_FALSE(s.description.empty()) << s.name;
    EXPECT_TRUE(static_cast<bool>(s.run)) << s.name;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"kernels", "megatron2021", "collectives", "llama3", "nemo-h100", "hbm",
                                             "fsdp-a100", "nemo2407", "inference", "fleet"}));
}

TEST(Registry, FindSuiteByNameAndUnknownName) {
  const auto suites = builtin_suites();
  const SuiteEntry* s = find_suite(suites, "llama3");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->name, "llama3");
  EXPECT_EQ(s, &suites[3]);
  EXPECT_EQ(find_suite(suites, "bogus"), nullptr);
  EXPECT_EQ(find_suite(suites, ""), nullptr);
  EXPECT_EQ(find_suite({}, "kernels"), nullptr);
}

}  // namespace
}  // namespace xpusim::validation
