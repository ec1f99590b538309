#include <gtest/gtest.h>

#include <cmath>

#include "cost/collective.hpp"
#include "memory/analytical.hpp"
#include "memory/timing_set.hpp"
#include "model/architecture.hpp"
#include "serving/kv_cache.hpp"
#include "serving/serve.hpp"
#include "support/test_support.hpp"

namespace xpusim::serving {
namespace {

const std::filesystem::path kData = XPUSIM_SOURCE_DATA_DIR;

// Llama 3 8B on one H100 of a DGX H100 with the vLLM profile.
struct Fixture {
  Fixture() {
    arch = model::load_model("llama3-8b", kData);
    system = test::catalog().system("dgx-h100", "test");
    timings = std::make_unique<memory::TimingCatalog>(memory::TimingCatalog::load(kData));
    const auto hbm = memory::AnalyticalModel::for_memory_system(system->chip().memory(), *timings);
    cost = std::make_unique<cost::CostModel>(system->chip(), &hbm);
    coll = std::make_unique<cost::CollectiveModel>(*system);
    engine = load_engine("vllm", kData);
  }
  ServeSpec spec() const {
    ServeSpec s;
    s.scheduler.max_num_seqs = engine.max_num_seqs;
    s.scheduler.max_batched_tokens = engine.max_batched_tokens;
    s.scheduler.block_size = engine.block_size;
    return s;
  }
  ServeResult run(const ServeSpec& s, const WorkloadSpec& w, const EngineProfile* e = nullptr) const {
    return simulate_serving(arch, *cost, coll.get(), e ? *e : engine, s, generate_workload(w));
  }
  model::Architecture arch;
  std::shared_ptr<const hardware::System> system;
  std::unique_ptr<memory::TimingCatalog> timings;
  std::unique_ptr<cost::CostModel> cost;
  std::unique_ptr<cost::CollectiveModel> coll;
  EngineProfile engine;
};

const Fixture& fx() {
  static const Fixture f;
  return f;
}

WorkloadSpec poisson(double rate, long long n, int in = 1000, int out = 250) {
  WorkloadSpec w;
  w.num_requests = n;
  w.input.a = in;
  w.output.a = out;
  w.arrival = ArrivalKind::kPoisson;
  w.rate_per_s = rate;
  w.seed = 7;
  return w;
}

TEST(Serving, LittlesLawHoldsOnTheSimulatedQueue) {
  const auto r = fx().run(fx().spec(), poisson(8, 3000));
  ASSERT_TRUE(r.feasible) << r.reason;
  // L (time-average requests in the system) = lambda (completions per second) x W (mean e2e).
  EXPECT_NEAR(r.mean_in_system, r.requests_per_s * r.e2e_s.mean, 0.01 * r.mean_in_system);
  EXPECT_GT(r.mean_in_system, 1.0);
}

TEST(Serving, ThroughputSaturatesAndTtftDivergesPastCapacity) {
  std::vector<double> thr, p99;
  for (double rate : {4.0, 16.0, 64.0, 128.0}) {
    const auto r = fx().run(fx().spec(), poisson(rate, 2000));
    thr.push_back(r.requests_per_s);
    p99.push_back(r.ttft_s.p99);
  }
  EXPECT_NEAR(thr[0], 4.0, 0.6);      // below capacity the system keeps up
  EXPECT_GT(thr[2], 2 * thr[0]);
  EXPECT_LT(thr[3], 1.15 * thr[2]);   // doubling the offered load past capacity adds little
  EXPECT_LT(thr[3], 100.0);
  EXPECT_GT(p99[3], 20 * p99[0]);     // queueing: tail TTFT grows without bound
  EXPECT_GT(p99[3], p99[2]);
}

TEST(Serving, TooSmallKvCachePreempts) {
  EngineProfile small = fx().engine;
  small.memory_fraction = 0.218;  // ~0.6 GB of KV after weights: a few hundred blocks
  WorkloadSpec w = poisson(50, 300);
  w.arrival = ArrivalKind::kOffline;
  const auto tight = fx().run(fx().spec(), w, &small);
  ASSERT_TRUE(tight.feasible) << tight.reason;
  EXPECT_GT(tight.preemptions, 0);
  EXPECT_GT(tight.prefill_tokens_computed, 300.0 * 1000);  // recompute prefills again
  EXPECT_EQ(tight.completed_requests, 300);
  const auto roomy = fx().run(fx().spec(), w);
  EXPECT_EQ(roomy.preemptions, 0);
  EXPECT_DOUBLE_EQ(roomy.prefill_tokens_computed, 300.0 * 1000);
}

TEST(Serving, PrefixCachingCutsPrefillBySharedFraction) {
  WorkloadSpec w = poisson(4, 400, 2048, 64);
  w.shared_prefix_fraction = 0.5;
  w.prefix_groups = 1;
  const auto on = fx().run(fx().spec(), w);
  const double prompt = 400.0 * 2048;
  // All but the first request find the 1024 shared tokens (64 whole blocks) cached.
  EXPECT_NEAR(on.prefill_tokens_computed / prompt, 0.5, 0.01);
  EXPECT_NEAR(on.prefix_hit_rate, 0.5, 0.01);
  ServeSpec off = fx().spec();
  off.scheduler.prefix_caching = false;
  const auto no = fx().run(off, w);
  EXPECT_DOUBLE_EQ(no.prefill_tokens_computed, prompt);
  EXPECT_LT(on.ttft_s.mean, no.ttft_s.mean);
}

TEST(Serving, SameSeedSameOutput) {
  const auto a = fx().run(fx().spec(), poisson(10, 500));
  const auto b = fx().run(fx().spec(), poisson(10, 500));
  EXPECT_EQ(a.ttft_s.p99, b.ttft_s.p99);
  EXPECT_EQ(a.e2e_s.mean, b.e2e_s.mean);
  EXPECT_EQ(a.iterations, b.iterations);
  WorkloadSpec other = poisson(10, 500);
  other.seed = 8;
  EXPECT_NE(fx().run(fx().spec(), other).e2e_s.mean, a.e2e_s.mean);
}

TEST(Serving, KvCapacityIsWhatTheEngineLeaves) {
  Placement p;
  StepCostModel step(fx().arch, *fx().cost, fx().coll.get(), p, fx().engine);
  const double dev = visible_device_memory(fx().system->chip().memory().capacity_bytes());
  EXPECT_NEAR(dev / (1u << 30), 79.2, 0.1);  // H100 "80 GB": torch sees 79.2 GiB
  const auto k = kv_capacity(step, dev, 8192);
  const double left = 0.9 * dev - step.weight_bytes() - step.activation_peak_bytes(8192) - fx().engine.non_torch_memory_bytes;
  const double block = step.kv_bytes_per_token() * 16;
  EXPECT_EQ(k.blocks, static_cast<long long>(std::floor(left / block)));
  // Llama 3 8B: 32 layers x 8 KV heads x 128 x 2 (K, V) x 2 bytes per token.
  EXPECT_DOUBLE_EQ(step.kv_bytes_per_token(), 32.0 * 8 * 128 * 2 * 2);
  EXPECT_NEAR(step.weight_bytes(), 8.03e9 * 2, 0.03e9 * 2);
  // Weights that do not fit are a result, not a crash.
  EngineProfile tiny = fx().engine;
  tiny.memory_fraction = 0.1;
  StepCostModel s2(fx().arch, *fx().cost, fx().coll.get(), p, tiny);
  const auto none = kv_capacity(s2, dev, 8192);
  EXPECT_FALSE(none.feasible);
  EXPECT_NE(none.reason.find("leave no KV cache"), std::string::npos);
}

TEST(Serving, StepCostFollowsTheWork) {
  Placement p;
  StepCostModel step(fx().arch, *fx().cost, fx().coll.get(), p, fx().engine);
  // Paged decode attention is a KV read: linear in the context.
  const double a = step.decode_attention_time(10000, 8), b = step.decode_attention_time(20000, 8);
  EXPECT_NEAR(b, 2 * a, 1e-12);
  // Batch-1 decode streams the weights: int4 is faster than bf16, and batch 64 costs far less than 64x.
  Placement q = p;
  q.weights = WeightFormat::kInt4;
  StepCostModel step4(fx().arch, *fx().cost, fx().coll.get(), q, fx().engine);
  StepShape one;
  one.decode_seqs = 1;
  one.decode_tokens = 1;
  one.decode_context = 1000;
  EXPECT_LT(step4.time(one), 0.6 * step.time(one));
  StepShape many = one;
  many.decode_seqs = 64;
  many.decode_tokens = 64;
  many.decode_context = 64000;
  EXPECT_LT(step.time(many), 4 * step.time(one));
  // Prefill of 8192 tokens is compute-bound: about 2 x 8e9 x 8192 FLOP at tensor-core speed.
  StepShape pre;
  pre.prefill_tokens = 8192;
  pre.prefill_chunks = 1;
  pre.prefill_pairs = 0.5 * 8192.0 * 8192;
  const double t = step.time(pre), ideal = 2 * 8.0e9 * 8192 / 989e12;
  EXPECT_GT(t, ideal);
  EXPECT_LT(t, 3 * ideal);
}

// The engine's efficiencies rescale each operator's roofline: a slow tensor-core side leaves
// batch-1 decode (weight stream) alone but slows a large batch; a slow HBM side the reverse.
TEST(Serving, ComputeAndMemoryEfficienciesActOnTheirSideOfTheRoofline) {
  Placement p;
  EngineProfile e = fx().engine;
  e.device_efficiency = e.compute_efficiency = 1.0;
  StepCostModel step(fx().arch, *fx().cost, fx().coll.get(), p, e);
  StepShape one, big;
  one.decode_seqs = one.decode_tokens = 1;
  big.decode_seqs = big.decode_tokens = 256;
  const double d1 = step.dense_part(1, true), d256 = step.dense_part(256, true);
  step.mutable_engine().compute_efficiency = 0.1;
  EXPECT_NEAR(step.dense_part(1, true), d1, 0.02 * d1);  // M = 1: memory-bound
  EXPECT_GT(step.dense_part(256, true), 1.5 * d256);      // M = 256 turns compute-bound
  step.mutable_engine().compute_efficiency = 1.0;
  step.mutable_engine().device_efficiency = 0.5;
  EXPECT_NEAR(step.dense_part(1, true), 2 * d1, 0.05 * d1);
  // Without graphs the CPU's launches overlap the GPU: a step costs the longer of the two.
  EngineProfile eager = e;
  eager.cuda_graphs = false;
  eager.graph_kernel_gap_s = 0;
  eager.step_overhead_s = eager.per_seq_overhead_s = 0;
  StepCostModel s_eager(fx().arch, *fx().cost, fx().coll.get(), p, eager);
  one.decode_context = 1000;
  const double launches = s_eager.kernels_per_step() * fx().cost->params().kernel_launch_overhead;
  const double gpu = s_eager.dense_part(1, true) + s_eager.head_time(1) + s_eager.decode_attention_time(1000, 1);
  EXPECT_NEAR(s_eager.time(one), std::max(gpu, launches), 1e-9);
}

// TurboMind v0.1 (first_token_from_decode): the first token comes from the decode step after the
// prefill, so a long prompt's TTFT is one step later, a 1-token prompt's is that step alone.
TEST(Serving, FirstTokenFromTheDecodeStepAddsOneStep) {
  Placement p;
  StepCostModel step(fx().arch, *fx().cost, fx().coll.get(), p, fx().engine);
  SchedulerOptions o;
  o.kv_blocks = 20000;
  o.chunked_prefill = false;
  std::vector<Request> reqs(1);
  reqs[0].input_tokens = 512;
  reqs[0].output_tokens = 8;
  const auto plain = simulate_replica(reqs, step, o, 1);
  o.first_token_from_decode = true;
  const auto ft = simulate_replica(reqs, step, o, 1);
  StepShape d;
  d.decode_seqs = d.decode_tokens = 1;
  d.decode_context = 513;
  EXPECT_NEAR(ft.requests[0].first_token_s - plain.requests[0].first_token_s, step.time(d), 0.05 * step.time(d));
  EXPECT_GT(ft.end_s, plain.end_s);
  reqs[0].input_tokens = 1;
  SchedulerOptions plain_o = o;
  plain_o.first_token_from_decode = false;
  const auto one_plain = simulate_replica(reqs, step, plain_o, 1);
  const auto one_ft = simulate_replica(reqs, step, o, 1);
  EXPECT_NEAR(one_ft.requests[0].first_token_s, one_plain.requests[0].first_token_s, 1e-9);
}

// TurboMind v0.1 (prefill_all_waiting): one iteration prefills every waiting request, so all
// first tokens of a batch come together; otherwise the token budget staggers them.
TEST(Serving, PrefillAllWaitingGivesABatchItsFirstTokensTogether) {
  Placement p;
  StepCostModel step(fx().arch, *fx().cost, fx().coll.get(), p, fx().engine);
  SchedulerOptions o;
  o.kv_blocks = 20000;
  o.chunked_prefill = false;
  std::vector<Request> reqs(4);
  for (auto& r : reqs) r.input_tokens = 4096, r.output_tokens = 4;
  const auto staggered = simulate_replica(reqs, step, o, 1);
  o.prefill_all_waiting = true;
  const auto together = simulate_replica(reqs, step, o, 1);
  EXPECT_LT(staggered.requests[0].first_token_s, 0.75 * staggered.requests[3].first_token_s);
  for (const auto& r : together.requests) EXPECT_DOUBLE_EQ(r.first_token_s, together.requests[0].first_token_s);
  EXPECT_GT(together.requests[0].first_token_s, staggered.requests[0].first_token_s);
}

TEST(Serving, ClosedLoopKeepsConcurrencyClients) {
  Placement p;
  StepCostModel step(fx().arch, *fx().cost, fx().coll.get(), p, fx().engine);
  SchedulerOptions o;
  o.kv_blocks = 20000;
  o.concurrency = 4;
  std::vector<Request> reqs(40);
  for (auto& r : reqs) r.input_tokens = 500, r.output_tokens = 50;
  const auto run = simulate_replica(reqs, step, o, 1);
  EXPECT_EQ(run.max_concurrent, 4);
  for (std::size_t i = 4; i < reqs.size(); ++i) EXPECT_GT(run.requests[i].arrival_s, 0.0);
}

TEST(Serving, DisaggregatedAndSpeculativeRun) {
  ServeSpec s = fx().spec();
  s.gpus = 4;
  s.prefill_replicas = 1;
  s.decode_replicas = 3;
  const auto d = fx().run(s, poisson(10, 400));
  ASSERT_TRUE(d.feasible) << d.reason;
  EXPECT_EQ(d.completed_requests, 400);
  EXPECT_GT(d.kv_transfer_s, 0.0);
  ServeSpec sp = fx().spec();
  sp.scheduler.spec_tokens = 3;
  sp.scheduler.spec_acceptance = 0.8;
  const auto with = fx().run(sp, poisson(2, 200));
  const auto without = fx().run(fx().spec(), poisson(2, 200));
  EXPECT_LT(with.tpot_s.mean, without.tpot_s.mean);
}

TEST(Serving, BadInputNamesTheFlag) {
  try {
    (void)parse_length("uniform:5:1", "--input-len", kData);
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_NE(std::string(e.what()).find("--input-len"), std::string::npos);
  }
  EXPECT_THROW((void)parse_weight_format("int3", "--dtype"), core::Error);
  EXPECT_THROW((void)parse_length("lognormal:100:0", "--output-len", kData), core::Error);
  EXPECT_THROW((void)parse_length("no-such-histogram", "--output-len", kData), core::Error);
  EXPECT_EQ(parse_length("azure-code-2023-output", "--output-len", kData).kind, LengthDistribution::Kind::kHistogram);
  EXPECT_THROW((void)load_engine("vllmx", kData), core::Error);
  const auto bad = test::write_temp_file("bad_trace.jsonl", "{\"arrival_s\": 0, \"input_tokens\": 10}\n");
  try {
    (void)load_trace(bad);
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_NE(std::string(e.what()).find("output_tokens"), std::string::npos);
  }
  const auto good = test::write_temp_file("trace.csv", "arrival_s,input_tokens,output_tokens\n0.5,100,10\n0.1,50,5\n");
  const auto t = load_trace(good);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].input_tokens, 50);  // sorted by arrival
}

}  // namespace
}  // namespace xpusim::serving
