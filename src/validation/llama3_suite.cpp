#include "validation/llama3_suite.hpp"

#include <cmath>
#include <cstdio>
#include <vector>

#include "core/csv.hpp"
#include "core/error.hpp"
#include "model/architecture.hpp"
#include "training/step_model.hpp"

namespace xpusim::validation {

std::vector<Llama3Run> load_llama3_runs(const std::filesystem::path& csv) {
  const auto table = core::CsvTable::load(csv);
  table.require_columns({"case_id", "model", "gpus", "tensor_parallel", "context_parallel", "pipeline_parallel",
                         "seq_len", "global_batch_size", "tflops_per_gpu"});
  std::vector<Llama3Run> runs;
  for (const auto& t : table.rows()) {
    Llama3Run r;
    r.id = t.text("case_id");
    r.model = t.text("model");
    if (!runs.empty() && r.model != runs.front().model)
      throw core::Error(t.where(), "model", r.model, "the model of every other row (" + runs.front().model + ")");
    r.gpus = t.integer("gpus");
    r.tp = static_cast<int>(t.integer("tensor_parallel"));
    r.cp = static_cast<int>(t.integer("context_parallel"));
    r.pp = static_cast<int>(t.integer("pipeline_parallel"));
    r.seq_len = t.integer("seq_len");
    r.global_batch = t.integer("global_batch_size");
    r.tflops_per_gpu = t.number("tflops_per_gpu");
    runs.push_back(r);
  }
  if (runs.empty()) throw core::Error(core::SourceLocation{table.file(), 2, 0}, "row", "", "at least one run");
  return runs;
}

core::ValidationSuite llama3_suite(const hardware::Catalog& catalog, const memory::TimingCatalog& timings,
                                   const std::filesystem::path& data_dir) {
  using training::Layout;
  using training::Recompute;
  core::ValidationSuite suite;
  suite.name = "llama3";
  suite.description =
      "Llama 3 405B pre-training on H100 (Grattafiori et al. 2024, arXiv:2407.21783, Table 4), predicted "
      "on dgx-h100 (InfiniBand stand-in for Meta's 400 Gb/s RoCE fabric). Held out: no parameter was fitted "
      "on these rows. TFLOP/s per GPU on both sides use 6*N + 6*l*h*s FLOPs per token (causal attention; "
      "Meta's convention is not stated). Not published, chosen as a practitioner would tune them: "
      "micro-batch 1 and one vpp (1, 2, 4, 8) for all runs, the one with the best predicted total throughput "
      "among those with which every run fits in 80 GB (8 is the paper's: 16 x 8 chunks for 126 layers, the "
      "first only the embedding, the last only the head and loss). As published: FSDP without resharding "
      "after forward (ZeRO-2) and the default uneven split (first and last stage one layer fewer). Each run "
      "takes the least recomputation that fits: none, as the paper says for 8K context, where it fits; the "
      "8K run on 8,192 GPUs (32 micro-batches) needs 80.6 GiB without it in the memory model and takes full.";
  suite.tolerance = "informative: every row within 15%";
  const auto system = catalog.system("dgx-h100", "--suite llama3");
  const auto runs = load_llama3_runs(data_dir / "validation" / "llama3_405b_table4.csv");
  const auto arch = model::load_model(runs.front().model, data_dir);
  training::StepModel model(arch, system, &timings);
  const double matmul_params = arch.params_active() - static_cast<double>(arch.vocab * arch.hidden);
  // One recipe (recomputation mode and vpp) for all runs, as Meta trained with one: the one with
  // the best total predicted throughput among those with which every run fits.
  const auto layout_of = [](const Llama3Run& run, Recompute rc, int v) {
    Layout l = training::make_layout(run.gpus, run.tp, run.pp, run.cp, v, run.seq_len, run.global_batch, 1);
    // The paper's FSDP does not reshard parameters after the forward pass (Sec. 3.3.2): gradients
    // and optimizer states are sharded, parameters are whole during the step (ZeRO-2).
    l.zero = 2;
    l.recompute = rc;
    return l;  // 126 layers on 16 stages: the default uneven split (7, 8 x 14, 7) as the paper's
  };
  // The paper trains 8K context without activation checkpointing (Sec. 3.3.2); each run takes
  // the least recomputation that fits, so a run the memory model cannot fit as published shows
  // in its description rather than as a failure. One vpp for all runs, as Meta trained with one
  // schedule: the one with the best total predicted throughput among those with which every run fits.
  const auto modes = [](const Llama3Run&) {
    return std::vector<Recompute>{Recompute::kNone, Recompute::kSelective, Recompute::kFull};
  };
  const auto run_at = [&](const Llama3Run& run, int v) {
    training::StepResult r;
    for (auto rc : modes(run)) {
      r = model.evaluate(layout_of(run, rc, v));
      if (r.feasible) break;
    }
    return r;
  };
  int best_v = 1;
  double best_total = -1;
  for (int v : {1, 2, 4, 8}) {
    double total = 0;
    bool all_fit = true;
    for (const auto& run : runs) {
      const auto r = run_at(run, v);
      all_fit = all_fit && r.feasible;
      total += r.tokens_per_s / static_cast<double>(run.gpus);
    }
    if (all_fit && total > best_total) {
      best_total = total;
      best_v = v;
    }
  }
  bool within = true;
  for (const auto& run : runs) {
    const training::StepResult best = run_at(run, best_v);
    const double per_token = 6.0 * matmul_params + 6.0 * static_cast<double>(arch.layers * arch.hidden) *
                                                       static_cast<double>(run.seq_len);
    core::ValidationCase c;
    c.id = run.id;
    char desc[200];
    std::snprintf(desc, sizeof desc, "%lld H100, tp%d cp%d pp%d, seq %lld, batch %lld; chosen vpp %d, recompute %s",
                  run.gpus, run.tp, run.cp, run.pp, run.seq_len, run.global_batch, best.layout.vpp,
                  training::recompute_name(best.layout.recompute));
    c.description = best.feasible ? desc : std::string(desc) + " (does not fit: " + best.reason + ")";
    c.stack = "megatron-core";
    c.unit = "TFLOP/s";
    c.published = run.tflops_per_gpu;
    c.predicted = best.feasible ? best.tokens_per_s * per_token / static_cast<double>(run.gpus) / 1e12 : 0.0;
    within = within && std::fabs(c.signed_error()) <= 0.15;
    suite.cases.push_back(c);
  }
  suite.passed = within;
  if (!within) suite.failure = "a row is more than 15% off";
  return suite;
}

}  // namespace xpusim::validation
