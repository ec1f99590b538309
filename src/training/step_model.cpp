#include "training/step_model.hpp"

#include "cost/hbm_model.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include "core/error.hpp"
#include "model/operator.hpp"
#include "training/memory.hpp"

namespace xpusim::training {
namespace {

using cost::Collective;
using hardware::ParamDecl;

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
// Mixed-precision Adam, ZeRO paper (Rajbhandari et al. 2020, Sec. 3.1): 2 bytes of bf16
// weights, 2 of bf16 gradients and K bytes of optimizer state (FrameworkOptions::
// optimizer_state_bytes: 12 for fp32 master weights, momentum and variance).
constexpr double kWeightBytes = 2, kGradBytes = 2;
// Adam step per parameter: read the state and the fp32 main grad, write the state and the bf16
// weight copy (16 and 14 bytes with fp32 state).
constexpr double kAdamGradRead = 4, kAdamWeightWrite = 2;

std::string gib(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f GiB", bytes / kGiB);
  return buf;
}


}  // namespace

// One layer's per-micro-batch times on the critical path of its stage.
struct LayerTimes {
  double compute = 0, recompute = 0, tp = 0, cp = 0, ep = 0;  // fwd + bwd
  double fwd = 0, bwd = 0;                                    // incl. exposed comm and recompute
  double comm_fwd = 0, comm_bwd = 0;
};

hardware::CalibrationSchema calibration_schema() {
  return {
      {"training_memory_reserve", ParamDecl::Scope::kSystem, core::Dimension::kBytes, 1.5 * kGiB,
       "per-GPU memory the job cannot use for the model: CUDA context and NCCL buffers (the caching "
       "allocator's reserve is the software stack's allocator_reserve)"},
      {"sustained_clock_fraction", ParamDecl::Scope::kSystem, core::Dimension::kDimensionless, 1.0,
       "tensor-core throughput a multi-day training job sustains on this system (clock under its "
       "power and thermal limits, every GPU of the job at once), as a fraction of the short kernel "
       "benchmarks the chip's GEMM and attention calibration was fitted on; divides matmul times",
       0.0, 1.0, true},
  };
}

const char* recompute_name(Recompute r) {
  switch (r) {
    case Recompute::kNone: return "none";
    case Recompute::kSelective: return "selective";
    case Recompute::kFull: return "full";
  }
  return "?";
}

bool ShapeCosts::matches(const Layout& l) const {
  return micro_batch == l.micro_batch && seq_len == l.seq_len && tp == l.tp && cp == l.cp &&
         ep == l.ep && etp == l.expert_tp() && sp == l.sp() && dtype == l.dtype &&
         flash == l.framework.flash_attention;
}

struct StepModel::Groups {
  cost::GroupPlacement tp, cp, cp_pair, ep, dp, edp, pp_pair;
};

namespace {

std::shared_ptr<const cost::CostModel> make_cost_model(const hardware::Chip& chip,
                                                       const memory::TimingCatalog* timings) {
  if (timings == nullptr) return std::make_shared<const cost::CostModel>(chip);
  const auto hbm = cost::hbm_model_for(chip, *timings);  // read only while constructing
  return std::make_shared<const cost::CostModel>(chip, &hbm);
}

// What ShapeCosts::matches compares: the micro-batch shape a ShapeCosts is valid for.
struct ShapeKey {
  long long micro_batch = 0, seq_len = 0;
  int tp = 0, cp = 0, ep = 0, etp = 0;
  bool sp = false, flash = true;
  core::Dtype dtype = core::Dtype::kBf16;
  explicit ShapeKey(const Layout& l)
      : micro_batch(l.micro_batch), seq_len(l.seq_len), tp(l.tp), cp(l.cp), ep(l.ep), etp(l.expert_tp()),
        sp(l.sp()), flash(l.framework.flash_attention), dtype(l.dtype) {}
  bool operator==(const ShapeKey&) const = default;
};

struct ShapeKeyHash {
  std::size_t operator()(const ShapeKey& k) const {
    std::size_t h = std::hash<long long>{}(k.micro_batch);
    const auto mix = [&h](std::size_t v) { h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2); };
    mix(std::hash<long long>{}(k.seq_len));
    mix(static_cast<std::size_t>(k.tp) | static_cast<std::size_t>(k.cp) << 16 | static_cast<std::size_t>(k.ep) << 32 |
        static_cast<std::size_t>(k.etp) << 48);
    mix(static_cast<std::size_t>(k.sp) | static_cast<std::size_t>(k.flash) << 1 |
        static_cast<std::size_t>(k.dtype) << 2);
    return h;
  }
};

}  // namespace

// Shape costs by micro-batch shape, filled on demand from many threads. Readers share the lock;
// the map is node-based, so a returned reference stays valid while other threads insert.
class StepModel::ShapeCache {
 public:
  const ShapeCosts* find(const ShapeKey& key) const {
    std::shared_lock lock(mutex_);
    const auto it = map_.find(key);
    return it == map_.end() ? nullptr : &it->second;
  }
  // Keeps the first entry when two threads computed the same shape (their costs are equal).
  const ShapeCosts& insert(const ShapeKey& key, ShapeCosts costs) {
    std::unique_lock lock(mutex_);
    return map_.try_emplace(key, std::move(costs)).first->second;
  }

 private:
  mutable std::shared_mutex mutex_;
  std::unordered_map<ShapeKey, ShapeCosts, ShapeKeyHash> map_;
};

// GEMM times by (shape, dtype), shared by every shape this model costs: shapes that differ only in
// what a GEMM does not see (expert parallelism for the dense GEMMs, micro-batch and context
// parallelism with the same tokens per GPU) reuse them; a search costs ~10^5 shapes. Sharded so
// threads seldom wait; bounded (a shard that fills is emptied: entries are recomputed alike).
class StepModel::GemmMemo {
 public:
  template <class Compute>
  double time_s(const model::GemmShape& g, core::Dtype dtype, Compute compute) {
    const Key key{g.m, g.n, g.k, g.batch, static_cast<int>(dtype)};
    Shard& shard = shards_[KeyHash{}(key) % kShards];
    {
      std::lock_guard lock(shard.mutex);
      if (const auto it = shard.map.find(key); it != shard.map.end()) return it->second;
    }
    const double t = compute();  // outside the lock
    std::lock_guard lock(shard.mutex);
    if (shard.map.size() >= kShardEntries) shard.map.clear();
    shard.map.emplace(key, t);
    return t;
  }

 private:
  struct Key {
    long long m, n, k, batch;
    int dtype;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const {
      std::size_t h = std::hash<long long>{}(k.m);
      const auto mix = [&h](std::size_t v) { h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2); };
      mix(std::hash<long long>{}(k.n));
      mix(std::hash<long long>{}(k.k));
      mix(std::hash<long long>{}(k.batch) ^ static_cast<std::size_t>(k.dtype) << 40);
      return h;
    }
  };
  struct Shard {
    std::mutex mutex;
    std::unordered_map<Key, double, KeyHash> map;
  };
  static constexpr std::size_t kShards = 16, kShardEntries = 1 << 16;
  std::array<Shard, kShards> shards_;
};

StepModel::StepModel(model::Architecture arch, std::shared_ptr<const hardware::System> system,
                     const memory::TimingCatalog* timings)
    : arch_(std::move(arch)),
      system_(std::move(system)),
      cost_(make_cost_model(system_->chip(), timings)),
      coll_(*system_),
      cache_(std::make_unique<ShapeCache>()),
      gemm_memo_(std::make_unique<GemmMemo>()) {
  init();
}

StepModel::StepModel(model::Architecture arch, std::shared_ptr<const hardware::System> system,
                     std::shared_ptr<const cost::CostModel> cost)
    : arch_(std::move(arch)), system_(std::move(system)), cost_(std::move(cost)), coll_(*system_),
      cache_(std::make_unique<ShapeCache>()),
      gemm_memo_(std::make_unique<GemmMemo>()) {
  if (cost_ == nullptr) throw core::InternalError(system_->name() + ": StepModel needs a cost model, got none");
  if (cost_->chip().name() != system_->chip().name())
    throw core::InternalError(system_->name() + ": cost model is for chip " + std::string(cost_->chip().name()) +
                      ", the system has " + std::string(system_->chip().name()));
  init();
}

StepModel::~StepModel() = default;
StepModel::StepModel(StepModel&&) noexcept = default;
StepModel& StepModel::operator=(StepModel&&) noexcept = default;

void StepModel::init() {
  static std::atomic<std::uint64_t> next_id{1};
  id_ = next_id.fetch_add(1, std::memory_order_relaxed);
  moe_prefix_.assign(static_cast<std::size_t>(arch_.layers) + 1, 0);
  for (long long i = 0; i < arch_.layers; ++i)
    moe_prefix_[i + 1] = moe_prefix_[i] + (arch_.is_moe_layer(i) ? 1 : 0);
  memory_reserve_ = system_->calibration().get("training_memory_reserve");
  clock_fraction_ = system_->calibration().get("sustained_clock_fraction");
  if (!(clock_fraction_ > 0.0 && clock_fraction_ <= 1.0))
    throw core::InternalError(system_->name() + ": calibration sustained_clock_fraction outside (0, 1], the schema's range: " +
                      std::to_string(clock_fraction_));
  capacity_ = system_->chip().memory().capacity_bytes();
  // Lookups are not matmuls: position embeddings, and the token table unless it is tied to the
  // LM head (then the head's matmul uses it).
  const double positions = arch_.learned_positions ? static_cast<double>(arch_.max_seq_len * arch_.hidden) : 0.0;
  const double token_table = arch_.tied_embeddings ? 0.0 : static_cast<double>(arch_.vocab * arch_.hidden);
  matmul_params_ = arch_.params_active() - token_table - positions;
  if (arch_.mla.enabled()) {
    attn_dims_ = static_cast<double>(arch_.heads) *
                 (arch_.mla.qk_nope_head_dim + arch_.mla.qk_rope_head_dim + arch_.mla.v_head_dim);
  } else {
    attn_dims_ = static_cast<double>(arch_.heads) * 2.0 * static_cast<double>(arch_.head_dim);
  }
  dropout_ = arch_.model_type == "gpt2";
}

ShapeCosts StepModel::compute_shape_costs(const Layout& l) const {
  ShapeCosts c;
  c.micro_batch = l.micro_batch;
  c.seq_len = l.seq_len;
  c.tp = l.tp;
  c.cp = l.cp;
  c.ep = l.ep;
  c.etp = l.expert_tp();
  c.sp = l.sp();
  c.dtype = l.dtype;
  c.flash = l.framework.flash_attention;
  model::InventoryOptions opt;
  opt.batch = l.micro_batch;
  opt.seq_len = l.seq_len;
  opt.dtype = core::Dtype::kBf16;
  opt.tp = l.tp;
  opt.sequence_parallel = l.sp();
  opt.cp = l.cp;
  opt.ep = l.ep;
  opt.backward = true;
  const auto inv = model::build_inventory(arch_, opt);
  bool have_dense = false, have_moe = false;
  for (const auto& layer : inv.layers) {
    const bool embed = layer.name.find("embed") != std::string::npos;
    const bool head = !embed && layer.name.find("head") != std::string::npos;
    const bool moe = std::any_of(layer.ops.begin(), layer.ops.end(), [](const model::Op& op) {
      return op.kind == model::OpKind::kGroupedGemm || op.kind == model::OpKind::kRouter;
    });
    // Decoder layers of one kind are alike: only the first of each is costed (a 61-layer model
    // costs four layers, not 63, per shape).
    if (!embed && !head && (moe ? have_moe : have_dense)) continue;
    LayerCost lc;
    for (const auto& op : layer.ops) {
      if (op.kind == model::OpKind::kAllToAll) continue;  // costed as a collective on the topology
      const bool matmul = op.kind == model::OpKind::kGemm || op.kind == model::OpKind::kGroupedGemm;
      const bool fwd = op.pass == model::Pass::kForward;
      // Tensor-core kernels (GEMMs, fused attention) run at the sustained clock; the unfused
      // attention scales its own batched GEMMs.
      double t;
      if (op.kind == model::OpKind::kAttention && !l.framework.flash_attention) {
        t = unfused_attention_s(op.attention, !fwd);
      } else {
        t = matmul ? gemm_memo_->time_s(op.gemm, l.dtype, [&] { return cost_->op(op, l.dtype).time_s; })
                   : cost_->op(op, core::Dtype::kBf16).time_s;
        if (matmul || op.kind == model::OpKind::kAttention) t /= clock_fraction_;
      }
      (fwd ? lc.fwd_s : lc.bwd_s) += t + (matmul ? fp8_cast_s(op, l.dtype) : 0.0);
      (fwd ? lc.fwd_flops : lc.bwd_flops) += op.flops;
      (fwd ? lc.fwd_kernels : lc.bwd_kernels) += 1;
      if (op.kind == model::OpKind::kAttention) {
        (fwd ? lc.attn_fwd_s : lc.attn_bwd_s) += t;
        if (fwd) lc.attn_fwd_flops += op.flops;
      }
      if (fwd) {
        lc.params += op.params;
        if (op.kind == model::OpKind::kGroupedGemm) lc.expert_params += op.params;
      }
    }
    if (embed) {
      c.embedding = lc;
    } else if (head) {
      c.head = lc;
    } else if (moe) {
      c.moe = lc;
      have_moe = true;
    } else {
      c.dense = lc;
      have_dense = true;
    }
  }
  return c;
}

// Attention as frameworks ran it before flash attention (Megatron-LM 2021): batched GEMMs for
// Q*K^T and P*V around a fused scale-mask-softmax and a dropout that read and write the full
// score matrices in HBM (the mask is applied, not skipped, so causal saves nothing).
double StepModel::unfused_attention_s(const model::AttentionShape& a, bool backward) const {
  const long long bh = a.batch * a.heads;
  const double scores = static_cast<double>(bh) * static_cast<double>(a.q_len) * static_cast<double>(a.kv_len);
  const auto bf16 = core::Dtype::kBf16;
  const auto gemm = [&](long long m, long long n, long long k) {
    return cost_->gemm(model::GemmShape{m, n, k, bh}, bf16).time_s / clock_fraction_;
  };
  const double drop = dropout_ ? 1.0 : 0.0;
  if (!backward) {
    return gemm(a.q_len, a.kv_len, a.head_dim) + gemm(a.q_len, a.v_head_dim, a.kv_len) +
           cost_->memory_bound(2 * scores, 2 * scores).time_s +                 // softmax
           drop * cost_->memory_bound(2 * scores, 3 * scores).time_s;           // dropout + mask
  }
  return gemm(a.q_len, a.head_dim, a.kv_len) + gemm(a.kv_len, a.head_dim, a.q_len) +   // dQ, dK
         gemm(a.q_len, a.kv_len, a.v_head_dim) + gemm(a.kv_len, a.v_head_dim, a.q_len) +  // dP, dV
         cost_->memory_bound(4 * scores, 2 * scores).time_s +                    // softmax backward
         drop * cost_->memory_bound(3 * scores, 2 * scores).time_s;              // dropout backward
}

// FP8 with current scaling (Transformer Engine): before each GEMM the bf16 activation-side
// operand is read for its amax and read again to be quantised to 1 byte; weights are cast once
// per step and cached, so they are not charged per micro-batch.
double StepModel::fp8_cast_s(const model::Op& op, core::Dtype dtype) const {
  if (dtype != core::Dtype::kFp8) return 0.0;
  const double elems = static_cast<double>(op.gemm.m) * static_cast<double>(op.gemm.k) *
                       static_cast<double>(std::max(1LL, op.gemm.batch));
  return cost_->memory_bound(4.0 * elems, 1.0 * elems).time_s;
}

const ShapeCosts& StepModel::shape_costs(const Layout& layout) const {
  const ShapeKey key(layout);
  if (const ShapeCosts* hit = cache_->find(key)) return *hit;
  // Computed outside the lock: other threads keep reading (and filling other shapes) meanwhile.
  return cache_->insert(key, compute_shape_costs(layout));
}

std::string StepModel::check_layout(Layout& l) const {
  const auto str = [](long long v) { return std::to_string(v); };
  const long long tpc = static_cast<long long>(l.tp) * l.pp * l.cp;
  if (l.dp == 0) {
    if (l.gpus % tpc != 0)
      return "gpus " + str(l.gpus) + " is not divisible by tp*pp*cp = " + str(tpc);
    l.dp = static_cast<int>(l.gpus / tpc);
  } else if (tpc * l.dp != l.gpus) {
    return "tp*pp*cp*dp = " + str(tpc * l.dp) + " does not equal gpus " + str(l.gpus);
  }
  if (l.gpus > system_->max_chips())
    return "gpus " + str(l.gpus) + " exceeds the " + str(system_->max_chips()) + " GPUs of " + system_->name();
  if (arch_.heads % l.tp != 0)
    return "attention heads " + str(arch_.heads) + " are not divisible by tp " + str(l.tp);
  if (arch_.kv_heads % l.tp != 0 && l.tp % arch_.kv_heads != 0)
    return "kv heads " + str(arch_.kv_heads) + " and tp " + str(l.tp) + " do not divide one another";
  if (arch_.ffn > 0 && arch_.ffn % l.tp != 0)  // else the operator inventory would refuse the layout
    return "MLP width (intermediate_size) " + str(arch_.ffn) + " is not divisible by tp " + str(l.tp);
  if (l.vpp > 1 && l.pp == 1) return "interleaved pipeline (vpp " + str(l.vpp) + ") needs pp > 1";
  // On one stage there is no edge to trim: the same layout as without, so not a second one.
  if (l.trim_edge_stages && l.pp < 2) return "trimmed edge stages need pp > 1";
  if (std::string why = split_error(l); !why.empty()) return why;
  if (l.micro_batch == 0) l.micro_batch = 1;  // auto: the structural and memory checks use the least
  if (l.ep > 1) {
    if (!arch_.moe.is_moe()) return "ep " + str(l.ep) + " needs a mixture-of-experts model";
    if (arch_.moe.num_experts % l.ep != 0)
      return "experts " + str(arch_.moe.num_experts) + " are not divisible by ep " + str(l.ep);
    if ((static_cast<long long>(l.dp) * l.cp) % l.ep != 0)
      return "ep " + str(l.ep) + " does not divide dp*cp = " + str(static_cast<long long>(l.dp) * l.cp);
  }
  if (l.expert_tp() > 1 && arch_.moe.is_moe() && arch_.moe.expert_ffn % l.expert_tp() != 0)
    return "expert ffn " + str(arch_.moe.expert_ffn) + " is not divisible by expert tp " + str(l.expert_tp());
  if (l.seq_len % (l.cp > 1 ? 2LL * l.cp : 1LL) != 0)
    return "seq_len " + str(l.seq_len) + " is not divisible by 2*cp = " + str(2LL * l.cp) +
           " (load-balanced ring attention)";
  if (l.sp() && (l.seq_len / l.cp) % l.tp != 0)
    return "sequence parallelism needs seq_len/cp " + str(l.seq_len / l.cp) + " divisible by tp " + str(l.tp);
  const long long per_step = static_cast<long long>(l.dp) * l.micro_batch;
  if (l.global_batch % per_step != 0)
    return "global batch " + str(l.global_batch) + " is not divisible by dp*micro_batch = " + str(per_step);
  const long long m = l.global_batch / per_step;
  if (l.vpp > 1 && m % l.pp != 0)
    return "interleaved schedule needs the " + str(m) + " micro-batches to be a multiple of pp " + str(l.pp);
  if (!system_->chip().supports(l.dtype))
    return std::string(system_->chip().name()) + " has no " + std::string(core::dtype_name(l.dtype)) + " tensor cores";
  return {};
}

// Megatron's uneven split when layers do not divide pp*vpp (Megatron-Core's
// account_for_embedding_in_pipeline_split / account_for_loss_in_pipeline_split): the embedding and
// the head count as one layer each, the layers + 2 units are cut as evenly as the chunks allow
// (the remainder going to the chunks after the first), and the first and last chunk give their
// unit to the embedding and the head. 126 layers on 16: 7, 8 x 14, 7; 61 on 16: 2, 4 x 14, 3.
bool StepModel::edge_split(const Layout& l) const {
  return l.trim_edge_stages || arch_.layers % (static_cast<long long>(l.pp) * l.vpp) != 0;
}

void StepModel::chunk_range(const Layout& l, long long chunk, long long& begin, long long& size) const {
  const long long chunks = static_cast<long long>(l.pp) * l.vpp;
  if (l.pipeline_layers) {
    const auto& v = *l.pipeline_layers;
    const bool per_stage = static_cast<long long>(v.size()) != chunks;  // vpp == 1 then (split_error)
    begin = 0;
    for (long long c = 0; c < chunk; ++c) begin += v[static_cast<std::size_t>(per_stage ? c % l.pp : c)];
    size = v[static_cast<std::size_t>(per_stage ? chunk % l.pp : chunk)];
    return;
  }
  if (!edge_split(l)) {
    size = arch_.layers / chunks;
    begin = chunk * size;
    return;
  }
  const long long units = arch_.layers + 2, q = units / chunks, r = units % chunks;
  const auto units_before = [&](long long c) { return c * q + std::clamp(c - 1, 0LL, r); };
  const long long u_begin = units_before(chunk), u_size = q + (chunk >= 1 && chunk <= r ? 1 : 0);
  begin = chunk == 0 ? 0 : u_begin - 1;
  size = u_size - (chunk == 0 ? 1 : 0) - (chunk == chunks - 1 ? 1 : 0);
}

// Kept per thread for the split last seen: the search evaluates one split many times in a row.
const StepModel::ChunkCounts& StepModel::chunk_counts(const Layout& l) const {
  thread_local ChunkCounts cc;
  const bool given = l.pipeline_layers != nullptr;
  if (cc.model == id_ && cc.pp == l.pp && cc.vpp == l.vpp && cc.trim == l.trim_edge_stages && cc.has_given == given &&
      (!given || *l.pipeline_layers == cc.given))
    return cc;
  cc.model = id_;
  cc.pp = l.pp;
  cc.vpp = l.vpp;
  cc.trim = l.trim_edge_stages;
  cc.has_given = given;
  cc.given = given ? *l.pipeline_layers : std::vector<int>{};
  cc.chunks.assign(static_cast<std::size_t>(l.pp) * l.vpp, {0.0, 0.0});
  cc.same_as.assign(static_cast<std::size_t>(l.pp), 0);
  for (int st = 0; st < l.pp; ++st) {
    for (int v = 0; v < l.vpp; ++v) {
      long long begin = 0, size = 0;
      chunk_range(l, static_cast<long long>(v) * l.pp + st, begin, size);
      const double n_moe = moe_prefix_[begin + size] - moe_prefix_[begin];
      cc.chunks[static_cast<std::size_t>(st) * l.vpp + v] = {static_cast<double>(size) - n_moe, n_moe};
    }
    cc.same_as[static_cast<std::size_t>(st)] = st;
    if (st == 0 || st == l.pp - 1) continue;  // the edges hold the embedding and the head
    const auto own = cc.chunks.begin() + static_cast<std::ptrdiff_t>(st) * l.vpp;
    for (int o = 1; o < st; ++o) {
      if (cc.same_as[static_cast<std::size_t>(o)] != o) continue;
      if (std::equal(own, own + l.vpp, cc.chunks.begin() + static_cast<std::ptrdiff_t>(o) * l.vpp)) {
        cc.same_as[static_cast<std::size_t>(st)] = o;
        break;
      }
    }
  }
  return cc;
}

std::string StepModel::split_error(const Layout& l) const {
  const auto str = [](long long v) { return std::to_string(v); };
  const long long chunks = static_cast<long long>(l.pp) * l.vpp;
  if (l.pipeline_layers) {
    const auto& v = *l.pipeline_layers;
    const auto n = static_cast<long long>(v.size());
    if (n != chunks && !(n == l.pp && l.vpp == 1))
      return "pipeline layers list has " + str(n) + " entries, expected pp*vpp = " + str(chunks);
    long long sum = 0;
    for (int x : v) {
      if (x < 1) return "pipeline layers list has a chunk of " + str(x) + " layers, expected at least 1";
      sum += x;
    }
    if (sum != arch_.layers)
      return "pipeline layers list sums to " + str(sum) + " layers, the model has " + str(arch_.layers);
    return {};
  }
  if (!edge_split(l)) return {};
  for (long long c = 0; c < chunks; ++c) {
    long long begin = 0, size = 0;
    chunk_range(l, c, begin, size);
    // The first chunk may hold only the embedding and the last only the head and loss (Llama 3
    // 405B, Grattafiori et al. 2024 Sec. 3.3.2: 126 layers on 16 stages x 8 chunks); a middle
    // chunk needs a layer.
    const bool edge = c == 0 || c == chunks - 1;
    if (size < (edge && chunks > 1 ? 0 : 1))
      return "layers " + str(arch_.layers) + " on pp*vpp = " + str(chunks) +
             " chunks leave a chunk without layers (the embedding and the head count as one layer each)";
  }
  return {};
}

std::vector<int> StepModel::stage_layers(const Layout& layout) const {
  Layout l = layout;
  std::vector<int> out;
  if (!check_layout(l).empty()) return out;
  out.assign(static_cast<std::size_t>(l.pp), 0);
  for (long long c = 0; c < static_cast<long long>(l.pp) * l.vpp; ++c) {
    long long begin = 0, size = 0;
    chunk_range(l, c, begin, size);
    out[static_cast<std::size_t>(c % l.pp)] += static_cast<int>(size);
  }
  return out;
}

StepModel::Groups StepModel::place_groups(const Layout& l) const {
  // Strides of the rank-space axes (EP is carved out of CP x DP, so it takes no rank space).
  long long stride_tp = 1, stride_cp = 1, stride_dp = 1, stride_pp = 1, running = 1;
  int ep_pos = 0, dp_pos = 0, pos = 0;
  for (Axis a : l.order) {
    switch (a) {
      case Axis::kTp: stride_tp = running; running *= l.tp; break;
      case Axis::kCp: stride_cp = running; running *= l.cp; break;
      case Axis::kDp: stride_dp = running; running *= l.dp; dp_pos = pos; break;
      case Axis::kPp: stride_pp = running; running *= l.pp; break;
      case Axis::kEp: ep_pos = pos; break;
    }
    ++pos;
  }
  Groups g;
  g.tp = coll_.place(l.tp, stride_tp);
  g.cp = coll_.place(l.cp, stride_cp);
  const bool cp_crosses = g.cp.domains() > 1;
  g.cp_pair = {2, cp_crosses ? 1 : 2, cp_crosses ? 2 : 1};
  const long long inner = l.cp > 1 ? std::min(stride_cp, stride_dp) : stride_dp;
  const int dense_dp = l.dp * l.cp;
  g.dp = coll_.place(dense_dp, inner);
  if (l.cp > 1 && l.dp > 1) {
    // The dense DP group spans the cp and dp axes, which need not be adjacent in rank space (tp
    // may sit between them, cp-tp-dp): count its members per domain and its nodes axis by axis,
    // not as one run of dp*cp ranks from the inner stride.
    const auto on_cp = coll_.place(l.cp, stride_cp), on_dp = coll_.place(l.dp, stride_dp);
    g.dp.per_domain = on_cp.per_domain * on_dp.per_domain;
    g.dp.nodes = on_cp.nodes * on_dp.nodes;
  }
  const int edp = std::max(1, dense_dp / std::max(1, l.ep));
  if (ep_pos < dp_pos) {
    g.ep = coll_.place(l.ep, inner);
    g.edp = coll_.place(edp, inner * l.ep);
  } else {
    g.ep = coll_.place(l.ep, inner * edp);
    g.edp = coll_.place(edp, inner);
  }
  const auto pair = coll_.place(2, stride_pp);
  g.pp_pair = pair;
  return g;
}

namespace {

// Exposed communication and recompute of one layer type, per micro-batch.
LayerTimes layer_times(const model::Architecture& a, const Layout& l, const LayerCost& c, bool moe,
                       const cost::CollectiveModel& coll, const cost::GroupPlacement& tp,
                       const cost::GroupPlacement& cp_pair, const cost::GroupPlacement& ep, double grad_accum_s) {
  LayerTimes t;
  const double tokens = static_cast<double>(l.micro_batch) * static_cast<double>(l.seq_len) / l.cp;
  const double act_bytes = tokens * static_cast<double>(a.hidden) * 2.0;
  // TP: two all-reduces per pass (after attention and after the MLP); with SP each becomes an
  // all-gather before and a reduce-scatter after the parallel region, same bytes on the wire.
  double tp_unit = 0;
  if (l.tp > 1) {
    tp_unit = l.sp() ? coll.time_s(Collective::kAllGather, act_bytes, tp) +
                           coll.time_s(Collective::kReduceScatter, act_bytes, tp)
                     : coll.time_s(Collective::kAllReduce, act_bytes, tp);
  }
  const double tp_units = moe ? (1.0 + ((l.expert_tp() > 1 || a.moe.shared_experts > 0) ? 1.0 : 0.0)) : 2.0;
  double tp_fwd = tp_units * tp_unit, tp_bwd = tp_units * tp_unit;
  double tp_hidden = 0;  // overlapped TP traffic: the GEMMs under it lose the SMs it runs on
  if (l.framework.overlap_tp_comm) {
    const double all = tp_fwd + tp_bwd;
    tp_fwd = std::max(0.0, tp_fwd - (c.fwd_s - c.attn_fwd_s));
    tp_bwd = std::max(0.0, tp_bwd - (c.bwd_s - c.attn_bwd_s));
    tp_hidden = all - tp_fwd - tp_bwd;
  }
  // CP: ring attention passes K and V around the cp ranks (cp-1 steps); backward passes K, V
  // and their gradients. Each step hides behind one block of attention when overlapped.
  double cp_fwd = 0, cp_bwd = 0;
  if (l.cp > 1) {
    double kv_dims;
    if (a.mla.enabled()) {
      kv_dims = static_cast<double>(a.heads) * (a.mla.qk_nope_head_dim + a.mla.qk_rope_head_dim + a.mla.v_head_dim) / l.tp;
    } else {
      const double kv_local = std::max(1.0, static_cast<double>(a.kv_heads) / l.tp);
      kv_dims = 2.0 * kv_local * static_cast<double>(a.head_dim);
    }
    const double kv_bytes = tokens * kv_dims * 2.0;
    const double step = coll.time_s(Collective::kSendRecv, kv_bytes, cp_pair);
    cp_fwd = (l.cp - 1) * step;
    cp_bwd = 2.0 * (l.cp - 1) * step;
    if (l.framework.overlap_cp_comm) {
      cp_fwd = std::max(0.0, cp_fwd - c.attn_fwd_s * (l.cp - 1) / l.cp);
      cp_bwd = std::max(0.0, cp_bwd - c.attn_bwd_s * (l.cp - 1) / l.cp);
    }
  }
  // EP: dispatch and combine all-to-all per pass, tokens * top-k hidden vectors.
  double ep_fwd = 0, ep_bwd = 0;
  if (moe && l.ep > 1) {
    const double local_tokens = tokens / (l.sp() ? l.tp : 1);
    const double bytes = local_tokens * a.moe.experts_per_token * static_cast<double>(a.hidden) * 2.0;
    ep_fwd = ep_bwd = 2.0 * coll.time_s(Collective::kAllToAll, bytes, ep);
  }
  double recompute = 0, recompute_comm = 0;
  if (l.recompute == Recompute::kFull) {
    recompute = c.fwd_s;
    recompute_comm = tp_fwd + cp_fwd + ep_fwd;
  } else if (l.recompute == Recompute::kSelective) {
    recompute = c.attn_fwd_s;
  }
  const double sm_loss = l.stack.comm_sm_share * tp_hidden;
  t.compute = c.fwd_s + c.bwd_s + grad_accum_s + sm_loss;
  t.recompute = recompute;
  t.tp = tp_fwd + tp_bwd + (l.recompute == Recompute::kFull ? tp_fwd : 0.0);
  t.cp = cp_fwd + cp_bwd + (l.recompute == Recompute::kFull ? cp_fwd : 0.0);
  t.ep = ep_fwd + ep_bwd + (l.recompute == Recompute::kFull ? ep_fwd : 0.0);
  t.comm_fwd = tp_fwd + cp_fwd + ep_fwd;
  t.comm_bwd = tp_bwd + cp_bwd + ep_bwd + recompute_comm;
  t.fwd = c.fwd_s + t.comm_fwd;
  t.bwd = c.bwd_s + grad_accum_s + recompute + t.comm_bwd + sm_loss;
  return t;
}


}  // namespace

StepResult StepModel::evaluate(const Layout& layout) const {
  if (layout.micro_batch != 0) return evaluate_fixed(layout);
  // Auto micro-batch: every divisor of the per-replica batch, the fastest feasible; when none
  // fits, the result of micro-batch 1 (the least memory) says why.
  Layout l = layout;
  l.micro_batch = 1;
  StepResult best = evaluate_fixed(l);
  if (!best.reason.empty() && best.layout.dp == 0) return best;
  const long long dp = best.layout.dp > 0 ? best.layout.dp : 1;
  const long long local = layout.global_batch / dp;
  for (long long mb = 2; mb <= local; ++mb) {
    if (local % mb != 0) continue;
    l.micro_batch = mb;
    StepResult r = evaluate_fixed(l);
    if (!r.feasible && r.reason.find("needs ") == 0) break;  // larger micro-batches need more memory
    if (r.feasible && (!best.feasible || r.step_time_s < best.step_time_s)) best = std::move(r);
  }
  best.micro_batch_auto = true;
  return best;
}

StepResult StepModel::evaluate_fixed(const Layout& layout) const {
  Layout l = layout;
  const std::string why = check_layout(l);
  if (!why.empty()) {
    StepResult r;
    r.layout = l;
    r.reason = why;
    return r;
  }
  return evaluate(l, shape_costs(l));
}

// Sums of one pipeline stage per micro-batch (all its chunks).
struct StageSum {
  StageTime st;
  double compute = 0, recompute = 0, tp = 0, cp = 0, ep = 0;
  double dense_params = 0, expert_params = 0;
  double dense_layers = 0, moe_layers = 0;
  double edge_units = 0;  // the embedding and the head on this stage (FSDP wraps each as a unit)
  // `moe`: a MoE decoder layer; `decoder`: false for the embedding and the head, which hold
  // parameters and take time but are not counted as transformer layers for activations.
  void add(const LayerTimes& t, const LayerCost& c, double n, bool moe, bool decoder = true) {
    if (n <= 0) return;
    st.fwd_s += n * t.fwd;
    st.bwd_s += n * t.bwd;
    st.comm_fwd_s += n * t.comm_fwd;
    st.comm_bwd_s += n * t.comm_bwd;
    compute += n * t.compute;
    recompute += n * t.recompute;
    tp += n * t.tp;
    cp += n * t.cp;
    ep += n * t.ep;
    dense_params += n * (c.params - c.expert_params);
    expert_params += n * c.expert_params;
    if (decoder) (moe ? moe_layers : dense_layers) += n;
    if (!decoder) edge_units += n;
  }
};

// The four layer types' times of one layout, and the sum over one pipeline stage.
struct StepModel::LayerSet {
  LayerTimes dense, moe, emb, head;
};

StepModel::LayerSet StepModel::layer_set(const Layout& l, const ShapeCosts& c, const Groups& g) const {
  // Without gradient-accumulation fusion (Megatron-LM before 2022) each micro-batch's 2-byte
  // weight gradients are added into the main-gradient buffer (grad_reduce_bytes wide) by a
  // separate memory-bound pass: read 2 + g bytes, write g bytes per parameter.
  const double g_bytes = l.framework.grad_reduce_bytes;
  const auto accum = [&](const LayerCost& lc) {
    return l.framework.fused_grad_accumulation || lc.params <= 0
               ? 0.0
               : cost_->memory_bound((2.0 + g_bytes) * lc.params, g_bytes * lc.params).time_s;
  };
  LayerSet set{layer_times(arch_, l, c.dense, false, coll_, g.tp, g.cp_pair, g.ep, accum(c.dense)),
               layer_times(arch_, l, c.moe, true, coll_, g.tp, g.cp_pair, g.ep, accum(c.moe)),
               layer_times(arch_, l, c.embedding, false, coll_, {}, {}, {}, accum(c.embedding)),
               layer_times(arch_, l, c.head, false, coll_, {}, {}, {}, accum(c.head))};
  const StackOptions& st = l.stack;
  const double tokens = static_cast<double>(l.micro_batch) * static_cast<double>(l.seq_len) / l.cp;
  // Unfused elementwise passes of a decoder layer: each reads and writes the layer's bf16
  // activation (divided by tp under SP); backward runs two per forward one.
  const double act = tokens * static_cast<double>(arch_.hidden) * 2.0 / (l.sp() ? l.tp : 1);
  const double pass_s = st.unfused_passes > 0 ? st.unfused_passes * cost_->memory_bound(act, act).time_s : 0.0;
  const auto add = [&](LayerTimes& t, double fwd, double bwd) {
    t.fwd += fwd;
    t.bwd += bwd;
    t.compute += fwd + bwd;
  };
  const double fa = st.attention_time_factor - 1.0;
  const auto decoder = [&](LayerTimes& t, const LayerCost& lc) {
    const double attn_f = fa * lc.attn_fwd_s, attn_b = fa * lc.attn_bwd_s;
    add(t, pass_s + attn_f, 2.0 * pass_s + attn_b);
    const double again = l.recompute == Recompute::kFull ? pass_s + attn_f
                         : l.recompute == Recompute::kSelective ? attn_f : 0.0;
    t.bwd += again;
    t.recompute += again;
  };
  decoder(set.dense, c.dense);
  decoder(set.moe, c.moe);
  // Unfused cross-entropy: extra traffic over the logits, a third in forward.
  if (st.loss_extra_bytes > 0) {
    const double bytes = st.loss_extra_bytes * tokens * static_cast<double>(arch_.vocab) / l.tp;
    const double t_loss = cost_->memory_bound(bytes / 2, bytes / 2).time_s;
    add(set.head, t_loss / 3, 2 * t_loss / 3);
  }
  // Host-bound launches: a layer takes at least its kernel count times the issue cost (the GPU
  // idles between short kernels the CPU cannot issue fast enough).
  if (st.launch_s > 0) {
    const double extra = st.unfused_passes;
    const auto floor = [&](LayerTimes& t, const LayerCost& lc) {
      add(t, std::max(0.0, (lc.fwd_kernels + extra) * st.launch_s - t.fwd),
          std::max(0.0, (lc.bwd_kernels + 2 * extra) * st.launch_s - t.bwd));
    };
    floor(set.dense, c.dense);
    floor(set.moe, c.moe);
    floor(set.emb, c.embedding);
    floor(set.head, c.head);
  }
  return set;
}

StageSum StepModel::stage_sum(const Layout& l, const ShapeCosts& c, const LayerSet& t, int s) const {
  StageSum sum;
  const ChunkCounts& cc = chunk_counts(l);
  for (int v = 0; v < l.vpp; ++v) {
    const auto& [n_dense, n_moe] = cc.chunks[static_cast<std::size_t>(s) * l.vpp + v];
    sum.add(t.dense, c.dense, n_dense, false);
    sum.add(t.moe, c.moe, n_moe, true);
  }
  if (s == 0) sum.add(t.emb, c.embedding, 1, false, false);
  if (s == l.pp - 1) sum.add(t.head, c.head, 1, false, false);
  sum.st.layers = sum.dense_layers + sum.moe_layers;
  return sum;
}

std::vector<StageTime> StepModel::stage_times(const Layout& layout, const ShapeCosts& c) const {
  Layout l = layout;
  std::vector<StageTime> out;
  if (!check_layout(l).empty()) return out;
  const LayerSet t = layer_set(l, c, place_groups(l));
  for (int s = 0; s < l.pp; ++s) out.push_back(stage_sum(l, c, t, s).st);
  return out;
}

// The slowest stage sets the pipeline's pace; the first and last hold the gradients that are
// reduced last and gathered first.
struct StepModel::Stages {
  StageSum crit, first, last;
};

// Parameters and decoder layers one GPU of a pipeline stage holds (all its chunks).
struct StepModel::StageParams {
  double dense_params = 0, expert_params = 0;
  double dense_layers = 0, moe_layers = 0;
  // Same accumulation as StageSum::add, so the sums are the same doubles.
  void add(const LayerParams& p, double n, bool moe, bool decoder = true) {
    if (n <= 0) return;
    dense_params += n * (p.params - p.expert_params);
    expert_params += n * p.expert_params;
    if (decoder) (moe ? moe_layers : dense_layers) += n;
  }
};

namespace {

// param_split with the architecture's MoE layer count given (counting them walks every layer).
ParamSplit split_params(const model::Architecture& a, int tp, int ep, int etp, long long moe_layers) {
  // Mirrors the forward ops' params of model::build_inventory (inventory.cpp), routed experts
  // split by expert TP (etp 0: = tp); every count is an integer below 2^53, so the doubles are exact.
  const auto norm = [&](double width) { return a.norm == model::NormKind::kLayerNorm ? 2 * width : width; };
  const auto gemm = [](long long k, long long n, double bias) { return static_cast<double>(k) * n + bias; };
  const long long h = a.hidden;
  const long long heads = a.heads / tp;
  const long long kv_heads = a.mla.enabled() ? heads : std::max<long long>(1, a.kv_heads / tp);
  const long long vocab = (a.vocab + tp - 1) / tp;  // vocab-parallel shard
  const long long dv = a.mla.enabled() ? a.mla.v_head_dim : a.head_dim;
  const auto dense_mlp = [&](long long ffn, bool bias) {
    const double f = static_cast<double>(ffn);
    const bool gated = a.mlp == model::MlpKind::kGated;
    return gemm(h, gated ? 2 * ffn : ffn, bias ? (gated ? 2 * f : f) : 0.0) +
           gemm(ffn, h, bias ? static_cast<double>(h) : 0.0);
  };
  double attention = norm(static_cast<double>(h));  // attn_norm
  if (!a.mla.enabled()) {
    const long long width = (heads + 2 * kv_heads) * a.head_dim;
    attention += gemm(h, width, (a.qkv_bias || a.linear_bias) ? static_cast<double>(width) : 0.0);
  } else {
    const model::MlaSpec& m = a.mla;
    const long long qk = m.qk_nope_head_dim + m.qk_rope_head_dim;
    if (m.q_lora_rank > 0) {
      attention += gemm(h, m.q_lora_rank, 0) + norm(m.q_lora_rank) + gemm(m.q_lora_rank, heads * qk, 0);
    } else {
      attention += gemm(h, heads * qk, 0);
    }
    attention += gemm(h, m.kv_lora_rank + m.qk_rope_head_dim, 0) + norm(m.kv_lora_rank) +
                 gemm(m.kv_lora_rank, heads * (m.qk_nope_head_dim + m.v_head_dim), 0);
  }
  attention += gemm(heads * dv, h, (a.out_proj_bias || a.linear_bias) ? static_cast<double>(h) : 0.0);
  attention += norm(static_cast<double>(h));  // mlp_norm

  ParamSplit p;
  p.embedding.params = static_cast<double>(vocab) * static_cast<double>(h) +
                       (a.learned_positions ? static_cast<double>(a.max_seq_len) * static_cast<double>(h) : 0.0);
  p.head.params = norm(static_cast<double>(h)) + (a.tied_embeddings ? 0.0 : gemm(h, vocab, 0));
  if (moe_layers < a.layers) p.dense.params = attention + dense_mlp(a.ffn / tp, a.mlp_bias || a.linear_bias);
  if (moe_layers > 0) {
    const model::MoeSpec& m = a.moe;
    const long long local = m.num_experts / ep;
    const long long fe = m.expert_ffn / (etp > 0 ? etp : tp);
    const bool gated = a.mlp == model::MlpKind::kGated;
    p.moe.expert_params = static_cast<double>(local) * h * (gated ? 2 * fe : fe) + static_cast<double>(local) * fe * h;
    double shared = 0;
    if (m.shared_expert_ffn > 0) {
      shared = dense_mlp(m.shared_expert_ffn / tp, false);
      if (m.shared_expert_gate) shared += gemm(h, 1, 0);
    }
    p.moe.params = attention + gemm(h, m.num_experts, 0) + (m.router_bias ? m.num_experts : 0) +
                   p.moe.expert_params + shared;
  }
  return p;
}

}  // namespace

ParamSplit param_split(const model::Architecture& a, int tp, int ep, int etp) {
  return split_params(a, tp, ep, etp, a.moe_layers());
}

StepModel::Stages StepModel::pipeline_stages(const Layout& l, const ShapeCosts& c, const Groups& g) const {
  const LayerSet times = layer_set(l, c, g);
  const ChunkCounts& cc = chunk_counts(l);
  Stages out;
  for (int s = 0; s < l.pp; ++s) {
    // A stage like an earlier one sums alike and cannot be strictly slower than it.
    if (cc.same_as[static_cast<std::size_t>(s)] != s) continue;
    const StageSum sum = stage_sum(l, c, times, s);
    if (s == 0 || sum.st.fwd_s + sum.st.bwd_s > out.crit.st.fwd_s + out.crit.st.bwd_s) out.crit = sum;
    if (s == 0) out.first = sum;
    if (s == l.pp - 1) out.last = sum;
  }
  return out;
}

void StepModel::pipeline_time(const Layout& l, const Groups& g, const Stages& s, StepResult& r) const {
  const StageSum& crit = s.crit;
  const double t_mb = crit.st.fwd_s + crit.st.bwd_s;
  const double md = static_cast<double>(r.microbatches);
  r.stage_fwd_s = crit.st.fwd_s;
  r.stage_bwd_s = crit.st.bwd_s;
  // Pipeline: 1F1B bubble (p-1) micro-batch slots, interleaved (p-1)/v (Narayanan et al. 2021).
  auto& tb = r.time;
  tb.compute = md * crit.compute;
  tb.recompute = md * crit.recompute;
  tb.tp_comm = md * crit.tp;
  tb.cp_comm = md * crit.cp;
  tb.ep_comm = md * crit.ep;
  tb.bubble = l.pp > 1 ? static_cast<double>(l.pp - 1) / l.vpp * t_mb : 0.0;
  if (l.pp > 1) {
    const double p2p_bytes = static_cast<double>(l.micro_batch) * static_cast<double>(l.seq_len) / l.cp *
                             static_cast<double>(arch_.hidden) * 2.0 /
                             (l.sp() || l.framework.p2p_scatter_gather ? l.tp : 1);
    r.p2p_s = coll_.time_s(Collective::kSendRecv, p2p_bytes, g.pp_pair);
    // Scatter/gather (Narayanan et al. 2021 Sec. 4.1): each TP rank sends 1/tp of the activation
    // and the receivers all-gather it over NVLink before use.
    if (!l.sp() && l.framework.p2p_scatter_gather && l.tp > 1)
      r.p2p_s += coll_.time_s(Collective::kAllGather, p2p_bytes * l.tp, g.tp);
    // Fill and drain cross p-1 boundaries each way; the steady state hides its transfers only
    // when the framework overlaps them.
    tb.pp_comm = 2.0 * (l.pp - 1) * r.p2p_s + (l.framework.overlap_p2p ? 0.0 : 2.0 * md * l.vpp * r.p2p_s);
  }
}

void StepModel::data_parallel_time(const Layout& l, const Groups& g, const Stages& s, StepResult& r) const {
  // DP / ZeRO: gradients of dense parameters over dp*cp ranks, of experts over dp*cp/ep.
  const double md = static_cast<double>(r.microbatches);
  const double t_mb = s.crit.st.fwd_s + s.crit.st.bwd_s;
  const double grad_bytes = l.framework.grad_reduce_bytes;
  const double pd = s.crit.dense_params, pe = s.crit.expert_params;
  auto& tb = r.time;
  const double share = l.stack.comm_sm_share;
  if (l.zero >= 3) {
    // FSDP: every micro-batch gathers each unit's parameters (a layer, the embedding, the head)
    // in forward and again in backward, and reduce-scatters its gradients in backward; the
    // gathers run `fsdp_prefetch` units ahead, so the first unit of each pass is exposed (all of
    // them without prefetch). Forward traffic hides behind forward compute, backward behind
    // backward.
    const double units = std::max(1.0, s.crit.dense_layers + s.crit.moe_layers + s.crit.edge_units);
    const double pu = pd / units, peu = pe / std::max(1.0, s.crit.moe_layers);
    const double ag = units * coll_.time_s(Collective::kAllGather, pu * kWeightBytes, g.dp) +
                      (pe > 0 ? s.crit.moe_layers * coll_.time_s(Collective::kAllGather, peu * kWeightBytes, g.edp) : 0.0);
    const double rs = units * coll_.time_s(Collective::kReduceScatter, pu * grad_bytes, g.dp) +
                      (pe > 0 ? s.crit.moe_layers * coll_.time_s(Collective::kReduceScatter, peu * grad_bytes, g.edp)
                              : 0.0);
    const double first = l.stack.fsdp_prefetch > 0 ? ag / units : ag;
    const double exposed = std::max(first, ag - s.crit.st.fwd_s) + std::max(first, ag + rs - s.crit.st.bwd_s);
    const double hidden = std::max(0.0, 2 * ag + rs - exposed);
    r.dp_reduce_s = md * (2 * ag + rs);
    tb.dp_comm = md * exposed;
    tb.compute += md * share * hidden;
    (void)t_mb;
  } else {
    const auto reduce = l.zero == 0 ? Collective::kAllReduce : Collective::kReduceScatter;
    r.dp_reduce_s = coll_.time_s(reduce, pd * grad_bytes, g.dp) + coll_.time_s(reduce, pe * grad_bytes, g.edp);
    if (l.zero >= 1) {
      r.dp_gather_s = coll_.time_s(Collective::kAllGather, pd * kWeightBytes, g.dp) +
                      coll_.time_s(Collective::kAllGather, pe * kWeightBytes, g.edp);
    }
    // The reduction of the first stage starts with its last backward (it finishes last).
    const double exposed_reduce =
        l.framework.overlap_grad_reduce ? std::max(0.0, r.dp_reduce_s - s.first.st.bwd_s) : r.dp_reduce_s;
    const double exposed_gather =
        l.framework.overlap_param_gather ? std::max(0.0, r.dp_gather_s - s.first.st.fwd_s) : r.dp_gather_s;
    tb.dp_comm = exposed_reduce + exposed_gather;
    tb.compute += share * (r.dp_reduce_s - exposed_reduce + r.dp_gather_s - exposed_gather);
  }
}

void StepModel::optimizer_time(const Layout& l, const Groups& g, const Stages& s, StepResult& r) const {
  // Adam is memory-bound over the parameters this GPU owns (of the slowest stage).
  const double dense_shard = l.zero >= 1 ? static_cast<double>(g.dp.size) : 1.0;
  const double expert_shard = l.zero >= 1 ? static_cast<double>(g.edp.size) : 1.0;
  const double owned = s.crit.dense_params / dense_shard + s.crit.expert_params / expert_shard;
  const double state = l.framework.optimizer_state_bytes;
  r.time.optimizer = l.stack.optimizer_passes *
                     cost_->memory_bound((state + kAdamGradRead) * owned, (state + kAdamWeightWrite) * owned).time_s;
  r.time.other += l.stack.step_overhead_s;
}

void StepModel::throughput(const Layout& l, StepResult& r) const {
  r.step_time_s = r.time.total();
  const double tokens = static_cast<double>(l.global_batch) * static_cast<double>(l.seq_len);
  r.tokens_per_s = tokens / r.step_time_s;
  // Model FLOPs (PaLM, Chowdhery et al. 2022, App. B): 6*N + 6*l*s*heads*(d_qk + d_v) per token
  // (12*l*h*s for plain attention), non-causal; hardware FLOPs add the recomputed forward.
  const double layers = static_cast<double>(arch_.layers), seq = static_cast<double>(l.seq_len);
  const double attn = layers * seq * attn_dims_;
  r.model_flops = tokens * (6.0 * matmul_params_ + 6.0 * attn);
  // Hardware FLOPs are the ones executed: the causal mask skips half the score/value matmuls
  // (the model-FLOP convention counts them), and the recomputed forward is executed again.
  const double attn_run = 0.5 * attn;
  double extra = 0;
  if (l.recompute == Recompute::kFull) extra = 2.0 * matmul_params_ + 2.0 * attn_run;
  if (l.recompute == Recompute::kSelective) extra = 2.0 * attn_run;
  r.hardware_flops = tokens * (6.0 * matmul_params_ + 6.0 * attn_run + extra);
  const double gpus = static_cast<double>(l.gpus);
  const double peak = system_->chip().peak_flops_per_s(l.dtype);
  r.model_tflops_per_gpu = r.model_flops / r.step_time_s / gpus / 1e12;
  r.hardware_tflops_per_gpu = r.hardware_flops / r.step_time_s / gpus / 1e12;
  r.mfu = r.model_tflops_per_gpu * 1e12 / peak;
  r.hfu = r.hardware_tflops_per_gpu * 1e12 / peak;
  // A physical limit: no GPU executes more FLOPs than its peak; past it the model is wrong.
  core::check_invariant(r.hfu <= 1.0 + 1e-9, "hardware FLOP utilisation above the chip's peak");
}

StepModel::StageParams StepModel::stage_params(const Layout& l, const ParamSplit& p, int s) const {
  // The same chunking as stage_sum.
  StageParams sum;
  const ChunkCounts& cc = chunk_counts(l);
  for (int v = 0; v < l.vpp; ++v) {
    const auto& [n_dense, n_moe] = cc.chunks[static_cast<std::size_t>(s) * l.vpp + v];
    sum.add(p.dense, n_dense, false);
    sum.add(p.moe, n_moe, true);
  }
  if (s == 0) sum.add(p.embedding, 1, false, false);
  if (s == l.pp - 1) sum.add(p.head, 1, false, false);
  return sum;
}

// Memory of every pipeline stage; the largest is the job's need (with uneven stages a middle stage
// can hold more than the first). Needs a layout that passed check_layout; evaluate and
// check_memory both call it with param_split's counts, so they share this one accounting.
MemoryBreakdown StepModel::memory_per_gpu(const Layout& l, const ParamSplit& split) const {
  const long long m = l.global_batch / (static_cast<long long>(l.dp) * l.micro_batch);
  const double seq = static_cast<double>(l.seq_len);
  // The DP groups' sizes as place_groups gives them: dense over dp*cp, experts over dp*cp/ep.
  const int dense_dp = std::max(1, l.dp * l.cp);
  const double dense_shard = l.zero >= 1 ? static_cast<double>(dense_dp) : 1.0;
  const double expert_shard = l.zero >= 1 ? static_cast<double>(std::max(1, dense_dp / std::max(1, l.ep))) : 1.0;
  ActivationShape as;
  as.micro_batch = l.micro_batch;
  as.seq_len = l.seq_len;
  as.tp = l.tp;
  as.cp = l.cp;
  as.etp = l.expert_tp();
  as.sp = l.sp();
  as.flash = l.framework.flash_attention;
  as.dropout = dropout_;
  as.gemm_input_bytes = l.dtype == core::Dtype::kFp8 ? 1.0 : 2.0;
  // Per-layer bytes depend on the shape and the recompute mode only, not on ZeRO, the split or
  // the order: kept per thread for the shape last seen.
  struct Act {
    std::uint64_t model = 0;
    ActivationShape shape;
    Recompute recompute = Recompute::kNone;
    double dense = 0, moe = 0;            // held per layer under the recompute mode
    double full_dense = 0, full_moe = 0;  // a whole layer's (what full recompute rebuilds)
  };
  thread_local Act act;
  if (act.model != id_ || !(act.shape == as) || act.recompute != l.recompute) {
    act = Act{id_, as, l.recompute, 0, 0, layer_activation_bytes(arch_, false, as),
              layer_activation_bytes(arch_, true, as)};
    switch (l.recompute) {
      case Recompute::kNone: act.dense = act.full_dense; act.moe = act.full_moe; break;
      case Recompute::kSelective:
        act.dense = layer_activation_bytes_selective(arch_, false, as);
        act.moe = layer_activation_bytes_selective(arch_, true, as);
        break;
      case Recompute::kFull: act.dense = act.moe = layer_checkpoint_bytes(arch_, as); break;
    }
  }
  const double act_dense = act.dense, act_moe = act.moe;
  const double tokens_local = static_cast<double>(l.micro_batch) * seq / l.cp;
  const double moe_buffers = arch_.moe.is_moe() ? 3.0 * tokens_local / (l.sp() ? l.tp : 1) *
                                                      arch_.moe.experts_per_token * arch_.moe.capacity_factor *
                                                      static_cast<double>(arch_.hidden) * 2.0
                                                : 0.0;
  const double comm_buffers = (l.sp() ? 2.0 * tokens_local * static_cast<double>(arch_.hidden) * 2.0 : 0.0) +
                              (l.pp > 1 ? 2.0 * tokens_local * static_cast<double>(arch_.hidden) * 2.0 : 0.0);
  const double fp8_copy = l.dtype == core::Dtype::kFp8 ? 1.0 : 0.0;
  const auto stage_memory = [&](const StageParams& s, double held, bool is_last) {
    MemoryBreakdown mb;
    const double pdn = s.dense_params, pex = s.expert_params;
    const double p_sharded3 = pdn / (l.zero >= 3 ? dense_shard : 1.0) + pex / (l.zero >= 3 ? expert_shard : 1.0);
    mb.weights = (kWeightBytes + fp8_copy) * p_sharded3;
    mb.gradients = kGradBytes * (pdn / (l.zero >= 2 ? dense_shard : 1.0) + pex / (l.zero >= 2 ? expert_shard : 1.0));
    mb.optimizer = l.framework.optimizer_state_bytes * (pdn / dense_shard + pex / expert_shard);
    double working = 0;  // one layer's full activations while it is recomputed
    if (l.recompute == Recompute::kFull)
      working = std::max(act.full_dense, s.moe_layers > 0 ? act.full_moe : 0.0);
    double logits = 0;  // bf16 logits and their fp32 softmax for the loss (6 bytes per logit)
    if (is_last) logits = l.stack.loss_saved_bytes * tokens_local * static_cast<double>(arch_.vocab) / l.tp;
    mb.activations = (held + working) * (1.0 + l.stack.activation_fragmentation) + logits;
    mb.moe_buffers = s.moe_layers > 0 ? moe_buffers : 0.0;
    mb.comm_buffers = comm_buffers;
    mb.reserve = memory_reserve_ + l.stack.allocator_reserve_bytes;
    return mb;
  };
  // Stage s holds what its schedule leaves in flight, chunk by chunk (an uneven split's chunks
  // hold different layer counts; an embedding-only first chunk holds no layer's activations).
  const bool moe_model = moe_prefix_.back() > 0;
  thread_local std::vector<double> chunk;  // no allocation per call: the search calls this millions of times
  const auto stage_held = [&](int s, double dense_bytes, double moe_bytes) {
    const ChunkCounts& cc = chunk_counts(l);
    chunk.resize(static_cast<std::size_t>(l.vpp));
    for (int v = 0; v < l.vpp; ++v) {
      const auto& [n_dense, n_moe] = cc.chunks[static_cast<std::size_t>(s) * l.vpp + v];
      chunk[static_cast<std::size_t>(v)] = n_dense * dense_bytes + n_moe * moe_bytes;
    }
    return stage_peak_activation_bytes(l.pp, l.vpp, m, s, chunk);
  };
  // The walk depends only on the split, the micro-batch count and the per-layer bytes, not on
  // ZeRO or the placement order, and a stage's parameters only on the split and tp/ep/etp: both are
  // kept per thread for the layout last seen (the search checks every (recompute, ZeRO) choice of a
  // layout in a row, then times each in every order). A dense model's walk is kept in layers (bytes
  // = layers x one layer's bytes), so it also holds across recompute modes.
  struct Walk {
    std::uint64_t model = 0;  // StepModel::id_ (an address could be reused by another model)
    int pp = 0, vpp = 0;
    long long m = 0, model_layers = 0;
    bool trim = false;
    double dense_bytes = 0, moe_bytes = 0;  // MoE models only: the walk is in bytes
    std::vector<double> held;               // per stage: peak in-flight layers (dense) or bytes (MoE)
  };
  struct Params {
    std::uint64_t model = 0;
    int pp = 0, vpp = 0, tp = 0, ep = 0, etp = 0;
    long long model_layers = 0;
    bool trim = false;
    std::vector<StageParams> stages;
  };
  thread_local Walk walk;
  thread_local Params params;
  const bool cached = !l.pipeline_layers;  // a given split is not kept (its vector may change)
  const double key_dense = moe_model ? act_dense : 1.0, key_moe = moe_model ? act_moe : 0.0;
  if (cached && (walk.model != id_ || walk.pp != l.pp || walk.vpp != l.vpp || walk.m != m ||
                 walk.model_layers != arch_.layers || walk.trim != l.trim_edge_stages ||
                 walk.dense_bytes != key_dense || walk.moe_bytes != key_moe)) {
    walk = Walk{id_, l.pp, l.vpp, m, arch_.layers, l.trim_edge_stages, key_dense, key_moe, {}};
    for (int s = 0; s < l.pp; ++s) walk.held.push_back(stage_held(s, key_dense, key_moe));
  }
  if (cached && (params.model != id_ || params.pp != l.pp || params.vpp != l.vpp || params.tp != l.tp ||
                 params.ep != l.ep || params.etp != l.etp || params.model_layers != arch_.layers ||
                 params.trim != l.trim_edge_stages)) {
    params = Params{id_, l.pp, l.vpp, l.tp, l.ep, l.etp, arch_.layers, l.trim_edge_stages, {}};
    for (int s = 0; s < l.pp; ++s) params.stages.push_back(stage_params(l, split, s));
  }
  MemoryBreakdown worst;
  for (int s = 0; s < l.pp; ++s) {
    const auto i = static_cast<std::size_t>(s);
    const double held = !cached ? stage_held(s, act_dense, act_moe) : moe_model ? walk.held[i] : walk.held[i] * act_dense;
    const MemoryBreakdown mb = stage_memory(cached ? params.stages[i] : stage_params(l, split, s), held, s == l.pp - 1);
    if (s == 0 || mb.total() > worst.total()) worst = mb;
  }
  return worst;
}

std::string StepModel::memory_reason(const MemoryBreakdown& m) const {
  return "needs " + gib(m.total()) + " per GPU, has " + gib(capacity_);
}

StepResult StepModel::evaluate(const Layout& layout, const ShapeCosts& c) const { return evaluate_with(layout, c, nullptr); }

StepResult StepModel::evaluate(const Layout& layout, const ShapeCosts& c, const MemoryBreakdown& memory) const {
  return evaluate_with(layout, c, &memory);
}

StepResult StepModel::evaluate_with(const Layout& layout, const ShapeCosts& c, const MemoryBreakdown* memory) const {
  StepResult r;
  r.layout = layout;
  // With its memory given the layout is one check_layout passed and resolved (the contract), and
  // the check does not read the placement order: a search times many orders of one checked layout.
  if (!memory) r.reason = check_layout(r.layout);
  if (!r.reason.empty()) return r;
  const Layout& l = r.layout;
  const Groups g = place_groups(l);
  r.microbatches = l.global_batch / (static_cast<long long>(l.dp) * l.micro_batch);
  r.memory_capacity_bytes = capacity_;
  const Stages stages = pipeline_stages(l, c, g);
  pipeline_time(l, g, stages, r);
  data_parallel_time(l, g, stages, r);
  optimizer_time(l, g, stages, r);
  throughput(l, r);
  // An infeasible layout still reports its times: they say how far from fitting it is.
  r.memory = memory ? *memory : memory_of_checked(l);
  if (r.memory.total() > capacity_) {
    r.reason = memory_reason(r.memory);
    return r;
  }
  r.feasible = true;
  return r;
}

MemoryBreakdown StepModel::memory_of_checked(const Layout& l) const {
  return memory_per_gpu(l, split_params(arch_, l.tp, l.ep, l.etp, moe_prefix_.back()));
}

MemoryFit StepModel::check_memory(const Layout& layout) const {
  MemoryFit f;
  f.layout = layout;
  f.reason = check_layout(f.layout);
  if (!f.reason.empty()) return f;
  const Layout& l = f.layout;
  const ParamSplit params = split_params(arch_, l.tp, l.ep, l.etp, moe_prefix_.back());
  f.memory = memory_per_gpu(l, params);
  if (f.memory.total() > capacity_) {
    f.reason = memory_reason(f.memory);
    return f;
  }
  f.fits = true;
  return f;
}

StepResult fastest_feasible(const StepModel& model, const std::vector<Layout>& candidates) {

  StepResult best;
  for (const auto& l : candidates) {
    auto r = model.evaluate(l);
    if (r.feasible && (!best.feasible || r.step_time_s < best.step_time_s)) best = std::move(r);
  }
  return best;
}

}  // namespace xpusim::training
