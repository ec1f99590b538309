#include <gtest/gtest.h>

#include "core/error.hpp"
#include "model/architecture.hpp"
#include "support/test_support.hpp"
#include "training/stack.hpp"
#include "training/step_model.hpp"

namespace xpusim::training {
namespace {

const std::filesystem::path kData = XPUSIM_SOURCE_DATA_DIR;

StepModel make(const char* model, const char* system) {
  return StepModel(model::load_model(model, kData), test::catalog().system(system, "--system"));
}

// A small model on one node, where the per-kernel and per-pass costs weigh most.
Layout small_layout(const StackOptions& stack) {
  Layout l = make_layout(8, 1, 1, 1, 1, 2048, 64, 2);
  l.zero = 3;
  apply_stack(l, stack);
  return l;
}

StackOptions neutral() { return StackOptions{}; }

TEST(Stack, MegatronCoreFileEqualsTheDefaults) {
  const auto s = load_stack("megatron-core", kData);
  const StackOptions d;
  EXPECT_EQ(s.name, d.name);
  EXPECT_EQ(s.unfused_passes, d.unfused_passes);
  EXPECT_EQ(s.loss_extra_bytes, d.loss_extra_bytes);
  EXPECT_EQ(s.launch_s, d.launch_s);
  EXPECT_EQ(s.comm_sm_share, d.comm_sm_share);
  EXPECT_EQ(s.step_overhead_s, d.step_overhead_s);
  EXPECT_EQ(s.optimizer_passes, d.optimizer_passes);
  EXPECT_EQ(s.fsdp_prefetch, d.fsdp_prefetch);
  EXPECT_EQ(s.activation_fragmentation, d.activation_fragmentation);
  EXPECT_EQ(s.loss_saved_bytes, d.loss_saved_bytes);
  EXPECT_EQ(s.grad_reduce_bytes, d.grad_reduce_bytes);
  EXPECT_EQ(s.optimizer_state_bytes, d.optimizer_state_bytes);
  EXPECT_EQ(s.tp_comm_overlap, d.tp_comm_overlap);
  EXPECT_EQ(s.attention_time_factor, d.attention_time_factor);
  EXPECT_EQ(s.allocator_reserve_bytes, d.allocator_reserve_bytes);
}

TEST(Stack, EveryShippedStackLoads) {
  const auto names = builtin_stack_names(kData);
  ASSERT_GE(names.size(), 4u);
  for (const auto& n : names) EXPECT_EQ(load_stack(n, kData).name, n);
}

TEST(Stack, UnfusedPassesAddHbmTime) {
  const auto m = make("llama3-8b", "dgx-h100");
  auto s = neutral();
  const auto base = m.evaluate(small_layout(s));
  s.unfused_passes = 3;
  const auto unfused = m.evaluate(small_layout(s));
  ASSERT_TRUE(base.feasible && unfused.feasible) << base.reason << unfused.reason;
  // Three read+write passes of tokens x hidden bf16, forward once and backward twice, per layer.
  const double bytes = 2.0 * 2 * 2048 * 4096 * 2.0;
  const double per_pass = m.cost_model().memory_bound(bytes / 2, bytes / 2).time_s;
  EXPECT_NEAR(unfused.time.compute - base.time.compute, 9.0 * per_pass * 32 * static_cast<double>(base.microbatches),
              1e-9 + 1e-6 * base.time.compute);
}

TEST(Stack, UnfusedCrossEntropyCostsMoreWithALargerVocabulary) {
  auto s = neutral();
  s.loss_extra_bytes = 16;
  const auto extra = [&](const char* model) {
    const auto m = make(model, "dgx-h100");
    return m.evaluate(small_layout(s)).step_time_s - m.evaluate(small_layout(neutral())).step_time_s;
  };
  EXPECT_GT(extra("llama3-8b"), 3.0 * extra("llama2-7b"));  // vocab 128256 vs 32000
  EXPECT_GT(extra("llama2-7b"), 0.0);
}

TEST(Stack, CudaGraphsRemoveLaunchGaps) {
  // Tiny micro-batches make kernels shorter than the host's issue time.
  const auto m = make("gpt2", "dgx-h100");
  auto eager = neutral();
  eager.launch_s = 20e-6;
  Layout l = make_layout(8, 1, 1, 1, 1, 128, 8, 1);
  apply_stack(l, eager);
  const double t_eager = m.evaluate(l).step_time_s;
  apply_stack(l, neutral());  // CUDA graphs: no host gap
  EXPECT_GT(t_eager, 1.2 * m.evaluate(l).step_time_s);
}

TEST(Stack, OverlappedCollectivesCostSmShare) {
  const auto m = make("llama3-8b", "dgx-h100");
  auto s = neutral();
  const auto base = m.evaluate(small_layout(s));
  s.comm_sm_share = 0.2;
  const auto shared = m.evaluate(small_layout(s));
  EXPECT_GT(shared.time.compute, base.time.compute);
  // The slowdown is the share of the hidden FSDP traffic: no more than share x all of it.
  EXPECT_LE(shared.time.compute - base.time.compute, 0.2 * shared.dp_reduce_s + 1e-12);
}

TEST(Stack, FsdpWithoutPrefetchExposesTheGathers) {
  const auto m = make("llama3-8b", "dgx-h100");
  auto s = neutral();
  const auto ahead = m.evaluate(small_layout(s));
  s.fsdp_prefetch = 0;
  const auto none = m.evaluate(small_layout(s));
  EXPECT_GT(none.time.dp_comm, ahead.time.dp_comm);
}

TEST(Stack, SlowerAttentionKernelAddsAttentionTimeOnly) {
  const auto m = make("llama3-8b", "dgx-h100");
  auto s = neutral();
  const auto fa2 = m.evaluate(small_layout(s));
  s.attention_time_factor = 1.5;
  const auto fa1 = m.evaluate(small_layout(s));
  const auto& c = m.shape_costs(small_layout(s)).dense;
  EXPECT_NEAR(fa1.time.compute - fa2.time.compute,
              0.5 * (c.attn_fwd_s + c.attn_bwd_s) * 32 * static_cast<double>(fa2.microbatches),
              1e-6 * fa2.time.compute);
}

TEST(Stack, StepOverheadAndOptimizerPassesAddPerStepTime) {
  const auto m = make("llama3-8b", "dgx-h100");
  auto s = neutral();
  const auto base = m.evaluate(small_layout(s));
  s.step_overhead_s = 0.05;
  s.optimizer_passes = 2;
  const auto slow = m.evaluate(small_layout(s));
  EXPECT_NEAR(slow.time.other - base.time.other, 0.05, 1e-12);
  EXPECT_NEAR(slow.time.optimizer, 2 * base.time.optimizer, 1e-12);
}

TEST(Stack, Bf16GradientReductionMovesHalfTheBytes) {
  const auto m = make("llama3-8b", "dgx-h100");
  Layout l = make_layout(64, 1, 1, 1, 1, 4096, 64, 1);
  const double fp32 = m.evaluate(l).dp_reduce_s;
  l.framework.grad_reduce_bytes = 2;
  EXPECT_LT(m.evaluate(l).dp_reduce_s, 0.6 * fp32);
}

// bf16 Adam state (master, m, v: 6 bytes per parameter instead of 12) halves the optimizer's
// memory on every GPU and shortens its memory-bound step (10 + 8 bytes moved instead of 16 + 14).
TEST(Stack, Bf16OptimizerStateHalvesItsMemoryAndShortensTheStep) {
  const auto m = make("llama3-8b", "dgx-h100");
  Layout l = make_layout(64, 1, 1, 1, 1, 4096, 64, 1);
  const auto fp32 = m.evaluate(l);
  l.framework.optimizer_state_bytes = 6;
  const auto bf16 = m.evaluate(l);
  ASSERT_TRUE(fp32.feasible && bf16.feasible);
  EXPECT_NEAR(bf16.memory.optimizer, fp32.memory.optimizer / 2, 1.0);
  EXPECT_DOUBLE_EQ(bf16.memory.weights, fp32.memory.weights);
  EXPECT_LT(bf16.time.optimizer, fp32.time.optimizer * 0.7);
  EXPECT_GT(bf16.time.optimizer, fp32.time.optimizer * 0.5);
  const auto nemo = load_stack("nemo", kData);
  EXPECT_EQ(nemo.optimizer_state_bytes, 12);  // fp32 unless a recipe says otherwise
}

TEST(Stack, AllocatorReserveAndLossBytesAreMemory) {
  const auto m = make("llama3-8b", "dgx-h100");
  auto s = neutral();
  const auto base = m.check_memory(small_layout(s));
  s.allocator_reserve_bytes += 1e9;
  s.loss_saved_bytes = 4;
  const auto other = m.check_memory(small_layout(s));
  EXPECT_DOUBLE_EQ(other.memory.reserve - base.memory.reserve, 1e9);
  EXPECT_NEAR(base.memory.activations - other.memory.activations, 2.0 * 2 * 2048 * 128256, 1.0);
}

TEST(Stack, BadFilesAndNamesAreErrors) {
  const auto bad = [](const std::string& body) {
    try {
      load_stack_file(test::write_temp_file("stacks/bad.yaml", body));
    } catch (const core::Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(bad("unfused_pases: 1\n").find("unfused_passes"), std::string::npos);
  EXPECT_NE(bad("unfused_passes: {value: -1, source: x}\n").find("expected a number >= 0"), std::string::npos);
  EXPECT_NE(bad("grad_reduce_dtype: fp16x\n").find("expected fp32 or bf16"), std::string::npos);
  EXPECT_NE(bad("optimizer_state_dtype: {value: fp8, source: x}\n").find("expected fp32 or bf16, got \"fp8\""),
            std::string::npos)
      << bad("optimizer_state_dtype: {value: fp8, source: x}\n");
  // fp16 is refused rather than reported as bf16 (the outputs name only fp32 and bf16).
  EXPECT_NE(bad("optimizer_state_dtype: fp16\n").find("expected fp32 or bf16, got \"fp16\""), std::string::npos);
  EXPECT_NE(bad("grad_reduce_dtype: fp16\n").find("expected fp32 or bf16, got \"fp16\""), std::string::npos);
  EXPECT_NE(bad("comm_sm_share: 1.5\n").find("expected a fraction in [0, 1)"), std::string::npos);
  EXPECT_NE(bad("launch_overhead: fast\n").find("launch_overhead"), std::string::npos);
  try {
    load_stack("megatron", kData);
    FAIL() << "no error";
  } catch (const core::Error& e) {
    EXPECT_NE(std::string(e.what()).find("--stack: expected a shipped stack or a stack YAML file: one of: deepspeed, "
                                         "megatron-core, nemo, pytorch-fsdp, got \"megatron\""),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace xpusim::training
