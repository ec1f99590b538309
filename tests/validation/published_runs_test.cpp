#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "support/test_support.hpp"
#include "validation/llama3_suite.hpp"
#include "validation/nemo_h100_suite.hpp"
#include "validation/stack_runs_suite.hpp"

namespace xpusim::validation {
namespace {

const memory::TimingCatalog& timings() {
  static const auto t = memory::TimingCatalog::load(XPUSIM_SOURCE_DATA_DIR);
  return t;
}

TEST(PublishedRuns, Llama3HeldOutRowsWithinTolerance) {
  const auto suite = llama3_suite(test::catalog(), timings(), XPUSIM_SOURCE_DATA_DIR);
  ASSERT_EQ(suite.cases.size(), 3u);
  for (const auto& c : suite.cases) {
    EXPECT_FALSE(c.calibration);
    EXPECT_GT(c.predicted, 0.0) << c.description;  // every run fits
    // The paper's schedule: 8 chunks per stage, the first only the embedding (Sec. 3.3.2).
    EXPECT_NE(c.description.find("chosen vpp 8"), std::string::npos) << c.description;
    // As published at 16K GPUs (16 micro-batches): no recomputation. The 8K run on 8,192 GPUs
    // (32 micro-batches) needs 80.6 GiB without it in the memory model, so it takes full
    // recomputation: issue 16 leaves that open (the suite reports failed against its 15%).
    if (c.id == "llama3-405b-8k-16384gpu") {
      EXPECT_NE(c.description.find("recompute none"), std::string::npos) << c.description;
    }
    EXPECT_LT(std::fabs(c.signed_error()), 0.20) << c.id;
  }
}

TEST(PublishedRuns, NemoH100HeldOutRowsWithinTolerance) {
  const auto suite = nemo_h100_suite(test::catalog(), timings(), XPUSIM_SOURCE_DATA_DIR);
  ASSERT_EQ(suite.cases.size(), 3u);
  for (const auto& c : suite.cases) EXPECT_GT(c.predicted, 0.0) << c.description;
  EXPECT_TRUE(suite.passed) << suite.failure;
}

// The issue-16 tolerance on the rows the stack fits never saw, and no published run reported as
// not fitting.
void expect_stack_suite(const core::ValidationSuite& suite, std::size_t rows, const char* stack, int allowed_over) {
  ASSERT_EQ(suite.cases.size(), rows);
  std::size_t held_out = 0;
  for (const auto& c : suite.cases) {
    EXPECT_GT(c.predicted, 0.0) << c.id << ": " << c.description;
    EXPECT_EQ(c.stack, stack);
    held_out += c.calibration ? 0 : 1;
  }
  EXPECT_GE(held_out, rows / 2);
  EXPECT_LE(suite.mean_abs_error(), 0.08);
  // Issue 16 asks every held-out row within 20%; these are not yet: T-MOSAIC-121 (MPT-760M at
  // seq 512, published slower than the same model at seq 2048) and T-MOSAIC-179 (MPT-1B on 32
  // GPUs, published 18% below the same run on 16 and 64 GPUs). More is a regression.
  int over = 0;
  for (const auto& c : suite.cases) over += !c.calibration && std::fabs(c.signed_error()) > 0.20 ? 1 : 0;
  EXPECT_LE(over, allowed_over) << suite.failure;
  EXPECT_LE(suite.max_abs_error(), 0.30);
}

TEST(PublishedRuns, FsdpA100HeldOutRowsWithinTolerance) {
  expect_stack_suite(fsdp_a100_suite(test::catalog(), timings(), XPUSIM_SOURCE_DATA_DIR), 139, "pytorch-fsdp", 2);
}

TEST(PublishedRuns, Nemo2407HeldOutRowsWithinTolerance) {
  const auto suite = nemo2407_suite(test::catalog(), timings(), XPUSIM_SOURCE_DATA_DIR);
  expect_stack_suite(suite, 12, "nemo", 0);
  EXPECT_TRUE(suite.passed) << suite.failure;
  // Nemotron-4 340B as its recipe runs it: selective recomputation, bf16 Adam state.
  const auto nemotron = std::find_if(suite.cases.begin(), suite.cases.end(),
                                     [](const auto& c) { return c.id == "T-NEMO2407-10a"; });
  ASSERT_NE(nemotron, suite.cases.end());
  EXPECT_NE(nemotron->description.find("recompute selective, bf16 Adam state"), std::string::npos)
      << nemotron->description;
}

TEST(PublishedRuns, RecipesFillWhatRowsDoNotStateAndRejectBadValues) {
  std::vector<StackRun> runs(2);
  runs[0].model = "nemotron-340b";
  runs[1].model = "gpt3-5b";
  runs[1].recompute = "full";  // a stated recompute wins over the recipe's
  apply_recipes(runs, test::write_temp_file("stack_runs/recipes.csv",
                                            "model,recompute,optimizer_state,source\n"
                                            "nemotron-340b,selective,bf16,launcher yaml\n"
                                            "gpt3-5b,none,fp32,launcher yaml\n"));
  EXPECT_EQ(runs[0].recompute, "selective");
  EXPECT_EQ(runs[0].optimizer_state, "bf16");
  EXPECT_EQ(runs[1].recompute, "full");
  EXPECT_EQ(runs[1].optimizer_state, "fp32");
  const auto l = stack_run_layout(runs[0], training::StackOptions{}, training::Recompute::kSelective);
  EXPECT_EQ(l.framework.optimizer_state_bytes, 6);
  const auto refused = [&](const std::string& row, const std::string& expected) {
    try {
      apply_recipes(runs, test::write_temp_file("stack_runs/bad_recipes.csv",
                                                "model,recompute,optimizer_state,source\n"
                                                "gpt3-5b,none,fp32,launcher yaml\n" + row));
      ADD_FAILURE() << "no error for " << row;
    } catch (const core::Error& e) {
      EXPECT_NE(std::string(e.what()).find("bad_recipes.csv:3"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    }
  };
  refused("nemotron-340b,none,fp16,launcher yaml\n", "optimizer_state: expected fp32 or bf16, got \"fp16\"");
  refused("nemotron-340b,some,fp32,launcher yaml\n", "recompute: expected full, selective or none, got \"some\"");
  refused("nemotron-340b,none,fp32,\n", "source: expected the recipe file and keys read");
  refused(",none,fp32,launcher yaml\n", "model: expected the model name the runs use");
  refused("gpt3-5b,none,bf16,launcher yaml\n", "model: expected one row per model, got \"gpt3-5b\"");
  refused("nemotron-340B,none,bf16,launcher yaml\n", "model: expected a model that runs of the suite use, got \"nemotron-340B\"");
}

TEST(PublishedRuns, StackRunsRejectABadRole) {
  const auto csv = test::write_temp_file(
      "stack_runs/bad_role.csv",
      "case_id,model,layers,hidden_size,ffn_hidden_size,attention_heads,kv_heads,vocab_size,seq_len,gpu,gpus,"
      "tensor_parallel,pipeline_parallel,virtual_pipeline,context_parallel,global_batch_size,micro_batch_size,"
      "recompute,dtype,zero_stage,metric,value,notes,role\n"
      "T-X-1,mpt-125m,12,768,3072,12,12,50368,2048,a100-sxm4-80gb,8,1,1,,,64,8,none,bf16,,tokens_per_s_per_gpu,1,,"
      "fit\n");
  try {
    load_stack_runs(csv, "T-X");
    FAIL() << "no error";
  } catch (const core::Error& e) {
    EXPECT_NE(std::string(e.what()).find("role: expected calibration or held-out, got \"fit\""), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace xpusim::validation
