#include "search/search.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_reduce.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <map>
#include <mutex>

#include "core/error.hpp"
#include "search/space.hpp"

namespace xpusim::search {
namespace {

using training::Layout;
using training::Recompute;

// One point of the structural grid: the layout sizes that decide legality and the shape costs.
struct Skeleton {
  int tp = 1, pp = 1, vpp = 1, cp = 1, dp = 0, ep = 1, etp = 0;
  long long micro_batch = 1;
  bool trim = false, sp = true;
  std::uint32_t orders = 0;  // index of its list of distinct placement orders
};

// A layout that passed the memory pre-check: its skeleton and its (recompute, ZeRO) choice.
struct Candidate {
  std::uint32_t skeleton = 0;
  std::uint8_t recompute = 0, zero = 0;
  std::uint32_t shape = 0;       // index into the distinct shapes
};

// Lower is better; `id` (enumeration order) breaks ties so any partition reduces alike.
struct Score {
  double primary = 0, secondary = 0;
  std::uint64_t id = 0;
  bool operator<(const Score& o) const {
    if (primary != o.primary) return primary < o.primary;
    if (secondary != o.secondary) return secondary < o.secondary;
    return id < o.id;
  }
};

// The parallel degrees of a layout: tp, pp, cp, dp, ep, expert tp.
using Mesh = std::array<int, 6>;
Mesh mesh_of(const Layout& l) { return {l.tp, l.pp, l.cp, l.dp, l.ep, l.expert_tp()}; }

struct FrontPoint {
  double memory = 0, tokens_per_s = 0;
  std::uint64_t id = 0;
};

// Best K scores and (optionally) the throughput-memory frontier of what one range timed.
struct Partial {
  std::size_t k = 10;
  bool pareto = false;
  std::vector<Score> top;            // sorted, at most k
  std::vector<FrontPoint> front;     // memory strictly up, tokens/s strictly up
  std::size_t timed = 0, feasible = 0;
  std::size_t ranked = 0, better_than_reference = 0;
  std::map<Mesh, Score> mesh_best;  // each mesh's fastest variant

  void add_mesh(const Mesh& m, const Score& s) {
    auto [it, fresh] = mesh_best.try_emplace(m, s);
    if (!fresh && s < it->second) it->second = s;
  }

  void add(const Score& s) {
    if (top.size() == k && !(s < top.back())) return;
    top.insert(std::upper_bound(top.begin(), top.end(), s), s);
    if (top.size() > k) top.pop_back();
  }
  // Kept when nothing before it in (memory up, tokens/s down, id up) order is as fast.
  void add_front(const FrontPoint& p) {
    const auto before = [](const FrontPoint& a, const FrontPoint& b) {
      if (a.memory != b.memory) return a.memory < b.memory;
      if (a.tokens_per_s != b.tokens_per_s) return a.tokens_per_s > b.tokens_per_s;
      return a.id < b.id;
    };
    auto it = std::lower_bound(front.begin(), front.end(), p, before);
    if (it != front.begin() && std::prev(it)->tokens_per_s >= p.tokens_per_s) return;
    auto end = it;
    while (end != front.end() && end->tokens_per_s <= p.tokens_per_s) ++end;
    it = front.erase(it, end);
    front.insert(it, p);
  }
  void join(const Partial& o) {
    for (const auto& s : o.top) add(s);
    for (const auto& p : o.front) add_front(p);
    timed += o.timed;
    feasible += o.feasible;
    ranked += o.ranked;
    better_than_reference += o.better_than_reference;
    for (const auto& [m, sc] : o.mesh_best) add_mesh(m, sc);
  }
};

constexpr std::array<Recompute, 3> kRecompute{Recompute::kNone, Recompute::kSelective, Recompute::kFull};
constexpr std::uint64_t kOrderSlots = 128;  // > 120 orders of five axes

bool is_fixed(const SearchOptions& o, const char* field) { return o.fixed.count(field) > 0; }

// The value a searched field has in a layout, as the run spec writes it.
std::string field_text(const Layout& l, const std::string& field) {
  if (field == "tp") return std::to_string(l.tp);
  if (field == "pp") return std::to_string(l.pp);
  if (field == "vpp") return std::to_string(l.vpp);
  if (field == "dp") return std::to_string(l.dp);
  if (field == "cp") return std::to_string(l.cp);
  if (field == "ep") return std::to_string(l.ep);
  if (field == "etp") return std::to_string(l.expert_tp());
  if (field == "micro_batch") return std::to_string(l.micro_batch);
  if (field == "recompute") return training::recompute_name(l.recompute);
  if (field == "zero") return std::to_string(l.zero);
  if (field == "order") return training::axis_order_name(l.order);
  if (field == "sequence_parallel") return l.sp() ? "true" : "false";
  if (field == "trim_edge_stages") return l.trim_edge_stages ? "true" : "false";
  return {};
}

std::string gib(double bytes) { return fmt::format("{:.1f} GiB", bytes / (1024.0 * 1024.0 * 1024.0)); }

}  // namespace

const std::vector<std::string>& objective_names() {
  static const std::vector<std::string> names{"throughput", "memory", "cost"};
  return names;
}

std::optional<Objective> parse_objective(std::string_view name) {
  if (name == "throughput") return Objective::kThroughput;
  if (name == "memory") return Objective::kMemory;
  if (name == "cost") return Objective::kCost;
  return std::nullopt;
}

const char* objective_name(Objective o) {
  switch (o) {
    case Objective::kThroughput: return "throughput";
    case Objective::kMemory: return "memory";
    case Objective::kCost: return "cost";
  }
  return "throughput";
}

const std::vector<std::string>& searched_fields() {
  static const std::vector<std::string> fields{"tp",        "pp",   "vpp",   "dp",
                                               "cp",        "ep",   "etp",   "micro_batch",
                                               "recompute", "zero", "order", "sequence_parallel",
                                               "trim_edge_stages"};
  return fields;
}

std::vector<std::pair<std::string, std::string>> parse_reference(std::string_view text, std::string_view flag) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t start = 0;
  const std::string expected = "field=value pairs joined by ',' over the searched fields (tp, pp, vpp, dp, cp, ep, etp, "
                               "micro_batch, recompute, zero, order, sequence_parallel, trim_edge_stages), e.g. tp=8,pp=16";
  while (start <= text.size()) {
    const auto end = std::min(text.find(',', start), text.size());
    const auto pair = text.substr(start, end - start);
    const auto eq = pair.find('=');
    const std::string key(pair.substr(0, eq));
    if (eq == std::string_view::npos || eq + 1 == pair.size() ||
        std::find(searched_fields().begin(), searched_fields().end(), key) == searched_fields().end())
      throw core::Error::flag(std::string(flag), std::string(text), expected);
    out.emplace_back(key, std::string(pair.substr(eq + 1)));
    start = end + 1;
  }
  return out;
}

namespace {

// TP's ranks are consecutive: no axis that takes rank space comes before it in the order.
bool tp_is_innermost(const training::AxisOrder& order, const training::Layout& l) {
  for (training::Axis a : order) {
    if (a == training::Axis::kTp) return true;
    const long long size = a == training::Axis::kCp   ? l.cp
                           : a == training::Axis::kDp ? std::max(1, l.dp)
                           : a == training::Axis::kPp ? l.pp
                                                      : 1;  // EP takes no rank space
    if (size > 1) return false;
  }
  return true;
}

}  // namespace

bool interleaving_is_even(long long layers, int pp, int vpp, bool trim_edge_stages) {
  if (vpp <= 1) return true;
  const long long chunks = static_cast<long long>(pp) * vpp;
  return (layers + (trim_edge_stages ? 2 : 0)) % chunks == 0;
}

SearchResult search_layouts(const scenario::Session& session, const scenario::Scenario& scenario,
                            const SearchOptions& options) {
  const bool vpp_fixed = is_fixed(options, "vpp");
  const auto started = std::chrono::steady_clock::now();
  for (const auto& f : options.fixed)
    if (std::find(searched_fields().begin(), searched_fields().end(), f) == searched_fields().end())
      throw core::Error("search: fixed field '" + f + "' is not a searched run-spec field");
  if (options.top == 0) throw core::Error::flag("--top", "0", "a positive number of results");
  if (!(options.max_memory_fraction > 0 && options.max_memory_fraction <= 1))
    throw core::Error::flag("--max-memory-fraction", fmt::format("{}", options.max_memory_fraction),
                            "a fraction in (0, 1]");

  const auto arch = scenario::resolve_architecture(session, scenario);
  const auto system = scenario::resolve_system(session, scenario);
  const auto model = session.step_model(arch, system);
  // The stack and the precision flags change what fits and how fast: prune and rank under them.
  const Layout base = scenario::effective_layout(session, scenario);
  const double capacity = system->chip().memory().capacity_bytes();
  const double limit = options.max_memory_fraction * capacity;

  SearchResult result;
  result.objective = options.objective;
  result.max_memory_fraction = options.max_memory_fraction;
  // The names every result runs under (as scenario::evaluate gives them).
  result.best.scenario = scenario.name;
  result.best.model = arch->name;
  result.best.system = system->name();
  result.best.hardware = system->label();
  result.best.derived = system->chip().spec().derived;
  result.best.derived.insert(result.best.derived.end(), system->spec().derived.begin(), system->spec().derived.end());
  result.best.uncalibrated = scenario::uncalibrated_parameters(*system);

  // Value lists: the given value for a fixed field, else every value within the bounds.
  const long long gpus = base.gpus;
  const bool moe = arch->moe.is_moe();
  std::vector<std::uint8_t> recomputes, zeros;
  if (is_fixed(options, "recompute")) {
    recomputes.push_back(static_cast<std::uint8_t>(base.recompute));
  } else {
    for (auto r : kRecompute) recomputes.push_back(static_cast<std::uint8_t>(r));
  }
  if (is_fixed(options, "zero")) {
    zeros.push_back(static_cast<std::uint8_t>(base.zero));
  } else {
    zeros = {0, 1, 2, 3};
  }
  const std::size_t combos = recomputes.size() * zeros.size();

  // Distinct placement orders per (tp, cp, dp, pp, ep > 1): what they depend on (space.hpp).
  std::map<std::array<long long, 5>, std::uint32_t> order_index;
  std::vector<std::vector<training::AxisOrder>> order_lists;
  const int domain = model->collectives().domain_size(), per_node = model->collectives().chips_per_node();
  const auto layout_of = [&](const Skeleton& k, std::uint8_t recompute, std::uint8_t zero) {
    Layout l = base;
    l.tp = k.tp;
    l.pp = k.pp;
    l.vpp = k.vpp;
    l.cp = k.cp;
    l.dp = k.dp;
    l.ep = k.ep;
    l.etp = k.etp;
    l.micro_batch = k.micro_batch;
    l.trim_edge_stages = k.trim;
    l.sequence_parallel = k.sp;
    l.recompute = static_cast<Recompute>(recompute);
    l.zero = zero;
    return l;
  };
  const auto orders_of = [&](const Skeleton& k) -> const std::vector<training::AxisOrder>& {
    return order_lists[k.orders];
  };

  tbb::task_arena arena(options.threads > 0 ? static_cast<int>(options.threads) : tbb::task_arena::automatic);
  const auto stopped = [&] { return options.stop && options.stop->load(std::memory_order_relaxed); };

  // Phases 2 and 3 run on blocks of the grid as it is generated, so only legal skeletons are
  // kept. Phase 2 (parallel): structure (check_layout, once per skeleton: legality does not
  // depend on recompute or ZeRO; the tests hold that) and the memory pre-check of every
  // (recompute, ZeRO) choice. Phase 3 (serial, in grid order): counts, candidates, shapes.
  std::vector<Skeleton> skeletons;  // the legal ones
  std::vector<Candidate> candidates;
  std::map<std::array<long long, 6>, std::uint32_t> shape_index;
  std::vector<Layout> shape_layouts;
  double least = std::numeric_limits<double>::infinity();
  std::optional<Skeleton> first_illegal;
  std::uint64_t items = 0;
  std::vector<Skeleton> block;
  std::vector<std::uint16_t> fits;
  std::vector<char> illegal;
  std::vector<double> least_need;
  const auto flush = [&] {
    if (stopped()) return block.clear();  // Ctrl-C: what is counted so far stands
    const std::size_t n = block.size();
    fits.assign(n, 0);
    illegal.assign(n, 0);
    least_need.assign(n, std::numeric_limits<double>::infinity());
    arena.execute([&] {
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n), [&](const tbb::blocked_range<std::size_t>& r) {
        for (std::size_t s = r.begin(); s != r.end(); ++s) {
          Layout l = layout_of(block[s], recomputes[0], zeros[0]);
          if ((!vpp_fixed && !interleaving_is_even(arch->layers, l.pp, l.vpp, l.trim_edge_stages)) ||
              !model->check_layout(l).empty()) {
            illegal[s] = 1;
            continue;
          }
          // check_layout does not read recompute or ZeRO (the tests hold it), so the resolved
          // layout is checked once and only its memory is taken per choice.
          for (std::size_t c = 0; c < combos; ++c) {
            l.recompute = static_cast<Recompute>(recomputes[c / zeros.size()]);
            l.zero = zeros[c % zeros.size()];
            const double need = model->memory_of_checked(l).total();
            if (need <= limit) {
              fits[s] |= static_cast<std::uint16_t>(1u << c);
            } else {
              least_need[s] = std::min(least_need[s], need);
            }
          }
        }
      });
    });
    for (std::size_t s = 0; s < n; ++s) {
      const std::size_t orders = order_lists[block[s].orders].size();
      result.enumerated += combos * orders;
      least = std::min(least, least_need[s]);
      if (illegal[s]) {
        result.pruned_structure += combos * orders;
        if (!first_illegal) first_illegal = block[s];
        continue;
      }
      const auto kept = static_cast<std::uint32_t>(skeletons.size());
      skeletons.push_back(block[s]);
      for (std::size_t c = 0; c < combos; ++c) {
        const auto bit = static_cast<std::uint16_t>(1u << c);
        if (!(fits[s] & bit)) {
          result.pruned_memory += orders;
        } else {
          Candidate cand;
          cand.skeleton = kept;
          cand.recompute = recomputes[c / zeros.size()];
          cand.zero = zeros[c % zeros.size()];
          const Layout l = layout_of(block[s], cand.recompute, cand.zero);
          const std::array<long long, 6> key{l.tp, l.cp, l.ep, l.expert_tp(), l.sp() ? 1 : 0, l.micro_batch};
          auto [it, inserted] = shape_index.emplace(key, static_cast<std::uint32_t>(shape_layouts.size()));
          if (inserted) shape_layouts.push_back(l);
          cand.shape = it->second;
          candidates.push_back(cand);
          items += orders;
        }
      }
    }
    block.clear();
  };
  constexpr std::size_t kBlock = 1 << 16;

  // Phase 1 (serial, cheap): the structural grid. A fixed field keeps its given value; a field
  // the model has no use for (ep, etp on a dense model; sp at tp 1) keeps the scenario's.
  const auto range = [](long long lo, long long hi) {
    std::vector<long long> v;
    for (long long i = lo; i <= hi; ++i) v.push_back(i);
    return v;
  };
  const auto pick = [&](const char* field, long long given, bool applies, std::vector<long long> all) {
    return is_fixed(options, field) || !applies ? std::vector<long long>{given} : all;
  };
  const auto quotient = [](long long a, long long b) { return b > 0 && a % b == 0 ? a / b : 1; };
  const bool fixed_dp = is_fixed(options, "dp");
  for (long long tp : pick("tp", base.tp, true, divisors(gpus, std::max<long long>(1, arch->heads)))) {
    const long long after_tp = quotient(gpus, tp);
    for (long long cp : pick("cp", base.cp, true, divisors(after_tp, base.seq_len))) {
      const long long after_cp = quotient(after_tp, cp);
      std::vector<long long> pps;
      if (fixed_dp && !is_fixed(options, "pp")) {
        pps = {quotient(after_cp, std::max(1, base.dp))};
      } else {
        pps = pick("pp", base.pp, true, divisors(after_cp, arch->layers + 2));
      }
      for (long long pp : pps) {
        const long long dp = fixed_dp ? base.dp : quotient(after_cp, pp);
        const long long per_replica = std::max<long long>(1, base.global_batch / std::max<long long>(1, dp));
        const auto vpps = pick("vpp", base.vpp, pp > 1, range(1, std::max<long long>(1, (arch->layers + 2) / pp)));
        const auto trims = pick("trim_edge_stages", base.trim_edge_stages, pp > 1, {0, 1});
        const auto eps = pick("ep", base.ep, moe, divisors(dp * cp, arch->moe.num_experts));
        std::vector<long long> etps{0};
        for (long long d : divisors(tp, tp - 1)) etps.push_back(d);
        const auto etps_used = pick("etp", base.etp, moe, etps);
        const auto sps = pick("sequence_parallel", base.sequence_parallel, tp > 1, {1, 0});
        const auto mbs = pick("micro_batch", base.micro_batch, true,
                              base.global_batch % std::max<long long>(1, dp) == 0 ? divisors(per_replica, per_replica)
                                                                                   : std::vector<long long>{1});
        for (long long vpp : vpps)
          for (long long trim : trims)
            for (long long ep : eps)
              for (long long etp : etps_used)
                for (long long sp : sps)
                  for (long long mb : mbs) {
                    Skeleton k;
                    k.tp = static_cast<int>(tp);
                    k.pp = static_cast<int>(pp);
                    k.vpp = static_cast<int>(vpp);
                    k.cp = static_cast<int>(cp);
                    k.dp = fixed_dp ? base.dp : 0;
                    k.ep = static_cast<int>(ep);
                    k.etp = static_cast<int>(etp);
                    k.micro_batch = mb;
                    k.trim = trim != 0;
                    k.sp = sp != 0;
                    const std::array<long long, 5> key{tp, cp, dp, pp, ep > 1 ? 1 : 0};
                    auto [it, inserted] = order_index.emplace(key, static_cast<std::uint32_t>(order_lists.size()));
                    if (inserted) {
                      if (is_fixed(options, "order")) {
                        order_lists.push_back({base.order});
                      } else {
                        Layout probe = base;
                        probe.tp = k.tp;
                        probe.pp = k.pp;
                        probe.cp = k.cp;
                        probe.ep = k.ep;
                        probe.dp = static_cast<int>(dp);
                        auto placements = distinct_placements(probe, distinct_orders(probe), domain, per_node);
                        if (options.tp_innermost && probe.tp > 1) std::erase_if(placements, [&](const auto& o) {
                          return !tp_is_innermost(o, probe);
                        });
                        order_lists.push_back(std::move(placements));
                      }
                    }
                    k.orders = it->second;
                    block.push_back(k);
                    if (block.size() == kBlock) flush();
                  }
      }
    }
  }
  flush();

  // Phase 4: the layer costs of each shape, once. A shape the operator inventory rejects (a tp
  // check_layout accepts but the MLP width does not divide) prunes its layouts as structure.
  std::vector<const training::ShapeCosts*> shape_costs(shape_layouts.size(), nullptr);
  std::vector<std::string> shape_errors(shape_layouts.size());
  arena.execute([&] {
    tbb::parallel_for(std::size_t{0}, shape_layouts.size(), [&](std::size_t i) {
      if (stopped()) return;
      try {
        shape_costs[i] = &model->shape_costs(shape_layouts[i]);
      } catch (const core::Error& e) {
        shape_errors[i] = e.what();
      }
    });
  });
  std::string shape_error;
  {
    std::vector<Candidate> kept;
    kept.reserve(candidates.size());
    for (const auto& cand : candidates) {
      if (shape_costs[cand.shape]) {
        kept.push_back(cand);
        continue;
      }
      const std::size_t orders = orders_of(skeletons[cand.skeleton]).size();
      if (shape_errors[cand.shape].empty()) {  // not reached: interrupted
        items -= orders;
        continue;
      }
      result.pruned_structure += orders;
      items -= orders;
      if (shape_error.empty()) shape_error = shape_errors[cand.shape];
    }
    candidates.swap(kept);
  }

  // Phase 5: time every candidate in every placement order, keeping the best K (and the frontier).
  const auto score = [&](const training::StepResult& r, std::uint64_t id) {
    Score s;
    s.id = id;
    const double mem = r.memory.total();
    switch (options.objective) {
      case Objective::kThroughput: s.primary = -r.tokens_per_s; s.secondary = mem; break;
      case Objective::kMemory: s.primary = mem; s.secondary = -r.tokens_per_s; break;
      case Objective::kCost: s.primary = static_cast<double>(gpus) / r.tokens_per_s; s.secondary = mem; break;
    }
    return s;
  };
  // The reference's best score first (its candidates only), so the main pass can count what beats it.
  const auto matches = [&](const Layout& l) {
    for (const auto& [field, value] : options.reference)
      if (field_text(l, field) != value) return false;
    return true;
  };
  std::optional<Score> reference;
  if (!options.reference.empty()) {
    for (std::size_t i = 0; i < candidates.size() && !stopped(); ++i) {
      const Candidate& cand = candidates[i];
      Layout l = layout_of(skeletons[cand.skeleton], cand.recompute, cand.zero);
      const auto& orders = orders_of(skeletons[cand.skeleton]);
      for (std::size_t o = 0; o < orders.size(); ++o) {
        l.order = orders[o];
        Layout resolved = l;  // with dp resolved
        model->check_layout(resolved);
        if (!matches(resolved)) continue;
        const training::StepResult step = model->evaluate(l, *shape_costs[cand.shape]);
        if (!step.feasible || step.memory.total() > limit) continue;
        const Score sc = score(step, static_cast<std::uint64_t>(i) * kOrderSlots + o);
        if (!reference || sc < *reference) reference = sc;
      }
    }
  }
  std::atomic<std::uint64_t> done{0};
  std::mutex progress_mutex;
  const auto report = [&](std::uint64_t now) {
    if (!options.progress) return;
    std::unique_lock lock(progress_mutex, std::try_to_lock);
    if (lock.owns_lock()) options.progress(static_cast<std::size_t>(now), static_cast<std::size_t>(items));
  };
  Partial empty;
  empty.k = options.top;
  empty.pareto = options.pareto;
  const Partial found = arena.execute([&] {
    return tbb::parallel_reduce(
        tbb::blocked_range<std::size_t>(0, candidates.size()), empty,
        [&](const tbb::blocked_range<std::size_t>& r, Partial acc) {
          std::uint64_t local = 0;
          for (std::size_t i = r.begin(); i != r.end(); ++i) {
            if (stopped()) break;
            const Candidate& cand = candidates[i];
            Layout l = layout_of(skeletons[cand.skeleton], cand.recompute, cand.zero);
            Layout checked = l;
            model->check_layout(checked);  // passed in phase 2; resolves dp for the memory and timing
            const training::MemoryBreakdown memory = model->memory_of_checked(checked);
            const auto& orders = orders_of(skeletons[cand.skeleton]);
            // The ranking holds layouts, each at its best placement order (orders that time
            // alike would otherwise fill it with one layout); the frontier takes every point.
            bool any = false;
            Score best_order;
            for (std::size_t o = 0; o < orders.size(); ++o) {
              l.order = checked.order = orders[o];
              const training::StepResult step = model->evaluate(checked, *shape_costs[cand.shape], memory);
              ++acc.timed;
              if (!step.feasible || step.memory.total() > limit) continue;
              ++acc.feasible;
              const std::uint64_t id = static_cast<std::uint64_t>(i) * kOrderSlots + o;
              const Score sc = score(step, id);
              if (!any || sc < best_order) best_order = sc;
              any = true;
              if (acc.pareto) acc.add_front({step.memory.total(), step.tokens_per_s, id});
            }
            if (any) {
              acc.add(best_order);
              acc.add_mesh(mesh_of(l), best_order);
              ++acc.ranked;
              if (reference && best_order < *reference) ++acc.better_than_reference;
            }
            local += orders.size();
          }
          report(done.fetch_add(local) + local);
          return acc;
        },
        [](Partial a, const Partial& b) {
          a.join(b);
          return a;
        });
  });
  result.evaluated = found.timed;
  result.feasible = found.feasible;
  result.interrupted = stopped();
  if (options.progress && !result.interrupted) options.progress(static_cast<std::size_t>(items), static_cast<std::size_t>(items));

  // The winners, evaluated once more through the scenario path for their full records.
  const auto outcome_of = [&](std::uint64_t id) {
    const Candidate& cand = candidates[static_cast<std::size_t>(id / kOrderSlots)];
    scenario::Scenario s = scenario;
    s.architecture = arch;
    s.layout = layout_of(skeletons[cand.skeleton], cand.recompute, cand.zero);
    s.layout.order = orders_of(skeletons[cand.skeleton])[static_cast<std::size_t>(id % kOrderSlots)];
    return scenario::evaluate(session, s);
  };
  const auto gap = [&](const training::StepResult& me, const training::StepResult& best) {
    switch (options.objective) {
      case Objective::kThroughput: return 1.0 - me.tokens_per_s / best.tokens_per_s;
      case Objective::kMemory: return me.memory.total() / best.memory.total() - 1.0;
      case Objective::kCost: return best.tokens_per_s / me.tokens_per_s - 1.0;
    }
    return 0.0;
  };
  for (const auto& sc : found.top) {
    RankedOutcome ranked{outcome_of(sc.id), 0.0};
    const auto& best = result.results.empty() ? ranked.outcome.step : result.results.front().outcome.step;
    ranked.gap_to_best = gap(ranked.outcome.step, best);
    result.results.push_back(std::move(ranked));
  }
  for (const auto& p : found.front) result.pareto.push_back(outcome_of(p.id));
  result.ranked = found.ranked;
  if (reference && !result.results.empty()) {
    RankedOutcome ranked{outcome_of(reference->id), 0.0};
    ranked.gap_to_best = gap(ranked.outcome.step, result.results.front().outcome.step);
    result.reference = std::move(ranked);
    result.reference_rank = found.better_than_reference + 1;
    const Candidate& rc = candidates[static_cast<std::size_t>(reference->id / kOrderSlots)];
    const Mesh own = mesh_of(layout_of(skeletons[rc.skeleton], rc.recompute, rc.zero));
    result.reference_mesh_rank = 1;
    for (const auto& [m, sc] : found.mesh_best) {
      if (m != own && sc < *reference) ++result.reference_mesh_rank;
    }
  }
  result.meshes = found.mesh_best.size();

  if (!result.results.empty()) {
    result.best = result.results.front().outcome;
  } else {
    auto& step = result.best.step;
    step = training::StepResult{};
    step.layout = base;
    step.memory_capacity_bytes = capacity;
    if (result.interrupted) {
      step.reason = "interrupted before any layout was timed";
    } else if (result.enumerated == 0) {
      step.reason = "no layout to search";
    } else if (std::isfinite(least)) {
      step.reason = fmt::format("no layout fits: the smallest legal one needs {} per GPU, over {:.0f}% of {}", gib(least),
                                100.0 * options.max_memory_fraction, gib(capacity));
    } else if (!shape_error.empty()) {
      step.reason = "no legal layout: " + shape_error;
    } else if (first_illegal) {
      Layout l = layout_of(*first_illegal, recomputes[0], zeros[0]);
      step.reason = "no legal layout: " + model->check_layout(l);
    }
  }
  result.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace xpusim::search
