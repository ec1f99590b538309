#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/dtype.hpp"

namespace xpusim::training {

enum class Recompute { kNone, kSelective, kFull };
const char* recompute_name(Recompute r);  // "none" | "selective" | "full"

// The parallel axes, in the order their ranks are laid out on the machine (first = innermost:
// consecutive ranks, i.e. inside the NVLink domain).
enum class Axis { kTp, kCp, kEp, kDp, kPp };
using AxisOrder = std::array<Axis, 5>;
inline constexpr AxisOrder kDefaultOrder{Axis::kTp, Axis::kCp, Axis::kEp, Axis::kDp, Axis::kPp};
// "tp-cp-ep-dp-pp" -> order; throws core::Error naming `flag` on a bad list.
AxisOrder parse_axis_order(std::string_view text, std::string_view flag);
std::string axis_order_name(const AxisOrder& order);

// What the training framework overlaps; defaults are today's Megatron-Core with its overlap
// options on (overlap_grad_reduce, overlap_param_gather, interleaved p2p overlap).
struct FrameworkOptions {
  bool overlap_grad_reduce = true;   // DP reduce-scatter/all-reduce during the last backward
  bool overlap_param_gather = true;  // distributed-optimizer all-gather during the next forward
  bool overlap_tp_comm = false;      // TP collectives hidden behind GEMMs (userbuffers)
  bool overlap_cp_comm = true;       // ring-attention KV exchange behind attention compute
  bool overlap_p2p = true;           // PP send/recv overlapped in the steady state
  bool p2p_scatter_gather = true;    // PP sends 1/tp of the activation, all-gathered over NVLink
  bool flash_attention = true;       // no s^2 score matrices stored
  bool fused_grad_accumulation = true;  // wgrad GEMMs accumulate into fp32 main grads directly
  double grad_reduce_bytes = 4;      // bytes per gradient element reduced (fp32 main grads)
  // Adam state per parameter: master weights, momentum and variance, 4 bytes each in fp32
  // (ZeRO paper's K = 12); 6 when the optimizer keeps them in bf16 (apex DistributedFusedAdam
  // dtype: bf16, as NeMo's Nemotron-4 340B recipe runs it).
  double optimizer_state_bytes = 12;
};

// The names outputs give the two precisions FrameworkOptions holds ("fp32" or "bf16": stack files
// and flags parse no other).
const char* grad_reduce_name(const FrameworkOptions& f);
const char* optimizer_state_name(const FrameworkOptions& f);

// The software stack's physics (data/stacks/NAME.yaml, training/stack.hpp loads it): what it fuses,
// what its kernels cost beyond the operator model, what it costs per step and what it allocates.
// Defaults are Megatron-Core's (data/stacks/megatron-core.yaml holds the same values, tested), the
// stack every other part of the training model was calibrated with, so a Layout built without
// naming a stack predicts what it did before stacks existed.
struct StackOptions {
  std::string name = "megatron-core";
  // Memory-bound passes over one layer's activation (tokens x hidden, bf16 read + write) that the
  // stack runs as separate kernels beyond the operator inventory's fused ones (bias adds, dropout,
  // residual, casts). Forward count; backward runs twice as many.
  double unfused_passes = 0;
  // Extra bytes moved per logit (tokens x vocab) by an unfused cross-entropy (fp32 upcast,
  // log-softmax written and read back, its gradient), forward + backward.
  double loss_extra_bytes = 0;
  // Host time to issue one kernel; a layer takes at least kernels x this (eager PyTorch is
  // CPU-bound on small layers; CUDA graphs make it ~0).
  double launch_s = 0;
  // Share of compute throughput lost while an overlapped collective runs (NCCL's SMs).
  double comm_sm_share = 0;
  // Per-step fixed cost (data loading, grad-norm and clipping, logging, syncs), seconds.
  double step_overhead_s = 0;
  // Optimizer traffic relative to one fused Adam pass (foreach / unfused kernels re-read state).
  double optimizer_passes = 1;
  // FSDP: layers whose parameters are gathered ahead (0: none, each gather is exposed).
  int fsdp_prefetch = 1;
  // Allocator fragmentation: bytes reserved per byte of activations (caching allocator).
  double activation_fragmentation = 0;
  // Memory the caching allocator holds that the model cannot use, added to the system's reserve
  // (CUDA context, NCCL buffers).
  double allocator_reserve_bytes = 1.5 * 1024.0 * 1024.0 * 1024.0;
  // Bytes kept per logit element for the loss backward (bf16 logits + fp32 softmax = 6).
  double loss_saved_bytes = 6;
  double grad_reduce_bytes = 4;  // gradient reduction precision of the stack by default
  double optimizer_state_bytes = 12;  // Adam state precision of the stack by default (12 fp32, 6 bf16)
  bool tp_comm_overlap = false;  // TP collectives hidden behind GEMMs by default (userbuffers)
  // Time of the stack's attention kernel relative to the FlashAttention-2 kernel the chip's
  // attention calibration was fitted on (1: FA2-class, e.g. cuDNN/TE fused attention; FA1 or
  // Triton flash attention is slower).
  double attention_time_factor = 1;
};

// One training configuration: model-independent layout of the job.
// Contract: sizes are >= 1 (dp == 0 means "derive from gpus"); divisibility against the model and
// the machine is checked by StepModel, which reports an infeasible result, never throws.
struct Layout {
  long long gpus = 1;
  int tp = 1, pp = 1, vpp = 1, dp = 0, cp = 1, ep = 1;
  int etp = 0;  // expert tensor parallel (0: same as tp)
  long long seq_len = 2048;
  long long global_batch = 1;  // sequences per step
  long long micro_batch = 1;   // sequences per micro-batch; 0: StepModel::evaluate picks the fastest that fits
  Recompute recompute = Recompute::kNone;
  int zero = 1;  // 0: plain DP, 1: distributed optimizer, 2: + sharded grads, 3: FSDP (params too)
  bool sequence_parallel = true;  // applies when tp > 1
  bool trim_edge_stages = false;  // split as if embedding and head were layers even when layers divide
  // Decoder layers per pipeline chunk (pp entries, or pp*vpp in chunk order v*pp + s); null: even
  // when layers divide pp*vpp, else Megatron's uneven split (embedding and head counted as a
  // layer each where they sit, so the first and last chunk are lighter). A pointer so that
  // copying a Layout never allocates.
  std::shared_ptr<const std::vector<int>> pipeline_layers;
  core::Dtype dtype = core::Dtype::kBf16;  // GEMM precision (bf16 or fp8)
  AxisOrder order = kDefaultOrder;
  FrameworkOptions framework;
  StackOptions stack;

  bool sp() const { return sequence_parallel && tp > 1; }
  int expert_tp() const { return etp > 0 ? etp : tp; }
};

// A layout of the given sizes with defaults elsewhere (dp 0: derived from gpus).
Layout make_layout(long long gpus, int tp, int pp, int cp, int vpp, long long seq_len, long long global_batch,
                   long long micro_batch);

}  // namespace xpusim::training
