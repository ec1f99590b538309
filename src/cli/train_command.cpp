#include <fstream>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "model/architecture.hpp"
#include "report/trace.hpp"
#include "report/training_record.hpp"
#include "training/step_model.hpp"

namespace xpusim::cli {
namespace {

// Flags of `xpusim train` as given (text, so that errors name the flag).
struct TrainFlags {
  std::string model, system, gpus, tp = "1", pp = "1", vpp = "1", dp, cp = "1", ep = "1", etp;
  std::string seq_len, global_batch, micro_batch = "1", recompute = "none", zero = "1", dtype = "bf16";
  std::string order = "tp-cp-ep-dp-pp", trace;
  bool no_sp = false;
  bool trim_edges = false;
  bool tp_overlap = false, no_cp_overlap = false, no_dp_overlap = false;
};

int int_flag(const std::string& flag, const std::string& text) {
  const long long v = positive_int_flag(flag, text);
  if (v > 1'000'000'000) throw core::Error::flag(flag, text, "a positive integer below 1e9");
  return static_cast<int>(v);
}

training::Layout parse_layout(const TrainFlags& f) {
  training::Layout l;
  l.gpus = positive_int_flag("--gpus", f.gpus);
  l.tp = int_flag("--tp", f.tp);
  l.pp = int_flag("--pp", f.pp);
  l.vpp = int_flag("--vpp", f.vpp);
  l.dp = f.dp.empty() ? 0 : int_flag("--dp", f.dp);
  l.cp = int_flag("--cp", f.cp);
  l.ep = int_flag("--ep", f.ep);
  l.etp = f.etp.empty() ? 0 : int_flag("--etp", f.etp);
  l.seq_len = positive_int_flag("--seq-len", f.seq_len);
  l.global_batch = positive_int_flag("--global-batch", f.global_batch);
  l.micro_batch = positive_int_flag("--micro-batch", f.micro_batch);
  if (f.recompute == "none") l.recompute = training::Recompute::kNone;
  else if (f.recompute == "selective") l.recompute = training::Recompute::kSelective;
  else if (f.recompute == "full") l.recompute = training::Recompute::kFull;
  else throw core::Error::flag("--recompute", f.recompute, "one of: none, selective, full");
  if (f.zero.size() != 1 || f.zero[0] < '0' || f.zero[0] > '3')
    throw core::Error::flag("--zero", f.zero, "one of: 0, 1, 2, 3");
  l.zero = f.zero[0] - '0';
  if (f.dtype == "bf16") l.dtype = core::Dtype::kBf16;
  else if (f.dtype == "fp8") l.dtype = core::Dtype::kFp8;
  else throw core::Error::flag("--dtype", f.dtype, "one of: bf16, fp8");
  l.order = training::parse_axis_order(f.order, "--order");
  l.sequence_parallel = !f.no_sp;
  l.trim_edge_stages = f.trim_edges;
  l.framework.overlap_tp_comm = f.tp_overlap;
  l.framework.overlap_cp_comm = !f.no_cp_overlap;
  l.framework.overlap_grad_reduce = l.framework.overlap_param_gather = !f.no_dp_overlap;
  return l;
}

void run_train(Context& ctx, const TrainFlags& f) {
  const auto layout = parse_layout(f);
  const auto system = ctx.catalog().system(f.system, "--system");
  auto arch = model::load_model(f.model, ctx.data_dir());
  const std::string model_name = arch.name;
  const auto timings = memory::TimingCatalog::load(ctx.data_dir());
  training::StepModel model(std::move(arch), system, &timings);
  const auto result = model.evaluate(layout);
  if (!f.trace.empty()) {
    std::ofstream out(f.trace);
    if (!out) throw core::Error::flag("--trace", f.trace, "a writable file path");
    out << report::training_trace(model, result).dump() << "\n";
  }
  ctx.emit(report::training_record(result, model_name, system->name()));
  if (!result.feasible) ctx.exit_code = 1;
}

}  // namespace

void add_train_command(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("train", "Predict step time, throughput, MFU and memory of a training layout");
  auto f = std::make_shared<TrainFlags>();
  cmd->add_option("--model", f->model, "Model: shipped name (llama3-70b) or a HuggingFace config.json")->required();
  cmd->add_option("--system", f->system, "System: catalog name (dgx-h100) or a YAML file")->required();
  cmd->add_option("--gpus", f->gpus, "Number of GPUs")->required();
  cmd->add_option("--tp", f->tp, "Tensor parallel size (default 1)");
  cmd->add_option("--pp", f->pp, "Pipeline parallel size (default 1)");
  cmd->add_option("--vpp", f->vpp, "Virtual pipeline stages per GPU, interleaved 1F1B when > 1 (default 1)");
  cmd->add_option("--dp", f->dp, "Data parallel size (default: gpus / (tp*pp*cp))");
  cmd->add_option("--cp", f->cp, "Context parallel size, ring attention (default 1)");
  cmd->add_option("--ep", f->ep, "Expert parallel size, carved out of dp*cp (default 1)");
  cmd->add_option("--etp", f->etp, "Expert tensor parallel size (default: tp)");
  cmd->add_option("--seq-len", f->seq_len, "Sequence length in tokens")->required();
  cmd->add_option("--global-batch", f->global_batch, "Sequences per optimizer step")->required();
  cmd->add_option("--micro-batch", f->micro_batch, "Sequences per micro-batch (default 1)");
  cmd->add_option("--recompute", f->recompute, "Activation recomputation: none|selective|full (default none)");
  cmd->add_option("--zero", f->zero, "ZeRO stage 0|1|2|3 (1 = distributed optimizer, 3 = FSDP; default 1)");
  cmd->add_option("--dtype", f->dtype, "GEMM precision: bf16|fp8 (default bf16)");
  cmd->add_option("--order", f->order, "Rank order, innermost first (default tp-cp-ep-dp-pp)");
  cmd->add_flag("--no-sp", f->no_sp, "Disable sequence parallelism (on by default when tp > 1)");
  cmd->add_flag("--trim-edge-stages", f->trim_edges,
                "First and last pipeline stage hold one layer fewer (as Llama 3 405B: 126 layers on pp 16)");
  cmd->add_flag("--tp-overlap", f->tp_overlap, "Hide TP collectives behind GEMMs (userbuffers-style overlap)");
  cmd->add_flag("--no-cp-overlap", f->no_cp_overlap, "Expose the ring-attention KV exchange instead of overlapping it");
  cmd->add_flag("--no-dp-overlap", f->no_dp_overlap,
                "Run the gradient reduction and parameter gather after/before compute instead of overlapping");
  cmd->add_option("--trace", f->trace, "Write a Perfetto/Chrome JSON trace of one step to FILE");
  ctx.add_format_option(cmd);
  cmd->callback([&ctx, f] { run_train(ctx, *f); });
}

}  // namespace xpusim::cli
