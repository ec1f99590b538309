#pragma once

#include <atomic>
#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/parallel.hpp"
#include "scenario/evaluate.hpp"
#include "scenario/scenario.hpp"
#include "scenario/session.hpp"

namespace xpusim::search {

// What the search ranks by: tokens/s (higher first), memory per GPU (lower first), or cost in
// GPU-seconds per token (lower first; at one GPU count it orders as throughput does, and it is the
// figure to compare across sweep points of different GPU counts or systems).
enum class Objective { kThroughput, kMemory, kCost };
const std::vector<std::string>& objective_names();  // "throughput", "memory", "cost"
std::optional<Objective> parse_objective(std::string_view name);
const char* objective_name(Objective objective);

// The run-spec fields (scenario::training_fields() names) a search varies unless fixed: tp, pp,
// vpp, dp, cp, ep, etp, micro_batch, recompute, zero, order, sequence_parallel, trim_edge_stages.
// Everything else of the scenario (gpus, seq_len, global_batch, dtype, framework options, fields
// the search does not know) is taken as given.
const std::vector<std::string>& searched_fields();

struct SearchOptions {
  // Searched fields whose value in the scenario's layout is kept (given on the command line).
  std::set<std::string> fixed;
  Objective objective = Objective::kThroughput;
  std::size_t top = 10;               // results kept, best first
  double max_memory_fraction = 1.0;   // a layout fits when it needs at most this share of HBM
  bool pareto = false;                // also keep the throughput-memory frontier
  // Keep TP on consecutive ranks (inside the node) when tp > 1, as Megatron-Core, NeMo, DeepSpeed
  // and torchtitan all place it; false also times placements with TP strided across nodes,
  // which no stack offers and whose cost the collective model underrates (docs/search.md).
  bool tp_innermost = true;
  std::size_t threads = 0;            // 0: every core
  const std::atomic<bool>* stop = nullptr;  // when set true, the search ends with what it has
  core::ProgressFn progress;          // (layouts timed, layouts to time)
  // A layout to locate among the results ("where does my layout rank?"): searched field names
  // with values as the run spec writes them ({"tp", "8"}, {"pp", "16"}, {"recompute", "full"});
  // the best layout matching all of them is reported with its rank and gap. Empty: none.
  std::vector<std::pair<std::string, std::string>> reference;
};

// Parses "tp=8,pp=16" into SearchOptions::reference; throws core::Error naming `flag` for an
// unknown field or a malformed pair.
std::vector<std::pair<std::string, std::string>> parse_reference(std::string_view text, std::string_view flag);

// One ranked layout: its evaluation and how far it is from the best, as a fraction: 1 - tokens/s
// over the best's for throughput; memory (or cost) over the best's, minus 1, for memory (cost).
struct RankedOutcome {
  scenario::TrainingOutcome outcome;
  double gap_to_best = 0;
};

// What a search did and found. Counts are of full layouts (every distinct placement order counted):
// enumerated = pruned_structure + pruned_memory + evaluated (+ what an interrupt left untouched).
struct SearchResult {
  std::size_t enumerated = 0;
  std::size_t pruned_structure = 0;  // rejected by StepModel::check_layout or the operator inventory
  std::size_t pruned_memory = 0;     // over max_memory_fraction of HBM by the memory pre-check
  std::size_t evaluated = 0;         // timed
  std::size_t feasible = 0;          // timed and fitting
  std::size_t pruned() const { return pruned_structure + pruned_memory; }
  double elapsed_s = 0;
  bool interrupted = false;
  Objective objective = Objective::kThroughput;
  double max_memory_fraction = 1.0;
  // The names the search ran under (model, system, hardware, derived, uncalibrated); its step is
  // the best result, or infeasible with `reason` when no layout fits.
  scenario::TrainingOutcome best;
  std::vector<RankedOutcome> results;              // best first, at most `top`
  std::vector<scenario::TrainingOutcome> pareto;  // memory ascending, tokens/s ascending
  // The best layout matching SearchOptions::reference, when one was given and one fits: its rank
  // among all ranked layouts (1 = the best), how many were ranked, and its gap. Its mesh rank
  // counts distinct meshes (tp, pp, cp, dp, ep, etp), each at its fastest variant of the other
  // fields (vpp, micro-batch, recompute, ZeRO, order, ...): many variants of one mesh time
  // alike, so "is TP8 PP16 among the best layouts" is a question about meshes.
  std::optional<RankedOutcome> reference;
  std::size_t reference_rank = 0, ranked = 0;
  std::size_t reference_mesh_rank = 0, meshes = 0;
};

// The search times interleaved schedules (vpp > 1) only where every virtual chunk holds the same
// number of layers, as Megatron-Core builds them (get_num_layers_to_build asserts it): the layers,
// plus the embedding and the loss as one each when edge stages are trimmed, divide into pp x vpp
// chunks. Without interleaving any uneven split is timed; a vpp the user fixes is timed as given.
bool interleaving_is_even(long long layers, int pp, int vpp, bool trim_edge_stages);

// Enumerates every layout of the scenario's model, system, GPU count, sequence length and global
// batch over the searched fields that are not fixed; prunes what check_layout rejects and what the
// memory pre-check puts over the memory limit; times the rest in parallel; keeps the top K.
// Contract: const on the session and thread-safe; throws core::Error for bad input (names, options:
// top 0, a memory fraction outside (0, 1], an unknown fixed field); a search that finds nothing is
// a result with best.step.feasible == false and the reason. Results are identical for any thread
// count (ties are broken by enumeration order). Legality is StepModel::check_layout's: the search
// has no divisibility rules of its own, only bounds (tp <= heads, pp*vpp <= layers + 2, cp <=
// seq_len, micro-batch <= sequences per replica) past which no layer, head or sequence is left.
SearchResult search_layouts(const scenario::Session& session, const scenario::Scenario& scenario,
                            const SearchOptions& options);

}  // namespace xpusim::search
