#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cost/collective.hpp"
#include "cost/op_cost.hpp"
#include "hardware/system.hpp"
#include "memory/analytical.hpp"
#include "model/architecture.hpp"
#include "training/layout.hpp"

namespace xpusim::training {

// Bytes per GPU by what holds them.
struct MemoryBreakdown {
  double weights = 0, gradients = 0, optimizer = 0, activations = 0, moe_buffers = 0,
         comm_buffers = 0, reserve = 0;
  double total() const {
    return weights + gradients + optimizer + activations + moe_buffers + comm_buffers + reserve;
  }
};

// Seconds of one step on the critical path, by what they are spent on. Sums to the step time.
struct TimeBreakdown {
  double compute = 0;    // forward + backward kernels of all micro-batches
  double recompute = 0;  // activation recomputation
  double tp_comm = 0, cp_comm = 0, ep_comm = 0, pp_comm = 0, dp_comm = 0;  // exposed only
  double bubble = 0;     // pipeline fill and drain
  double optimizer = 0;
  double other = 0;
  double total() const {
    return compute + recompute + tp_comm + cp_comm + ep_comm + pp_comm + dp_comm + bubble + optimizer + other;
  }
};

struct StageSum;  // per-stage sums, internal to step_model.cpp

// Per-micro-batch cost of one layer type on one GPU (already divided by TP/CP/EP).
struct LayerCost {
  double fwd_s = 0, bwd_s = 0;            // kernels
  double attn_fwd_s = 0, attn_bwd_s = 0;  // the attention core alone (selective recompute, CP overlap)
  double fwd_flops = 0, bwd_flops = 0, attn_fwd_flops = 0;
  double params = 0;         // parameters held by this GPU
  double expert_params = 0;  // of which routed-expert parameters (sharded by EP)
  double fwd_kernels = 0, bwd_kernels = 0;  // kernels launched (operator count)
};

// Layer costs for one (micro-batch shape, TP/SP/CP/EP split, dtype): computed once from the
// operator inventory and the cost model, then reused by every evaluation with that shape.
struct ShapeCosts {
  long long micro_batch = 0, seq_len = 0;
  int tp = 0, cp = 0, ep = 0, etp = 0;
  bool sp = false;
  core::Dtype dtype = core::Dtype::kBf16;
  bool flash = true;
  LayerCost embedding, dense, moe, head;
  bool matches(const Layout& l) const;
};

// Timing of one pipeline stage for one micro-batch (all its chunks), used by the trace.
struct StageTime {
  double fwd_s = 0, bwd_s = 0;      // including exposed TP/CP/EP communication and recompute
  double comm_fwd_s = 0, comm_bwd_s = 0;  // of which communication (TP+CP+EP), for the comm track
  double layers = 0;
};

// Prediction for one layout.
struct StepResult {
  bool feasible = false;
  std::string reason;  // empty when feasible
  Layout layout;       // with dp resolved
  long long microbatches = 0;
  double step_time_s = 0, tokens_per_s = 0;
  double model_flops = 0, hardware_flops = 0;  // per step, whole job
  double model_tflops_per_gpu = 0, hardware_tflops_per_gpu = 0, mfu = 0, hfu = 0;
  double memory_capacity_bytes = 0;
  MemoryBreakdown memory;
  TimeBreakdown time;
  double stage_fwd_s = 0, stage_bwd_s = 0, p2p_s = 0;  // slowest stage, per micro-batch
  double dp_reduce_s = 0, dp_gather_s = 0;             // whole collectives before overlap
  bool micro_batch_auto = false;  // layout.micro_batch was chosen (the fastest that fits)
};

// Parameters one GPU holds of one layer type (already divided by TP and EP).
struct LayerParams {
  double params = 0;         // all parameters of the layer on this GPU
  double expert_params = 0;  // of which routed-expert parameters (sharded by EP)
};

// Parameters per GPU of the four layer types under a TP/EP/expert-TP split.
struct ParamSplit {
  LayerParams embedding, dense, moe, head;
};

// The parameter counts the operator inventory gives for `tp`/`ep`/`etp` (what ShapeCosts records
// in LayerCost::params), computed from the architecture alone: no inventory, no cost model.
// Contract: equal to the inventory's forward-op params for every tp/ep/etp the inventory accepts
// (etp 0: expert TP = tp).
ParamSplit param_split(const model::Architecture& arch, int tp, int ep, int etp = 0);

// Result of the memory pre-check of one layout.
struct MemoryFit {
  bool fits = false;
  std::string reason;     // empty when it fits: the structural or the memory reason otherwise
  MemoryBreakdown memory;  // zero when the layout fails its structural check
  Layout layout;           // with dp resolved
};

// Calibration parameters of the training layer (system scope).
hardware::CalibrationSchema calibration_schema();

// Predicts step time, throughput and memory of a model on a system for any parallel layout.
// Contract: evaluate() never throws for a layout that does not fit or divide; it returns
// feasible=false with the reason. Every member is const and safe to call from many threads at
// once on one StepModel (the shape-cost cache is internal and synchronised). evaluate(layout,
// costs) is allocation-free when feasible and costs match the layout (see shape_costs).
// check_memory(l) gives exactly evaluate(l).memory and fits == evaluate(l).feasible, without
// operator costs or collectives, so a search can prune layouts before timing them; it never
// throws.
class StepModel {
 public:
  // `timings` (the HBM timing sets) lets memory-bound kernels use the analytical HBM model the
  // chip's hbm_fabric_efficiency was fitted with; without it a flat stream efficiency is used.
  StepModel(model::Architecture arch, std::shared_ptr<const hardware::System> system,
            const memory::TimingCatalog* timings = nullptr);
  // Shares one cost model between StepModels (one per chip in a session). `cost` must be built
  // for system->chip(): CostModel keeps a raw pointer to its chip, which `system` keeps alive.
  StepModel(model::Architecture arch, std::shared_ptr<const hardware::System> system,
            std::shared_ptr<const cost::CostModel> cost);
  ~StepModel();
  StepModel(StepModel&&) noexcept;
  StepModel& operator=(StepModel&&) noexcept;

  // Builds (or finds in the cache) the layer costs for the layout's micro-batch shape. The
  // reference stays valid for the StepModel's lifetime.
  const ShapeCosts& shape_costs(const Layout& layout) const;
  ShapeCosts compute_shape_costs(const Layout& layout) const;

  StepResult evaluate(const Layout& layout) const;
  StepResult evaluate(const Layout& layout, const ShapeCosts& costs) const;
  // The same for a layout check_layout already passed and resolved, with its memory given
  // (memory_of_checked of it): a search times one checked layout in several placement orders, and
  // neither the check nor the memory depends on the order.
  StepResult evaluate(const Layout& layout, const ShapeCosts& costs, const MemoryBreakdown& memory) const;
  // Structural check and memory accounting only (see the class contract).
  MemoryFit check_memory(const Layout& layout) const;
  // check_memory's breakdown for a layout check_layout already passed (and resolved), without the
  // check and the reason text: what a search needs for each (recompute, ZeRO) choice of a layout.
  MemoryBreakdown memory_of_checked(const Layout& checked) const;
  // Per-stage timings of a feasible layout (for the trace), one entry per pipeline stage.
  std::vector<StageTime> stage_times(const Layout& layout, const ShapeCosts& costs) const;

  // Structural checks only (divisibility, sizes against the machine, the pipeline split); empty
  // when fine. Resolves dp (0: derived) and an auto micro-batch (0) to 1, the least memory.
  std::string check_layout(Layout& layout) const;
  // Decoder layers per pipeline stage (all its chunks) as the layout splits them; empty when the
  // layout fails check_layout.
  std::vector<int> stage_layers(const Layout& layout) const;

  const model::Architecture& architecture() const { return arch_; }
  const hardware::System& system() const { return *system_; }
  const cost::CostModel& cost_model() const { return *cost_; }
  const cost::CollectiveModel& collectives() const { return coll_; }

 private:
  struct Groups;
  struct LayerSet;
  struct Stages;
  struct StageParams;
  // Decoder layers of each pipeline chunk as (dense, MoE) counts, [stage * vpp + v], the doubles
  // stage_sum, stage_params and the memory walk add; and per stage the first stage whose chunks
  // are the same (itself for the edge stages, which also hold the embedding and the head).
  struct ChunkCounts {
    std::uint64_t model = 0;
    int pp = 0, vpp = 0;
    bool trim = false, has_given = false;
    std::vector<int> given;  // the layout's pipeline_layers
    std::vector<std::array<double, 2>> chunks;
    std::vector<int> same_as;
  };
  const ChunkCounts& chunk_counts(const Layout& l) const;  // needs a layout past split_error
  class ShapeCache;
  class GemmMemo;
  void init();
  // The stages of evaluate(layout, costs), in the order of the step they model.
  Groups place_groups(const Layout& l) const;
  LayerSet layer_set(const Layout& l, const ShapeCosts& c, const Groups& g) const;
  StageSum stage_sum(const Layout& l, const ShapeCosts& c, const LayerSet& t, int stage) const;
  Stages pipeline_stages(const Layout& l, const ShapeCosts& c, const Groups& g) const;
  void pipeline_time(const Layout& l, const Groups& g, const Stages& s, StepResult& r) const;
  void data_parallel_time(const Layout& l, const Groups& g, const Stages& s, StepResult& r) const;
  void optimizer_time(const Layout& l, const Groups& g, const Stages& s, StepResult& r) const;
  void throughput(const Layout& l, StepResult& r) const;
  StageParams stage_params(const Layout& l, const ParamSplit& p, int stage) const;
  MemoryBreakdown memory_per_gpu(const Layout& l, const ParamSplit& split) const;
  bool edge_split(const Layout& l) const;
  void chunk_range(const Layout& l, long long chunk, long long& begin, long long& size) const;
  std::string split_error(const Layout& l) const;
  StepResult evaluate_fixed(const Layout& layout) const;
  StepResult evaluate_with(const Layout& layout, const ShapeCosts& costs, const MemoryBreakdown* memory) const;
  std::string memory_reason(const MemoryBreakdown& m) const;

  double unfused_attention_s(const model::AttentionShape& a, bool backward) const;
  double fp8_cast_s(const model::Op& op, core::Dtype dtype) const;

  model::Architecture arch_;
  std::shared_ptr<const hardware::System> system_;
  std::shared_ptr<const cost::CostModel> cost_;  // for system_->chip()
  cost::CollectiveModel coll_;
  std::unique_ptr<ShapeCache> cache_;  // behind a pointer so StepModel stays movable
  std::unique_ptr<GemmMemo> gemm_memo_;
  std::vector<int> moe_prefix_;  // moe_prefix_[i] = MoE layers among the first i
  double memory_reserve_ = 0;
  double clock_fraction_ = 1;    // sustained_clock_fraction: matmul times are divided by it
  double capacity_ = 0;
  double matmul_params_ = 0;     // active parameters that take part in matmuls (no input embedding)
  double attn_dims_ = 0;         // heads * (qk head dim + v head dim), for attention FLOPs
  bool dropout_ = false;
  std::uint64_t id_ = 0;  // unique per model built: keys the per-thread memory caches
};

// The fastest feasible result among candidate layouts; feasible == false when none fits.
StepResult fastest_feasible(const StepModel& model, const std::vector<Layout>& candidates);

}  // namespace xpusim::training
