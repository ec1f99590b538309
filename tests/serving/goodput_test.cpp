#include "serving/goodput.hpp"

#include <gtest/gtest.h>

#include "cost/collective.hpp"
#include "memory/analytical.hpp"
#include "memory/timing_set.hpp"
#include "model/architecture.hpp"
#include "support/test_support.hpp"

namespace xpusim::serving {
namespace {

const std::filesystem::path kData = XPUSIM_SOURCE_DATA_DIR;

// Llama 3 8B on one or two H100s of a DGX H100 with the vLLM profile.
struct GoodputFixture {
  GoodputFixture() {
    arch = model::load_model("llama3-8b", kData);
    system = test::catalog().system("dgx-h100", "test");
    timings = std::make_unique<memory::TimingCatalog>(memory::TimingCatalog::load(kData));
    hbm = std::make_unique<memory::AnalyticalModel>(
        memory::AnalyticalModel::for_memory_system(system->chip().memory(), *timings));
    cost = std::make_unique<cost::CostModel>(system->chip(), hbm.get());
    coll = std::make_unique<cost::CollectiveModel>(*system);
    engine = load_engine("vllm", kData);
  }
  GoodputResult best(const GoodputWorkload& w) const {
    return best_slo_goodput(arch, *cost, coll.get(), engine, Placement{}, w);
  }
  model::Architecture arch;
  std::shared_ptr<const hardware::System> system;
  std::unique_ptr<memory::TimingCatalog> timings;
  std::unique_ptr<memory::AnalyticalModel> hbm;
  std::unique_ptr<cost::CostModel> cost;
  std::unique_ptr<cost::CollectiveModel> coll;
  EngineProfile engine;
};

const GoodputFixture& fx() {
  static const GoodputFixture f;
  return f;
}

GoodputWorkload small(int gpus) {
  GoodputWorkload w;
  w.input_tokens = 512;
  w.output_tokens = 64;
  w.gpus = gpus;
  w.max_concurrency = 64;
  return w;
}

TEST(BestSloGoodput, FindsALoadMeetingTheSloAndIsDeterministic) {
  const auto a = fx().best(small(2));
  ASSERT_TRUE(a.feasible) << a.reason;
  EXPECT_GT(a.goodput_tokens_per_s_per_gpu, 0);
  EXPECT_DOUBLE_EQ(a.goodput_tokens_per_s_per_gpu, a.goodput_requests_per_s_per_gpu * 64);
  EXPECT_EQ(a.replicas * a.tp, 2);
  EXPECT_GT(a.concurrency, 1);  // one client leaves the GPU mostly idle
  EXPECT_LE(a.result.tpot_s.p50, 0.05);
  EXPECT_GT(a.compute_s, 0);
  EXPECT_GT(a.hbm_s, 0);
  EXPECT_EQ(a.decode_bound, "hbm_bandwidth");  // an 8B model's decode step reads 16 GB of weights
  const auto b = fx().best(small(2));
  EXPECT_EQ(a.goodput_tokens_per_s_per_gpu, b.goodput_tokens_per_s_per_gpu);
  EXPECT_EQ(a.tp, b.tp);
  EXPECT_EQ(a.concurrency, b.concurrency);
}

TEST(BestSloGoodput, AnSloNoLoadMeetsIsNamed) {
  auto w = small(1);
  w.slo_tpot_s = 1e-5;  // 10 us per token: no H100 decodes that fast
  const auto r = fx().best(w);
  ASSERT_TRUE(r.feasible) << r.reason;
  EXPECT_EQ(r.goodput_tokens_per_s_per_gpu, 0);
  EXPECT_EQ(r.limiting_resource, "slo");
}

TEST(BestSloGoodput, NoTpDegreeThatDividesTheGpusIsNamed) {
  auto w = small(3);  // Llama 3 8B's 32 heads: TP 1 divides 3 GPUs, so 3 replicas of TP 1
  EXPECT_TRUE(fx().best(w).feasible);
  w.gpus = 0;
  const auto r = fx().best(w);
  EXPECT_FALSE(r.feasible);
  EXPECT_NE(r.reason.find("no TP degree divides 0 GPUs"), std::string::npos) << r.reason;
}

}  // namespace
}  // namespace xpusim::serving
