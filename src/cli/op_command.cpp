#include <fmt/format.h>

#include <memory>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "core/limits.hpp"
#include "core/units.hpp"
#include "core/suggest.hpp"
#include "cost/hbm_model.hpp"
#include "cost/inventory_cost.hpp"
#include "cost/op_cost.hpp"
#include "memory/analytical.hpp"
#include "model/architecture.hpp"
#include "report/op_record.hpp"
#include "scenario/evaluate.hpp"
#include "validation/kernel_fitter.hpp"
#include "validation/kernel_rows.hpp"

namespace xpusim::cli {
namespace {

const std::vector<std::string> kOpDtypes{"bf16", "fp16", "fp8", "fp32", "tf32"};

core::Dtype dtype_flag(const std::string& text, const hardware::Chip& chip) {
  const auto d = core::parse_dtype(text);
  bool known = false;
  for (const auto& name : kOpDtypes) known = known || name == text;
  if (!d || !known) throw core::Error::flag("--dtype", text, core::expected_one_of(kOpDtypes));
  if (!chip.supports(*d)) {
    std::vector<std::string> ok;
    for (const auto& name : kOpDtypes)
      if (chip.supports(*core::parse_dtype(name))) ok.push_back(name);
    throw core::Error::flag("--dtype", text, "a dtype " + chip.name() + " has a peak rate for: " + core::expected_one_of(ok));
  }
  return *d;
}

// A shape whose operands do not fit in the chip's memory is not a kernel that chip can run; the
// check also bounds every count derived from the shape (tiles, waves) well inside int64.
void check_fits(const hardware::Chip& chip, double bytes, const std::string& flags) {
  const double capacity = chip.memory().capacity_bytes();
  if (!(bytes <= capacity))
    throw core::Error::flag(flags, core::format_quantity(bytes, core::Dimension::kBytes) + " of operands",
                            "a shape whose operands fit in the " + core::format_quantity(capacity, core::Dimension::kBytes) +
                                " of " + chip.name());
}

long long bounded_flag(const std::string& flag, const std::string& text, long long limit, const char* why) {
  const long long v = positive_int_flag(flag, text);
  if (v > limit)
    throw core::Error::flag(flag, text, "a positive integer of at most " + std::to_string(limit) + " (" + why + ")");
  return v;
}

// The chip's cost model with the memory layer's analytical HBM model behind its bandwidths.
struct ChipCost {
  std::shared_ptr<const hardware::Chip> chip;
  std::shared_ptr<const cost::CostModel> model;
};

// The session's cost model of the chip (the analytical HBM model behind its bandwidths).
ChipCost chip_cost(Context& ctx, const std::string& name, const std::vector<std::string>& sets) {
  ChipCost out;
  out.chip = ctx.session().chip(name, "--chip", hardware::parse_overrides(sets));
  auto uncalibrated = scenario::uncalibrated_parameters(*out.chip);
  if (auto note = scenario::hbm_timing_estimate(ctx.session(), *out.chip); !note.empty()) uncalibrated.push_back(note);
  ctx.warn_uncalibrated(out.chip->label(), uncalibrated);
  out.model = ctx.session().cost_model(out.chip);
  return out;
}

report::Record header(const hardware::Chip& chip, core::Dtype dtype) {
  report::Record r{{"chip", chip.name()}, {"dtype", core::dtype_name(dtype)}};
  if (chip.label() != chip.name()) r["hardware"] = chip.label();
  return r;
}

struct GemmFlags {
  std::vector<std::string> sets;
  std::string chip, m, n, k, batch = "1", dtype = "bf16";
};

void run_gemm(Context& ctx, const GemmFlags& f) {
  const auto cc = chip_cost(ctx, f.chip, f.sets);
  const model::GemmShape s{positive_int_flag("--m", f.m), positive_int_flag("--n", f.n),
                           positive_int_flag("--k", f.k), positive_int_flag("--batch", f.batch)};
  const auto dtype = dtype_flag(f.dtype, *cc.chip);
  const double elems = (static_cast<double>(s.m) * s.k + static_cast<double>(s.k) * s.n + static_cast<double>(s.m) * s.n) *
                       static_cast<double>(s.batch);
  check_fits(*cc.chip, elems * core::dtype_bytes(dtype), "--m/--n/--k/--batch");
  auto r = header(*cc.chip, dtype);
  r["op"] = "gemm";
  r["m"] = s.m;
  r["n"] = s.n;
  r["k"] = s.k;
  r["batch"] = s.batch;
  r.update(report::op_cost_record(cc.model->gemm(s, dtype)));
  ctx.emit(r);
}

struct AttentionFlags {
  std::vector<std::string> sets;
  std::string chip, batch, heads, kv_heads, head_dim, seq_len, kv_len, dtype = "bf16", kernel;
  bool causal = false, backward = false;
};

void run_attention(Context& ctx, const AttentionFlags& f) {
  const auto cc = chip_cost(ctx, f.chip, f.sets);
  model::AttentionShape s;
  s.batch = positive_int_flag("--batch", f.batch);
  s.heads = positive_int_flag("--heads", f.heads);
  s.kv_heads = f.kv_heads.empty() ? s.heads : positive_int_flag("--kv-heads", f.kv_heads);
  if (s.heads % s.kv_heads != 0)
    throw core::Error::flag("--kv-heads", f.kv_heads, "a divisor of --heads " + std::to_string(s.heads));
  s.head_dim = s.v_head_dim = positive_int_flag("--head-dim", f.head_dim);
  s.q_len = bounded_flag("--seq-len", f.seq_len, core::kMaxSequenceTokens, "13x the longest published context");
  s.kv_len = f.kv_len.empty() ? s.q_len
                              : bounded_flag("--kv-len", f.kv_len, core::kMaxSequenceTokens, "13x the longest published context");
  if (s.kv_len < s.q_len)
    throw core::Error::flag("--kv-len", f.kv_len,
                            "at least --seq-len " + std::to_string(s.q_len) + " (the keys include the queries)");
  s.causal = f.causal;
  const auto dtype = dtype_flag(f.dtype, *cc.chip);
  // Q and O per query head, K and V per key/value head.
  const double elems = static_cast<double>(s.batch) * static_cast<double>(s.head_dim) *
                       (2.0 * static_cast<double>(s.heads) * static_cast<double>(s.q_len) +
                        2.0 * static_cast<double>(s.kv_heads) * static_cast<double>(s.kv_len));
  check_fits(*cc.chip, elems * core::dtype_bytes(dtype), "--batch/--heads/--head-dim/--seq-len/--kv-len");
  auto kernel = cost::AttentionKernel::kChipDefault;
  if (f.kernel == "fa2") {
    kernel = cost::AttentionKernel::kFlash2;
  } else if (f.kernel == "fa3") {
    // The catalog says which FlashAttention generation the chip runs (FA3 needs Hopper).
    const double generation = cc.chip->calibration().get("attention_kernel_generation");
    if (generation < 3)
      throw core::Error::flag("--kernel", f.kernel,
                              fmt::format("fa2: {} runs FlashAttention-{} (catalog calibration.attention_kernel_generation; "
                                          "FlashAttention-3 needs Hopper)",
                                          cc.chip->name(), generation));
    kernel = cost::AttentionKernel::kFlash3;
  } else if (!f.kernel.empty()) {
    throw core::Error::flag("--kernel", f.kernel, core::expected_one_of({"fa2", "fa3"}));
  }
  auto r = header(*cc.chip, dtype);
  r["op"] = f.backward ? "attention_backward" : "attention_forward";
  r["batch"] = s.batch;
  r["heads"] = s.heads;
  r["kv_heads"] = s.kv_heads;
  r["head_dim"] = s.head_dim;
  r["seq_len"] = s.q_len;
  r["kv_len"] = s.kv_len;
  r["causal"] = s.causal;
  r.update(report::op_cost_record(cc.model->attention(s, dtype, f.backward, kernel)));
  ctx.emit(r);
}

struct ModelFlags {
  std::vector<std::string> sets;
  std::string model, chip, tokens, seq_len, dtype = "bf16", tp = "1";
  bool backward = false;
};

void run_model(Context& ctx, const ModelFlags& f) {
  const auto cc = chip_cost(ctx, f.chip, f.sets);
  const auto& arch = *ctx.session().architecture(f.model);
  const long long tokens = bounded_flag("--tokens", f.tokens, core::kMaxTokens, "2^40 tokens");
  const long long seq = f.seq_len.empty() ? tokens : positive_int_flag("--seq-len", f.seq_len);
  if (seq > core::kMaxSequenceTokens)
    throw core::Error::flag(f.seq_len.empty() ? "--tokens" : "--seq-len", f.seq_len.empty() ? f.tokens : f.seq_len,
                            "a sequence of at most " + std::to_string(core::kMaxSequenceTokens) +
                                " tokens (13x the longest published context; give --seq-len for a batch)");
  if (tokens % seq != 0)
    throw core::Error::flag("--seq-len", f.seq_len, "a divisor of --tokens " + std::to_string(tokens));
  model::InventoryOptions opt;
  opt.batch = tokens / seq;
  opt.seq_len = seq;
  opt.dtype = dtype_flag(f.dtype, *cc.chip);
  opt.tp = static_cast<int>(bounded_flag("--tp", f.tp, 1 << 20, "2^20 GPUs"));
  opt.backward = f.backward;
  if (std::string why = model::inventory_infeasibility(arch, opt); !why.empty())
    throw core::Error::flag("--tp", f.tp, "a layout " + arch.name + " divides into: " + why);
  const auto inv = model::build_inventory(arch, opt);
  const auto cost = cost::cost_inventory(*cc.model, inv, opt.dtype);
  auto r = header(*cc.chip, opt.dtype);
  r["model"] = arch.name;
  r["tokens"] = tokens;
  r["seq_len"] = seq;
  r["tp"] = opt.tp;
  auto full = r;
  full.update(report::inventory_cost_record(inv, cost, false));
  r.update(report::inventory_cost_record(inv, cost, true));
  ctx.emit(full, &r);
}

void run_calibrate(Context& ctx, const std::string& chip_name, const std::string& csv) {
  const auto chip = ctx.catalog().chip(chip_name, "--chip");
  const auto path = csv.empty() ? ctx.data_dir() / "calibration" / "gpu_kernels.csv" : std::filesystem::path(csv);
  const auto rows = validation::load_kernel_rows(path);
  const auto names = validation::identifiable_params(rows, chip->name());
  if (names.empty())
    throw core::Error::flag("--chip", chip_name, "a chip with calibration rows (use = fit) in " + path.string());
  const auto hbm = cost::hbm_model_for(*chip, ctx.session().timings());
  auto start = cost::CostParams::from_chip(*chip);
  auto fitted = validation::fit_cost_params(rows, *chip, start, names, &hbm);
  report::Record params;
  for (const auto& n : names) params[n] = *cost::cost_param(fitted, n);
  int fit_rows = 0;
  for (const auto& r : rows) fit_rows += r.calibration() && r.chip == chip->name() ? 1 : 0;
  // The DRAM-level efficiencies the fit saw (memory layer), so the fabric efficiency reads in context.
  const cost::CostModel model(*chip, fitted, &hbm);
  const double peak = chip->memory().bandwidth_bytes_per_s() * fitted.hbm_fabric_efficiency;
  ctx.emit(report::Record{{"chip", chip->name()},
                          {"csv", path.string()},
                          {"fit_rows", fit_rows},
                          {"dram_read_stream_efficiency", model.hbm_bandwidth(1.0) / peak},
                          {"dram_copy_stream_efficiency", model.hbm_bandwidth(0.5) / peak},
                          {"parameters", params}});
}

}  // namespace

void add_op_command(CLI::App& app, Context& ctx) {
  auto* op = app.add_subcommand("op", "Predicted time of one operator, or of a model's operators, on a chip");
  op->require_subcommand(1);

  auto gf = std::make_shared<GemmFlags>();
  auto* gemm = op->add_subcommand("gemm", "C[m,n] = A[m,k] B[k,n]: tile-level GEMM time");
  gemm->add_option("--chip", gf->chip, "Catalog chip or chip YAML file")->required();
  gemm->add_option("--set", gf->sets, "Override a chip field by dotted path, e.g. memory.stacks=8 (repeatable)");
  gemm->add_option("--m", gf->m, "Rows of A and C")->required();
  gemm->add_option("--n", gf->n, "Columns of B and C")->required();
  gemm->add_option("--k", gf->k, "Reduction dimension")->required();
  gemm->add_option("--batch", gf->batch, "Independent GEMMs in one batched kernel (default 1)");
  gemm->add_option("--dtype", gf->dtype, "bf16 | fp16 | fp8 | fp32 | tf32 (default bf16)");
  ctx.add_format_option(gemm);
  gemm->callback([&ctx, gf] { run_gemm(ctx, *gf); });

  auto af = std::make_shared<AttentionFlags>();
  auto* attn = op->add_subcommand("attention", "Flash-attention forward or backward time");
  attn->add_option("--chip", af->chip, "Catalog chip or chip YAML file")->required();
  attn->add_option("--set", af->sets, "Override a chip field by dotted path, e.g. memory.stacks=8 (repeatable)");
  attn->add_option("--batch", af->batch, "Sequences")->required();
  attn->add_option("--heads", af->heads, "Query heads")->required();
  attn->add_option("--kv-heads", af->kv_heads, "Key/value heads (default: --heads)");
  attn->add_option("--head-dim", af->head_dim, "Head dimension")->required();
  attn->add_option("--seq-len", af->seq_len, "Query tokens per sequence")->required();
  attn->add_option("--kv-len", af->kv_len, "Keys per sequence (default: --seq-len; decode: the context)");
  attn->add_flag("--causal", af->causal, "Causal mask");
  attn->add_flag("--backward", af->backward, "Backward pass instead of forward");
  attn->add_option("--kernel", af->kernel, "fa2 | fa3 (default: the chip's attention_kernel_generation)");
  attn->add_option("--dtype", af->dtype, "bf16 | fp16 | fp8 (default bf16)");
  ctx.add_format_option(attn);
  attn->callback([&ctx, af] { run_attention(ctx, *af); });

  auto mf = std::make_shared<ModelFlags>();
  auto* mdl = op->add_subcommand("model", "Per-layer operator inventory of a model and each operator's time");
  mdl->add_option("--model", mf->model, "Shipped model name or path to a HuggingFace config.json")->required();
  mdl->add_option("--chip", mf->chip, "Catalog chip or chip YAML file")->required();
  mdl->add_option("--set", mf->sets, "Override a chip field by dotted path, e.g. memory.stacks=8 (repeatable)");
  mdl->add_option("--tokens", mf->tokens, "Tokens in the micro-batch")->required();
  mdl->add_option("--seq-len", mf->seq_len, "Tokens per sequence (default: --tokens, one sequence)");
  mdl->add_option("--tp", mf->tp, "Tensor-parallel degree (default 1)");
  mdl->add_flag("--backward", mf->backward, "Include the backward operators");
  mdl->add_option("--dtype", mf->dtype, "bf16 | fp16 | fp8 (default bf16)");
  ctx.add_format_option(mdl);
  mdl->callback([&ctx, mf] { run_model(ctx, *mf); });

  auto cal_chip = std::make_shared<std::string>();
  auto cal_csv = std::make_shared<std::string>();
  auto* cal = op->add_subcommand("calibrate", "Fit a chip's cost-model parameters on its calibration rows");
  cal->add_option("--chip", *cal_chip, "Catalog chip")->required();
  cal->add_option("--csv", *cal_csv, "Calibration CSV (default: data/calibration/gpu_kernels.csv)");
  ctx.add_format_option(cal);
  cal->callback([&ctx, cal_chip, cal_csv] { run_calibrate(ctx, *cal_chip, *cal_csv); });
}

}  // namespace xpusim::cli
