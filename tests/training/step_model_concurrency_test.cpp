// StepModel as a layout search uses it: check_memory as a pre-check that agrees with evaluate,
// analytic parameter counts that agree with the inventory, and one shared StepModel evaluated
// from many threads giving exactly the serial results.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "core/parallel.hpp"
#include "model/architecture.hpp"
#include "model/operator.hpp"
#include "support/test_support.hpp"
#include "training/step_model.hpp"

namespace xpusim::training {
namespace {

model::Architecture arch(const std::string& name) { return model::load_model(name, XPUSIM_SOURCE_DATA_DIR); }

StepModel make(const std::string& model, const char* system) {
  return StepModel(arch(model), test::catalog().system(system, "--system"));
}

// The forward ops' params per layer type, classified as compute_shape_costs does.
ParamSplit inventory_params(const model::Architecture& a, int tp, int ep) {
  model::InventoryOptions opt;
  opt.batch = 1;
  opt.seq_len = 64;
  opt.tp = tp;
  opt.ep = ep;
  opt.backward = false;
  ParamSplit p;
  for (const auto& layer : model::build_inventory(a, opt).layers) {
    LayerParams lp;
    bool moe = false;
    for (const auto& op : layer.ops) {
      if (op.kind == model::OpKind::kGroupedGemm || op.kind == model::OpKind::kRouter) moe = true;
      lp.params += op.params;
      if (op.kind == model::OpKind::kGroupedGemm) lp.expert_params += op.params;
    }
    if (layer.name.find("embed") != std::string::npos) p.embedding = lp;
    else if (layer.name.find("head") != std::string::npos) p.head = lp;
    else (moe ? p.moe : p.dense) = lp;
  }
  return p;
}

void expect_same(const LayerParams& a, const LayerParams& b, const std::string& what) {
  EXPECT_EQ(a.params, b.params) << what;
  EXPECT_EQ(a.expert_params, b.expert_params) << what;
}

TEST(ParamSplit, EqualsTheInventoryForEveryShippedModelAndSplit) {
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(XPUSIM_SOURCE_DATA_DIR) / "models")) {
    if (entry.path().extension() != ".json") continue;
    const auto a = arch(entry.path().stem().string());
    for (int tp : {1, 2, 3, 4, 8, 16, 32, 64}) {
      for (int ep : {1, 2, 4, 8, 16, 64, 256}) {
        model::InventoryOptions opt;
        opt.batch = 1;
        opt.seq_len = 64;
        opt.tp = tp;
        opt.ep = ep;
        if (!model::inventory_infeasibility(a, opt).empty()) continue;
        const auto want = inventory_params(a, tp, ep);
        const auto got = param_split(a, tp, ep);
        const std::string what = a.name + " tp " + std::to_string(tp) + " ep " + std::to_string(ep);
        expect_same(got.embedding, want.embedding, what + " embedding");
        expect_same(got.dense, want.dense, what + " dense");
        expect_same(got.moe, want.moe, what + " moe");
        expect_same(got.head, want.head, what + " head");
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 100);
}

// A sweep over every axis the memory accounting reads, including layouts that fail the
// structural check (tp 3, trimmed stages that do not divide, ep on a dense model ...).
std::vector<Layout> sweep(bool moe, const std::vector<int>& pps = {1, 2, 4}) {
  std::vector<Layout> out;
  for (int tp : {1, 3, 4, 8})
    for (int pp : pps)
      for (int vpp : {1, 2})
        for (int cp : {1, 2})
          for (int ep : moe ? std::vector<int>{1, 2, 8} : std::vector<int>{1, 2})
            for (long long mb : {1, 2})
              for (auto rc : {Recompute::kNone, Recompute::kSelective, Recompute::kFull})
                for (int zero : {0, 1, 3})
                  for (auto dtype : {core::Dtype::kBf16, core::Dtype::kFp8})
                    for (bool trim : {false, true}) {
                      const int dp = 8;
                      Layout l = make_layout(static_cast<long long>(tp) * pp * cp * dp, tp, pp, cp, vpp, 4096,
                                             16LL * dp * mb, mb);
                      l.ep = ep;
                      l.recompute = rc;
                      l.zero = zero;
                      l.dtype = dtype;
                      l.trim_edge_stages = trim;
                      if ((tp + pp + zero) % 3 == 0) l.zero = 2;   // ZeRO-2 on a share of them
                      if ((tp * pp + cp) % 5 == 0) l.sequence_parallel = false;
                      out.push_back(l);
                    }
  return out;
}

void expect_same_memory(const MemoryBreakdown& a, const MemoryBreakdown& b, const std::string& what) {
  EXPECT_EQ(a.weights, b.weights) << what;
  EXPECT_EQ(a.gradients, b.gradients) << what;
  EXPECT_EQ(a.optimizer, b.optimizer) << what;
  EXPECT_EQ(a.activations, b.activations) << what;
  EXPECT_EQ(a.moe_buffers, b.moe_buffers) << what;
  EXPECT_EQ(a.comm_buffers, b.comm_buffers) << what;
  EXPECT_EQ(a.reserve, b.reserve) << what;
}

std::string describe(const Layout& l) {
  return "tp" + std::to_string(l.tp) + " pp" + std::to_string(l.pp) + " vpp" + std::to_string(l.vpp) + " cp" +
         std::to_string(l.cp) + " ep" + std::to_string(l.ep) + " mb" + std::to_string(l.micro_batch) + " rc" +
         std::to_string(static_cast<int>(l.recompute)) + " zero" + std::to_string(l.zero) + " dtype" +
         std::to_string(static_cast<int>(l.dtype)) + " trim" + std::to_string(l.trim_edge_stages);
}

TEST(StepModelCheckMemory, AgreesWithEvaluateOverASweep) {
  struct Case {
    const char* model;
    const char* system;
    bool moe;
    std::vector<int> pp;
  };
  // DeepSeek-V3's 61 layers split only with trimmed edges: 63 = 7 x 9.
  const std::vector<Case> cases = {{"llama3-70b", "dgx-h100", false, {1, 2, 4}},
                                   {"mixtral-8x7b", "dgx-h100", true, {1, 2, 4}},
                                   {"deepseek-v3", "dgx-h100", true, {1, 7, 9}},
                                   {"megatron-gpt-18.4b", "dgx-a100", false, {1, 2, 4}},
                                   {"gpt2", "dgx-a100", false, {1, 2, 4}}};
  for (const Case& c : cases) {
    const auto m = make(c.model, c.system);
    int feasible = 0, structural = 0, memory = 0, thrown = 0;
    for (const auto& l : sweep(c.moe, c.pp)) {
      const std::string what = std::string(c.model) + " " + describe(l);
      const MemoryFit fit = m.check_memory(l);
      StepResult r;
      try {
        r = m.evaluate(l);
      } catch (const core::Error&) {
        ++thrown;  // the inventory rejects a split check_layout lets through (tp vs ffn)
        continue;
      }
      ASSERT_EQ(fit.fits, r.feasible) << what << ": " << fit.reason << " / " << r.reason;
      EXPECT_EQ(fit.reason, r.reason) << what;
      EXPECT_EQ(fit.layout.dp, r.layout.dp) << what;
      expect_same_memory(fit.memory, r.memory, what);
      if (r.feasible) ++feasible;
      else if (r.microbatches == 0) ++structural;
      else ++memory;
    }
    std::printf("%s: %d feasible, %d structurally infeasible, %d out of memory, %d rejected by the inventory\n",
                c.model, feasible, structural, memory, thrown);
    EXPECT_GT(feasible, 50) << c.model;
    EXPECT_GT(structural, 50) << c.model;
    if (std::string(c.model) != "gpt2") {
      EXPECT_GT(memory, 50) << c.model;
    }
    EXPECT_LT(thrown, feasible) << c.model;
  }
}

void expect_same(const StepResult& a, const StepResult& b, const std::string& what) {
  EXPECT_EQ(a.feasible, b.feasible) << what;
  EXPECT_EQ(a.reason, b.reason) << what;
  EXPECT_EQ(a.layout.dp, b.layout.dp) << what;
  EXPECT_EQ(a.microbatches, b.microbatches) << what;
  EXPECT_EQ(a.step_time_s, b.step_time_s) << what;
  EXPECT_EQ(a.tokens_per_s, b.tokens_per_s) << what;
  EXPECT_EQ(a.model_flops, b.model_flops) << what;
  EXPECT_EQ(a.hardware_flops, b.hardware_flops) << what;
  EXPECT_EQ(a.model_tflops_per_gpu, b.model_tflops_per_gpu) << what;
  EXPECT_EQ(a.hardware_tflops_per_gpu, b.hardware_tflops_per_gpu) << what;
  EXPECT_EQ(a.mfu, b.mfu) << what;
  EXPECT_EQ(a.hfu, b.hfu) << what;
  EXPECT_EQ(a.memory_capacity_bytes, b.memory_capacity_bytes) << what;
  expect_same_memory(a.memory, b.memory, what);
  const auto& x = a.time;
  const auto& y = b.time;
  EXPECT_EQ(x.compute, y.compute) << what;
  EXPECT_EQ(x.recompute, y.recompute) << what;
  EXPECT_EQ(x.tp_comm, y.tp_comm) << what;
  EXPECT_EQ(x.cp_comm, y.cp_comm) << what;
  EXPECT_EQ(x.ep_comm, y.ep_comm) << what;
  EXPECT_EQ(x.pp_comm, y.pp_comm) << what;
  EXPECT_EQ(x.dp_comm, y.dp_comm) << what;
  EXPECT_EQ(x.bubble, y.bubble) << what;
  EXPECT_EQ(x.optimizer, y.optimizer) << what;
  EXPECT_EQ(x.other, y.other) << what;
  EXPECT_EQ(a.stage_fwd_s, b.stage_fwd_s) << what;
  EXPECT_EQ(a.stage_bwd_s, b.stage_bwd_s) << what;
  EXPECT_EQ(a.p2p_s, b.p2p_s) << what;
  EXPECT_EQ(a.dp_reduce_s, b.dp_reduce_s) << what;
  EXPECT_EQ(a.dp_gather_s, b.dp_gather_s) << what;
}

TEST(StepModelConcurrency, ParallelEvaluationOfOneSharedModelEqualsSerial) {
  // Mixtral: MoE with EP, so shapes differ in tp, cp, ep, micro-batch and dtype; the sweep is
  // interleaved so threads hit and fill the cache at the same time.
  const auto layouts = sweep(true);
  ASSERT_GE(layouts.size(), 10000u);
  const StepModel shared = make("mixtral-8x7b", "dgx-h100");
  std::vector<StepResult> parallel(layouts.size());
  std::vector<MemoryFit> fits(layouts.size());
  core::parallel_for(layouts.size(), [&](std::size_t i) {
    // Scattered order: neighbouring indices have different shapes.
    const std::size_t j = (i * 7919) % layouts.size();
    parallel[j] = shared.evaluate(layouts[j]);
    fits[j] = shared.check_memory(layouts[j]);
  });
  const StepModel fresh = make("mixtral-8x7b", "dgx-h100");
  int feasible = 0;
  for (std::size_t i = 0; i < layouts.size(); ++i) {
    const StepResult serial = fresh.evaluate(layouts[i]);
    expect_same(parallel[i], serial, describe(layouts[i]));
    EXPECT_EQ(fits[i].fits, serial.feasible);
    feasible += serial.feasible ? 1 : 0;
    if (::testing::Test::HasFailure()) break;
  }
  std::printf("%zu layouts, %d feasible\n", layouts.size(), feasible);
  EXPECT_GT(feasible, 100);
}

// The same with plain threads: ThreadSanitizer sees their synchronisation (it does not see
// inside an uninstrumented oneTBB), so a TSan build checks the StepModel itself with this one.
TEST(StepModelConcurrency, PlainThreadsOnOneSharedModelEqualSerial) {
  const auto all = sweep(true);
  const std::vector<Layout> layouts(all.begin(), all.begin() + 4000);
  const StepModel shared = make("mixtral-8x7b", "dgx-h100");
  std::vector<StepResult> parallel(layouts.size());
  constexpr std::size_t kThreads = 8;
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (std::size_t i = t; i < layouts.size(); i += kThreads) parallel[i] = shared.evaluate(layouts[i]);
    });
  }
  for (auto& t : threads) t.join();
  const StepModel fresh = make("mixtral-8x7b", "dgx-h100");
  for (std::size_t i = 0; i < layouts.size(); ++i) {
    expect_same(parallel[i], fresh.evaluate(layouts[i]), describe(layouts[i]));
    if (::testing::Test::HasFailure()) break;
  }
}

TEST(StepModel, SharedCostModelGivesTheSameResults) {
  const auto system = test::catalog().system("dgx-h100", "--system");
  const auto cost = std::make_shared<const cost::CostModel>(system->chip());
  const StepModel own(arch("llama3-70b"), system);
  const StepModel shared_a(arch("llama3-70b"), system, cost);
  const StepModel shared_b(arch("llama3-8b"), system, cost);
  EXPECT_EQ(&shared_a.cost_model(), &shared_b.cost_model());
  auto l = make_layout(64, 8, 4, 1, 1, 4096, 256, 1);
  const auto a = own.evaluate(l), b = shared_a.evaluate(l);
  ASSERT_TRUE(a.feasible) << a.reason;
  expect_same(a, b, "llama3-70b");
  EXPECT_TRUE(shared_b.evaluate(l).feasible);
}

TEST(StepModel, SharedCostModelMustBeForTheSystemsChip) {
  const auto h100 = test::catalog().system("dgx-h100", "--system");
  const auto a100 = test::catalog().system("dgx-a100", "--system");
  const auto cost = std::make_shared<const cost::CostModel>(a100->chip());
  // A programming error (the caller paired them), not bad input.
  EXPECT_THROW(StepModel(arch("llama3-8b"), h100, cost), core::InternalError);
  EXPECT_THROW(StepModel(arch("llama3-8b"), h100, std::shared_ptr<const cost::CostModel>()), core::InternalError);
}

TEST(StepModel, FastestFeasibleTakesAConstModel) {
  const StepModel m = make("llama3-70b", "dgx-h100");
  std::vector<Layout> candidates;
  for (int tp : {1, 4, 8})
    for (int pp : {1, 2, 4}) candidates.push_back(make_layout(64, tp, pp, 1, 1, 4096, 256, 1));
  const auto best = fastest_feasible(m, candidates);
  ASSERT_TRUE(best.feasible);
  for (const auto& l : candidates) {
    const auto r = m.evaluate(l);
    if (r.feasible) {
      EXPECT_LE(best.step_time_s, r.step_time_s);
    }
  }
}

}  // namespace
}  // namespace xpusim::training
