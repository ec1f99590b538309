#pragma once

#include <array>
#include <string>
#include <string_view>

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
  long long micro_batch = 1;   // sequences per micro-batch
  Recompute recompute = Recompute::kNone;
  int zero = 1;  // 0: plain DP, 1: distributed optimizer, 2: + sharded grads, 3: FSDP (params too)
  bool sequence_parallel = true;  // applies when tp > 1
  bool trim_edge_stages = false;  // first and last stage hold one layer fewer (Llama 3 405B)
  core::Dtype dtype = core::Dtype::kBf16;  // GEMM precision (bf16 or fp8)
  AxisOrder order = kDefaultOrder;
  FrameworkOptions framework;

  bool sp() const { return sequence_parallel && tp > 1; }
  int expert_tp() const { return etp > 0 ? etp : tp; }
};

// A layout of the given sizes with defaults elsewhere (dp 0: derived from gpus).
Layout make_layout(long long gpus, int tp, int pp, int cp, int vpp, long long seq_len, long long global_batch,
                   long long micro_batch);

}  // namespace xpusim::training
