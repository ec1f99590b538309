#include "validation/megatron2021_table.hpp"

#include <map>

#include "core/csv.hpp"
#include "core/error.hpp"

namespace xpusim::validation {

std::vector<MegatronRow> load_megatron2021_table(const std::filesystem::path& csv) {
  const auto table = core::CsvTable::load(csv);
  table.require_columns({"case_id", "params_billion", "attention_heads", "hidden_size", "layers", "tensor_parallel",
                         "pipeline_parallel", "data_parallel", "gpus", "global_batch_size", "seq_len", "vocab_size",
                         "tflops_per_gpu"});
  std::vector<MegatronRow> rows;
  for (const auto& t : table.rows()) {
    MegatronRow r;
    r.id = t.text("case_id");
    r.params_billion = t.number("params_billion");
    r.heads = t.integer("attention_heads");
    r.hidden = t.integer("hidden_size");
    r.layers = t.integer("layers");
    r.tp = static_cast<int>(t.integer("tensor_parallel"));
    r.pp = static_cast<int>(t.integer("pipeline_parallel"));
    r.dp = static_cast<int>(t.integer("data_parallel"));
    r.gpus = t.integer("gpus");
    r.global_batch = t.integer("global_batch_size");
    r.seq_len = t.integer("seq_len");
    r.vocab = t.integer("vocab_size");
    r.published_tflops = t.number("tflops_per_gpu");
    rows.push_back(r);
  }
  return rows;
}

void join_megatron2021_layouts(std::vector<MegatronRow>& rows, const std::filesystem::path& layouts_csv) {
  const auto table = core::CsvTable::load(layouts_csv);
  table.require_columns({"case_id", "micro_batch_size", "layers_per_virtual_stage", "ddp", "role"});
  std::map<std::string, MegatronRow*> by_id;
  for (auto& r : rows) by_id[r.id] = &r;
  std::map<std::string, int> seen;  // case id -> line of its layout row
  for (const auto& t : table.rows()) {
    const std::string& id = t.text("case_id");
    const auto it = by_id.find(id);
    if (it == by_id.end()) throw core::Error(t.where(), "case_id", id, "a case of megatron2021_table1.csv");
    if (!seen.emplace(id, t.line()).second)
      throw core::Error(t.where(), "case_id", id, "one layout row per case (also on line " +
                                                      std::to_string(seen[id]) + ")");
    MegatronRow& r = *it->second;
    r.micro_batch = t.integer("micro_batch_size");
    if (r.micro_batch < 1) throw core::Error(t.where(), "micro_batch_size", t.text("micro_batch_size"), "at least 1");
    r.layers_per_virtual_stage = static_cast<int>(t.integer_or("layers_per_virtual_stage", 0));
    const std::string& ddp = t.text("ddp");
    if (ddp != "torch" && ddp != "local") throw core::Error(t.where(), "ddp", ddp, "torch or local");
    r.torch_ddp = ddp == "torch";
    const std::string& role = t.text("role");
    if (role != "calibration" && role != "held-out")
      throw core::Error(t.where(), "role", role, "calibration or held-out");
    r.calibration = role == "calibration";
  }
  for (const auto& r : rows)
    if (!seen.count(r.id))
      throw core::Error(core::SourceLocation{table.file(), 0, 0}, "case_id", r.id,
                        "a layout row for every case of megatron2021_table1.csv");
}

std::vector<MegatronRow> load_megatron2021_rows(const std::filesystem::path& data_dir) {
  auto rows = load_megatron2021_table(data_dir / "validation" / "megatron2021_table1.csv");
  join_megatron2021_layouts(rows, data_dir / "validation" / "megatron2021_layouts.csv");
  return rows;
}

double megatron_flops_per_iteration(const MegatronRow& r) {
  const double B = static_cast<double>(r.global_batch), s = static_cast<double>(r.seq_len);
  const double l = static_cast<double>(r.layers), h = static_cast<double>(r.hidden);
  const double V = static_cast<double>(r.vocab);
  return 96.0 * B * s * l * h * h * (1.0 + s / (6.0 * h) + V / (16.0 * l * h));
}

training::Layout megatron2021_script_layout(const MegatronRow& row) {
  if (row.micro_batch < 1)
    throw core::Error("megatron2021: row " + row.id +
                      ": expected a row of data/validation/megatron2021_layouts.csv (examples/sc21/run_table_1.sh)");
  const long long per_stage = row.layers / row.pp;
  const int vpp = row.layers_per_virtual_stage > 0 ? static_cast<int>(per_stage / row.layers_per_virtual_stage) : 1;
  training::Layout l = megatron2021_layout(row, row.micro_batch, vpp);
  l.framework.overlap_grad_reduce = row.torch_ddp;
  return l;
}

training::Layout megatron2021_layout(const MegatronRow& row, long long micro_batch, int vpp) {
  training::Layout l =
      training::make_layout(row.gpus, row.tp, row.pp, 1, vpp, row.seq_len, row.global_batch, micro_batch);
  l.dp = row.dp;
  l.recompute = training::Recompute::kFull;
  l.zero = 0;
  l.sequence_parallel = false;
  l.dtype = core::Dtype::kBf16;  // fp16 in the paper: same A100 tensor-core peak
  l.framework.overlap_grad_reduce = false;
  l.framework.overlap_param_gather = false;
  l.framework.overlap_p2p = false;
  l.framework.p2p_scatter_gather = true;
  l.framework.flash_attention = false;
  l.framework.fused_grad_accumulation = false;  // gradient_accumulation_fusion came in 2022
  l.framework.grad_reduce_bytes = 2;
  return l;
}

}  // namespace xpusim::validation
