#include "search/search.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <set>

#include "core/error.hpp"
#include "search/space.hpp"

namespace xpusim::search {
namespace {

using training::Layout;
using training::Recompute;

const scenario::Session& session() {
  static const scenario::Session s(XPUSIM_SOURCE_DATA_DIR);
  return s;
}

scenario::Scenario make(std::string model, long long gpus, long long seq, long long batch) {
  scenario::Scenario s;
  s.model = std::move(model);
  s.system = "dgx-h100";
  s.layout.gpus = gpus;
  s.layout.seq_len = seq;
  s.layout.global_batch = batch;
  return s;
}

std::shared_ptr<const training::StepModel> step_model(const scenario::Scenario& s) {
  return session().step_model(scenario::resolve_architecture(session(), s), scenario::resolve_system(session(), s));
}

// Every (tp, cp, pp, vpp, micro-batch, recompute, ZeRO, trim, sp) of a small job, in generous
// ranges with no divisibility rule of the test's own: StepModel::evaluate is the judge.
std::vector<Layout> brute_force_layouts(const scenario::Scenario& s, long long layers) {
  std::vector<Layout> out;
  const Layout& b = s.layout;
  for (int tp = 1; tp <= b.gpus; ++tp)
    for (int cp = 1; tp * cp <= b.gpus; ++cp)
      for (int pp = 1; tp * cp * pp <= b.gpus; ++pp)
        for (int vpp = 1; vpp <= (pp > 1 ? layers + 2 : 1); ++vpp)
          for (bool trim : {false, true})
            for (bool sp : {true, false})
              for (long long mb = 1; mb <= b.global_batch; ++mb)
                for (auto rc : {Recompute::kNone, Recompute::kSelective, Recompute::kFull})
                  for (int zero = 0; zero <= 3; ++zero) {
                    Layout l = b;
                    l.tp = tp;
                    l.cp = cp;
                    l.pp = pp;
                    l.vpp = vpp;
                    l.trim_edge_stages = trim;
                    l.sequence_parallel = sp;
                    l.micro_batch = mb;
                    l.recompute = rc;
                    l.zero = zero;
                    out.push_back(l);
                  }
  return out;
}

// Pruning never drops a layout full evaluation finds feasible: with the placement order fixed,
// the search's feasible count equals that of evaluating every layout of a generous grid, and
// it finds the same best.
TEST(Search, PruningKeepsEveryFeasibleLayoutAndFindsTheBruteForceBest) {
  auto s = make("llama3-8b", 8, 2048, 8);
  const auto model = step_model(s);
  std::size_t feasible = 0;
  double best = 0;
  std::set<std::pair<int, int>> seen_sp_tp1;
  for (const auto& l : brute_force_layouts(s, model->architecture().layers)) {
    // sp at tp 1 and trim at pp 1 are the same layout as without; count each layout once.
    if (l.tp == 1 && !l.sequence_parallel) continue;
    if (!interleaving_is_even(model->architecture().layers, l.pp, l.vpp, l.trim_edge_stages)) continue;
    const auto r = model->evaluate(l);
    if (!r.feasible) continue;
    ++feasible;
    best = std::max(best, r.tokens_per_s);
  }
  ASSERT_GT(feasible, 100u);
  SearchOptions o;
  o.fixed = {"order"};
  const auto r = search_layouts(session(), s, o);
  EXPECT_EQ(r.feasible, feasible);
  EXPECT_EQ(r.evaluated, feasible);  // the memory pre-check let through only what fits
  EXPECT_EQ(r.enumerated, r.pruned_structure + r.pruned_memory + r.evaluated);
  ASSERT_FALSE(r.results.empty());
  EXPECT_DOUBLE_EQ(r.results.front().outcome.step.tokens_per_s, best);
}

// One GPU: nothing to split, so the best is the fastest micro-batch without recomputation; by
// hand, recomputation only adds time, and every ZeRO stage is the same on one GPU.
TEST(Search, OneGpuBestIsNoRecomputeAndFits) {
  auto s = make("gpt2", 1, 1024, 8);
  const auto r = search_layouts(session(), s, {});
  ASSERT_FALSE(r.results.empty());
  const auto& l = r.results.front().outcome.step.layout;
  EXPECT_EQ(l.tp, 1);
  EXPECT_EQ(l.pp, 1);
  EXPECT_EQ(l.cp, 1);
  EXPECT_EQ(l.recompute, Recompute::kNone);
  EXPECT_LE(r.results.front().outcome.step.memory.total(), r.results.front().outcome.step.memory_capacity_bytes);
  // Micro-batches 1, 2, 4, 8 times 3 recompute modes times 4 ZeRO stages, all legal.
  EXPECT_EQ(r.enumerated, 4u * 3u * 4u);
  for (std::size_t i = 1; i < r.results.size(); ++i)
    EXPECT_LE(r.results[i].outcome.step.tokens_per_s, r.results[i - 1].outcome.step.tokens_per_s);
}

// By hand: Llama 3 70B's weights, gradients and Adam state take 16 bytes x 70.6e9 parameters =
// 1.13 TB, more than the 640 GB of one DGX H100, however they are split.
TEST(Search, SeventyBDoesNotTrainOnOneDgx) {
  const auto r = search_layouts(session(), make("llama3-70b", 8, 4096, 16), {});
  EXPECT_TRUE(r.results.empty());
  EXPECT_EQ(r.evaluated, 0u);
  EXPECT_GT(r.pruned_memory, 0u);
  EXPECT_NE(r.best.step.reason.find("no layout fits"), std::string::npos) << r.best.step.reason;
}

// By hand: with every other field fixed, recomputation only adds time, so the ranking is none,
// selective, full (selective costs nothing more with flash attention at most).
TEST(Search, RecomputeOnlyAddsTime) {
  auto s = make("llama3-8b", 8, 2048, 16);
  s.layout.tp = 8;
  SearchOptions o;
  o.fixed = {"tp", "pp", "vpp", "cp", "dp", "micro_batch", "zero", "order", "sequence_parallel", "trim_edge_stages"};
  const auto r = search_layouts(session(), s, o);
  ASSERT_EQ(r.results.size(), 3u);
  EXPECT_EQ(r.enumerated, 3u);
  EXPECT_EQ(r.results[0].outcome.step.layout.recompute, Recompute::kNone);
  EXPECT_EQ(r.results[2].outcome.step.layout.recompute, Recompute::kFull);
  EXPECT_GT(r.results[2].gap_to_best, 0.0);
}

// Every one of the 120 orders of the five axes times exactly as one of the representatives the
// search keeps for it.
TEST(Search, EveryOrderTimesAsOneOfTheRepresentatives) {
  struct Case {
    const char* model;
    long long gpus;
    int tp, cp, pp, ep;
  };
  for (const Case& c : {Case{"llama3-70b", 128, 4, 2, 4, 1}, Case{"llama3-70b", 64, 8, 1, 2, 1},
                        Case{"llama3-70b", 64, 2, 4, 1, 1}, Case{"mixtral-8x7b", 64, 2, 2, 2, 4},
                        Case{"mixtral-8x7b", 32, 1, 2, 1, 8}}) {
    auto s = make(c.model, c.gpus, 4096, 64);
    const auto model = step_model(s);
    Layout l = s.layout;
    l.tp = c.tp;
    l.cp = c.cp;
    l.pp = c.pp;
    l.ep = c.ep;
    l.recompute = Recompute::kFull;
    l.zero = 1;
    Layout resolved = l;
    ASSERT_EQ(model->check_layout(resolved), "") << c.model;
    const auto reps = distinct_placements(resolved, distinct_orders(resolved), model->collectives().domain_size(),
                                          model->collectives().chips_per_node());
    EXPECT_GT(reps.size(), 1u) << c.model;
    std::vector<training::StepResult> rep_results;
    for (const auto& o : reps) {
      l.order = o;
      rep_results.push_back(model->evaluate(l));
    }
    training::AxisOrder o = training::kDefaultOrder;
    std::sort(o.begin(), o.end());
    int n = 0;
    do {
      l.order = o;
      const auto r = model->evaluate(l);
      const bool found = std::any_of(rep_results.begin(), rep_results.end(), [&](const training::StepResult& x) {
        return x.step_time_s == r.step_time_s && x.memory.total() == r.memory.total() &&
               x.time.dp_comm == r.time.dp_comm && x.time.tp_comm == r.time.tp_comm;
      });
      EXPECT_TRUE(r.feasible || !r.reason.empty());
      EXPECT_TRUE(found) << c.model << " order " << training::axis_order_name(o);
      ++n;
    } while (std::next_permutation(o.begin(), o.end()));
    EXPECT_EQ(n, 120);
    EXPECT_EQ(reps.front(), training::kDefaultOrder);
  }
}

// The search checks structure once per layout shape: legality must not depend on recompute or
// ZeRO (if a training change makes it so, the search's skeleton check must change too).
TEST(Search, LegalityDoesNotDependOnRecomputeOrZero) {
  auto s = make("mixtral-8x7b", 64, 4096, 64);
  const auto model = step_model(s);
  for (int tp : {1, 2, 4, 8, 3})
    for (int pp : {1, 2, 4, 5})
      for (int vpp : {1, 2, 3})
        for (int ep : {1, 2, 8, 16}) {
          Layout l = s.layout;
          l.tp = tp;
          l.pp = pp;
          l.vpp = vpp;
          l.ep = ep;
          Layout first = l;
          const std::string expected = model->check_layout(first);
          for (auto rc : {Recompute::kNone, Recompute::kSelective, Recompute::kFull})
            for (int zero = 0; zero <= 3; ++zero) {
              Layout x = l;
              x.recompute = rc;
              x.zero = zero;
              EXPECT_EQ(model->check_layout(x), expected);
            }
        }
}

void expect_same(const SearchResult& a, const SearchResult& b) {
  EXPECT_EQ(a.enumerated, b.enumerated);
  EXPECT_EQ(a.pruned_structure, b.pruned_structure);
  EXPECT_EQ(a.pruned_memory, b.pruned_memory);
  EXPECT_EQ(a.evaluated, b.evaluated);
  EXPECT_EQ(a.feasible, b.feasible);
  ASSERT_EQ(a.results.size(), b.results.size());
  for (std::size_t i = 0; i < a.results.size(); ++i) {
    const auto& x = a.results[i].outcome.step;
    const auto& y = b.results[i].outcome.step;
    EXPECT_EQ(training::axis_order_name(x.layout.order), training::axis_order_name(y.layout.order)) << i;
    EXPECT_EQ(x.layout.tp, y.layout.tp) << i;
    EXPECT_EQ(x.layout.pp, y.layout.pp) << i;
    EXPECT_EQ(x.layout.vpp, y.layout.vpp) << i;
    EXPECT_EQ(x.layout.cp, y.layout.cp) << i;
    EXPECT_EQ(x.layout.ep, y.layout.ep) << i;
    EXPECT_EQ(x.layout.etp, y.layout.etp) << i;
    EXPECT_EQ(x.layout.micro_batch, y.layout.micro_batch) << i;
    EXPECT_EQ(x.layout.recompute, y.layout.recompute) << i;
    EXPECT_EQ(x.layout.zero, y.layout.zero) << i;
    EXPECT_EQ(x.step_time_s, y.step_time_s) << i;
  }
  ASSERT_EQ(a.pareto.size(), b.pareto.size());
  for (std::size_t i = 0; i < a.pareto.size(); ++i) EXPECT_EQ(a.pareto[i].step.step_time_s, b.pareto[i].step.step_time_s);
}

TEST(Search, OneAndTwoThreadsGiveIdenticalResults) {
  for (const auto& [m, gpus] : {std::pair<const char*, long long>{"llama3-8b", 32}, {"mixtral-8x7b", 16}}) {
    auto s = make(m, gpus, 2048, 32);
    SearchOptions o;
    o.top = 25;
    o.pareto = true;
    o.threads = 1;
    const auto one = search_layouts(session(), s, o);
    o.threads = 2;
    const auto two = search_layouts(session(), s, o);
    ASSERT_GT(one.feasible, 100u) << m;
    expect_same(one, two);
  }
}

TEST(Search, FixedFieldsAreKept) {
  auto s = make("llama3-70b", 64, 4096, 64);
  s.layout.tp = 4;
  s.layout.recompute = Recompute::kFull;
  SearchOptions o;
  o.fixed = {"tp", "recompute"};
  const auto r = search_layouts(session(), s, o);
  ASSERT_FALSE(r.results.empty());
  for (const auto& x : r.results) {
    EXPECT_EQ(x.outcome.step.layout.tp, 4);
    EXPECT_EQ(x.outcome.step.layout.recompute, Recompute::kFull);
  }
}

TEST(Search, MemoryFractionKeepsHeadroom) {
  auto s = make("llama3-8b", 16, 2048, 32);
  SearchOptions o;
  const auto all = search_layouts(session(), s, o);
  o.max_memory_fraction = 0.6;
  const auto tight = search_layouts(session(), s, o);
  ASSERT_FALSE(tight.results.empty());
  EXPECT_GT(tight.pruned_memory, all.pruned_memory);
  EXPECT_EQ(tight.enumerated, all.enumerated);
  for (const auto& x : tight.results)
    EXPECT_LE(x.outcome.step.memory.total(), 0.6 * x.outcome.step.memory_capacity_bytes);
}

TEST(Search, MemoryObjectiveRanksByMemoryAndParetoIsAFrontier) {
  auto s = make("llama3-8b", 16, 2048, 32);
  SearchOptions o;
  o.objective = Objective::kMemory;
  o.pareto = true;
  const auto r = search_layouts(session(), s, o);
  ASSERT_GE(r.results.size(), 2u);
  for (std::size_t i = 1; i < r.results.size(); ++i) {
    EXPECT_LE(r.results[i - 1].outcome.step.memory.total(), r.results[i].outcome.step.memory.total());
    EXPECT_GE(r.results[i].gap_to_best, 0.0);
  }
  ASSERT_GE(r.pareto.size(), 2u);
  for (std::size_t i = 1; i < r.pareto.size(); ++i) {
    EXPECT_LT(r.pareto[i - 1].step.memory.total(), r.pareto[i].step.memory.total());
    EXPECT_LT(r.pareto[i - 1].step.tokens_per_s, r.pareto[i].step.tokens_per_s);
  }
  // The least-memory layout starts the frontier; the fastest ends it.
  EXPECT_EQ(r.pareto.front().step.memory.total(), r.results.front().outcome.step.memory.total());
  const auto fastest = search_layouts(session(), s, {});
  EXPECT_EQ(r.pareto.back().step.tokens_per_s, fastest.results.front().outcome.step.tokens_per_s);
}

TEST(Search, ReferenceRankAndGap) {
  auto s = make("llama3-8b", 16, 2048, 32);
  SearchOptions o;
  const auto plain = search_layouts(session(), s, o);
  ASSERT_FALSE(plain.results.empty());
  const auto& best = plain.results.front().outcome.step.layout;
  o.reference = parse_reference("tp=" + std::to_string(best.tp) + ",pp=" + std::to_string(best.pp) +
                                    ",vpp=" + std::to_string(best.vpp) + ",cp=" + std::to_string(best.cp),
                                "--reference");
  const auto with_best = search_layouts(session(), s, o);
  ASSERT_TRUE(with_best.reference.has_value());
  EXPECT_EQ(with_best.reference_rank, 1u);
  EXPECT_DOUBLE_EQ(with_best.reference->gap_to_best, 0.0);
  const int other = best.tp == 8 ? 1 : 8;
  o.reference = parse_reference("tp=" + std::to_string(other), "--reference");
  const auto with_other = search_layouts(session(), s, o);
  ASSERT_TRUE(with_other.reference.has_value());
  EXPECT_GT(with_other.reference_rank, 1u);
  EXPECT_GE(with_other.reference->gap_to_best, 0.0);
  EXPECT_EQ(with_other.reference->outcome.step.layout.tp, other);
  EXPECT_EQ(with_other.ranked, with_best.ranked);
  EXPECT_EQ(with_best.reference_mesh_rank, 1u);
  EXPECT_GT(with_other.reference_mesh_rank, 1u);
  EXPECT_LE(with_other.reference_mesh_rank, with_other.reference_rank);
  EXPECT_EQ(with_other.meshes, with_best.meshes);
  // The mesh rank counts the distinct meshes of the layouts ranked ahead of the reference,
  // without the reference's own: checked against every ranked layout kept.
  o.top = with_other.ranked;
  const auto all = search_layouts(session(), s, o);
  ASSERT_EQ(all.results.size(), all.ranked);
  const auto mesh = [](const training::Layout& l) {
    return std::array<int, 6>{l.tp, l.pp, l.cp, l.dp, l.ep, l.expert_tp()};
  };
  const auto own = mesh(all.reference->outcome.step.layout);
  std::set<std::array<int, 6>> ahead, every;
  for (std::size_t i = 0; i < all.results.size(); ++i) {
    const auto m = mesh(all.results[i].outcome.step.layout);
    every.insert(m);
    if (i + 1 < all.reference_rank && m != own) ahead.insert(m);
  }
  EXPECT_EQ(all.reference_mesh_rank, ahead.size() + 1);
  EXPECT_EQ(all.meshes, every.size());
  EXPECT_THROW(parse_reference("tp8", "--reference"), core::Error);
  EXPECT_THROW(parse_reference("gpus=8", "--reference"), core::Error);
}

TEST(Search, NothingFitsIsAResultWithAReason) {
  const auto r = search_layouts(session(), make("llama3-405b", 8, 8192, 16), {});
  EXPECT_TRUE(r.results.empty());
  EXPECT_FALSE(r.best.step.feasible);
  EXPECT_NE(r.best.step.reason.find("no layout fits: the smallest legal one needs"), std::string::npos)
      << r.best.step.reason;
  auto s = make("llama3-70b", 64, 4096, 64);
  s.layout.tp = 3;
  SearchOptions o;
  o.fixed = {"tp"};
  const auto bad = search_layouts(session(), s, o);
  EXPECT_TRUE(bad.results.empty());
  EXPECT_NE(bad.best.step.reason.find("no legal layout"), std::string::npos) << bad.best.step.reason;
}

TEST(Search, BadOptionsThrow) {
  auto s = make("llama3-8b", 8, 2048, 8);
  SearchOptions o;
  o.top = 0;
  EXPECT_THROW(search_layouts(session(), s, o), core::Error);
  o.top = 10;
  o.max_memory_fraction = 1.5;
  EXPECT_THROW(search_layouts(session(), s, o), core::Error);
  o.max_memory_fraction = 1;
  o.fixed = {"gpus"};
  EXPECT_THROW(search_layouts(session(), s, o), core::Error);
}

TEST(Search, StopFlagEndsEarly) {
  auto s = make("llama3-70b", 64, 4096, 64);
  std::atomic<bool> stop{true};
  SearchOptions o;
  o.stop = &stop;
  const auto r = search_layouts(session(), s, o);
  EXPECT_TRUE(r.interrupted);
  EXPECT_EQ(r.evaluated, 0u);
  EXPECT_NE(r.best.step.reason.find("interrupted"), std::string::npos);
}

TEST(Space, Divisors) {
  EXPECT_EQ(divisors(12, 12), (std::vector<long long>{1, 2, 3, 4, 6, 12}));
  EXPECT_EQ(divisors(16, 4), (std::vector<long long>{1, 2, 4}));
  EXPECT_EQ(divisors(1, 1), (std::vector<long long>{1}));
}

}  // namespace
}  // namespace xpusim::search

namespace xpusim::search {
namespace {

// By default TP keeps consecutive ranks (what every training stack does); --any-order also times
// placements with TP strided across nodes, so it enumerates more and every default result has
// TP first among the axes that take rank space.
TEST(Search, TpStaysOnConsecutiveRanksUnlessAnyOrderIsAsked) {
  scenario::Scenario s;
  s.model = "llama3-8b";
  s.system = "dgx-h100";
  s.layout = training::make_layout(32, 1, 1, 1, 1, 4096, 64, 1);
  const scenario::Session& ses = session();
  SearchOptions o;
  o.top = 50;
  const auto inner = search_layouts(ses, s, o);
  o.tp_innermost = false;
  const auto any = search_layouts(ses, s, o);
  EXPECT_LT(inner.enumerated, any.enumerated);
  ASSERT_FALSE(inner.results.empty());
  for (const auto& r : inner.results) {
    const auto& l = r.outcome.step.layout;
    if (l.tp == 1) continue;
    for (auto a : l.order) {
      if (a == training::Axis::kTp) break;
      const long long size = a == training::Axis::kCp ? l.cp : a == training::Axis::kDp ? l.dp
                           : a == training::Axis::kPp ? l.pp : 1;
      EXPECT_EQ(size, 1) << training::axis_order_name(l.order);
    }
  }
}

}  // namespace
}  // namespace xpusim::search
