#include "validation/nemo_h100_suite.hpp"

#include <cmath>
#include <cstdio>

#include "core/csv.hpp"
#include "core/error.hpp"
#include "model/architecture.hpp"
#include "training/step_model.hpp"

namespace xpusim::validation {

std::vector<NemoRun> load_nemo_h100_runs(const std::filesystem::path& csv) {
  const auto table = core::CsvTable::load(csv);
  table.require_columns({"case_id", "model", "dtype", "gpus", "global_batch_size", "micro_batch_size", "seq_len",
                         "fsdp", "tensor_parallel", "pipeline_parallel", "context_parallel",
                         "virtual_pipeline_parallel", "tokens_per_s_per_gpu"});
  std::vector<NemoRun> runs;
  for (const auto& t : table.rows()) {
    NemoRun r;
    r.id = t.text("case_id");
    r.model = t.text("model");
    r.dtype_name = t.text("dtype");
    const auto dtype = core::parse_dtype(r.dtype_name);
    if (!dtype) throw core::Error(t.where(), "dtype", r.dtype_name, "a dtype such as bf16 or fp8");
    r.dtype = *dtype;
    r.gpus = t.integer("gpus");
    r.global_batch = t.integer("global_batch_size");
    r.micro_batch = t.integer("micro_batch_size");
    r.seq_len = t.integer("seq_len");
    r.fsdp = t.boolean("fsdp");
    r.tp = static_cast<int>(t.integer("tensor_parallel"));
    r.pp = static_cast<int>(t.integer("pipeline_parallel"));
    r.cp = static_cast<int>(t.integer("context_parallel"));
    r.vp = static_cast<int>(t.integer("virtual_pipeline_parallel"));
    r.tokens_per_s_per_gpu = t.number("tokens_per_s_per_gpu");
    runs.push_back(r);
  }
  return runs;
}

core::ValidationSuite nemo_h100_suite(const hardware::Catalog& catalog, const memory::TimingCatalog& timings,
                                      const std::filesystem::path& data_dir) {
  using training::Layout;
  using training::Recompute;
  core::ValidationSuite suite;
  suite.name = "nemo-h100";
  suite.description =
      "NVIDIA Megatron-Bridge performance summary, NeMo 25.11 container, DGX-H100 pre-training rows "
      "(NVIDIA-NeMo/Megatron-Bridge docs/performance-summary.md): FP8 (current scaling) Llama 3 8B, "
      "70B and Llama 3.1 405B with the published GBS/MBS/TP/PP/CP/VP and FSDP (FSDP -> ZeRO-3, else "
      "the distributed optimizer), in tokens/s per GPU. Held out. Not published: recomputation, "
      "taken as the least that fits in 80 GB; 405B's 126 layers on 64 chunks trim the edge stages.";
  suite.tolerance = "informative: every row within 20%";
  const auto system = catalog.system("dgx-h100", "--suite nemo-h100");
  const auto runs = load_nemo_h100_runs(data_dir / "validation" / "nemo_h100_performance.csv");
  bool within = true;
  for (const auto& run : runs) {
    training::StepModel model(model::load_model(run.model, data_dir), system, &timings);
    std::vector<Layout> tries;
    for (auto rc : {Recompute::kNone, Recompute::kSelective, Recompute::kFull}) {
      Layout l = training::make_layout(run.gpus, run.tp, run.pp, run.cp, run.vp, run.seq_len, run.global_batch,
                                       run.micro_batch);
      l.zero = run.fsdp ? 3 : 1;
      l.dtype = run.dtype;
      l.recompute = rc;
      l.trim_edge_stages = model.architecture().layers % (static_cast<long long>(run.pp) * run.vp) != 0;
      tries.push_back(l);
    }
    // The least recomputation that fits (the candidates are in that order).
    training::StepResult chosen;
    for (const auto& l : tries) {
      chosen = model.evaluate(l);
      if (chosen.feasible) break;
    }
    core::ValidationCase c;
    c.id = run.id;
    char desc[200];
    std::snprintf(desc, sizeof desc, "%s, %lld H100, %s, tp%d pp%d cp%d vp%d%s; recompute %s", run.model.c_str(),
                  run.gpus, run.dtype_name.c_str(), run.tp, run.pp, run.cp, run.vp, run.fsdp ? " fsdp" : "",
                  training::recompute_name(chosen.layout.recompute));
    c.description = chosen.feasible ? desc : std::string(desc) + " (does not fit: " + chosen.reason + ")";
    c.unit = "tokens/s/GPU";
    c.stack = "megatron-core";
    c.published = run.tokens_per_s_per_gpu;
    c.predicted = chosen.feasible ? chosen.tokens_per_s / static_cast<double>(run.gpus) : 0.0;
    within = within && std::fabs(c.signed_error()) <= 0.20;
    suite.cases.push_back(c);
  }
  suite.passed = within;
  if (!within) suite.failure = "a row is more than 20% off";
  return suite;
}

}  // namespace xpusim::validation
