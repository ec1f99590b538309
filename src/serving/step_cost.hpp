#pragma once

#include <limits>
#include <string>
#include <vector>

#include "core/dtype.hpp"
#include "cost/collective.hpp"
#include "cost/op_cost.hpp"
#include "model/architecture.hpp"
#include "serving/engine.hpp"

namespace xpusim::serving {

// Weight storage: bf16/fp16 (16-bit GEMMs), fp8 (W8A8 on fp8 tensor cores), int8/int4
// (weight-only: 16-bit math, weights streamed at 1 or 0.5 bytes).
enum class WeightFormat { kBf16, kFp8, kInt8, kInt4 };
WeightFormat parse_weight_format(const std::string& text, const std::string& flag);  // throws core::Error
const char* weight_format_name(WeightFormat w);
double weight_format_bytes(WeightFormat w);

// How one model replica is laid out and stored.
struct Placement {
  int tp = 1, pp = 1, ep = 1;
  WeightFormat weights = WeightFormat::kBf16;
  double kv_bytes = 2;  // bytes per cached element (bf16 2, fp8 1)
};

// What one engine iteration computes: prefill chunks and decode tokens of the running batch.
struct StepShape {
  long long prefill_tokens = 0;  // new prompt tokens this iteration, all chunks
  int prefill_chunks = 0;
  double prefill_pairs = 0;      // causal (query, key) pairs of the chunks, summed
  int decode_seqs = 0;           // sequences producing tokens this iteration
  long long decode_tokens = 0;   // query tokens of those (1 each; 1 + draft with speculation)
  double decode_context = 0;     // keys read by the decode queries, summed over sequences
  long long tokens() const { return prefill_tokens + decode_tokens; }
  int seqs() const { return prefill_chunks + decode_seqs; }
};

// Time of one engine iteration of one replica from the operator layer: the decoder's GEMMs and
// memory-bound ops at the step's real token count (MoE experts at its routed slots), TP all-reduces
// and EP all-to-alls on the system's links, paged decode attention as a KV read at the actual
// context, prefill attention at its pairs, logits for the sampled tokens, and the engine's
// per-step, per-sequence and per-kernel costs (CUDA graphs replace launch cost by a gap).
// Contract: built once per (model, chip, placement, engine); time() is O(1) after the token
// count's knot is first costed (knots: every count to 64, then 3% apart, interpolated), so one
// instance is not thread-safe (each simulation owns its own). Pipeline stages run one after
// another for a batch (no micro-batch overlap).
class StepCostModel {
 public:
  StepCostModel(const model::Architecture& arch, const cost::CostModel& cost, const cost::CollectiveModel* collectives,
                const Placement& placement, const EngineProfile& engine);

  double time(const StepShape& s) const;
  // Parts (seconds), for traces and tests.
  double dense_time(long long tokens) const;  // decoder GEMMs + memory ops + TP/EP collectives, all layers
  // The same with the engine's efficiencies applied (scaled) or at the cost layer's kernels.
  double dense_part(long long tokens, bool scaled) const;
  double head_time(int seqs) const;           // final norm and logits of the sampled tokens
  double decode_attention_time(double context_tokens, int seqs) const;
  double prefill_attention_time(double pairs, int chunks) const;
  double overhead_time(const StepShape& s) const;

  // Per GPU: weight bytes, KV bytes per cached token, activation peak of a `tokens` forward.
  double weight_bytes() const { return weight_bytes_; }
  double kv_bytes_per_token() const { return kv_bytes_per_token_; }
  double activation_peak_bytes(long long tokens) const;
  const Placement& placement() const { return placement_; }
  const EngineProfile& engine() const { return engine_; }
  EngineProfile& mutable_engine() { return engine_; }  // fitters vary overheads; device costs stay cached
  int kernels_per_step() const { return kernels_per_step_; }
  bool uses_graphs(long long tokens) const;

 private:
  // One operator of a forward at a knot: the cost layer's time (all repeats) and its ideal
  // memory and compute times, so the engine's efficiencies rescale its roofline.
  struct OpTime {
    double time, memory, compute;
    bool fp8;
  };
  struct Knot {
    std::vector<OpTime> ops;
    double fixed = 0;    // EP all-to-alls and PP sends (the collective model's time)
    double dequant = 0;  // weight elements unpacked
    double scaled = std::numeric_limits<double>::quiet_NaN();  // ops at the cached efficiencies
  };
  Knot dense_uncached(long long tokens) const;
  double knot_scaled(Knot& k) const;
  double dense_device(long long tokens, bool scaled, bool dequant) const;
  double head_uncached(long long seqs) const;
  double head_value(long long seqs) const;
  double allreduce_time(double bytes) const;

  const model::Architecture* arch_;
  const cost::CostModel* cost_;
  const cost::CollectiveModel* coll_;
  Placement placement_;
  EngineProfile engine_;
  core::Dtype dtype_ = core::Dtype::kBf16;
  double weight_bytes_ = 0, kv_bytes_per_token_ = 0;
  long long layers_local_ = 0;
  double heads_local_ = 1, kv_heads_local_ = 1, dqk_ = 1, dv_ = 1;
  double decode_bw_ = 1, prefill_rate_ = 1, attn_launch_ = 0;
  int kernels_per_step_ = 0;
  double launch_ = 0;
  mutable std::vector<Knot> dense_cache_;
  mutable std::vector<double> head_cache_;
  mutable double cached_memory_eff_ = 0, cached_compute_eff_ = 0, cached_compute_eff_fp8_ = 0;
  double allreduces_per_step_ = 0;         // TP all-reduces of one forward (all layers)
};

// Knot index of a token count and the count at a knot (shared by the step model's caches).
int token_knot(long long tokens);
long long knot_tokens(int knot);

}  // namespace xpusim::serving
