#include "validation/kernel_rows.hpp"

#include <algorithm>
#include <sstream>

#include "core/csv.hpp"
#include "core/error.hpp"

namespace xpusim::validation {
namespace {

double fa_forward_flops(const KernelRow& r, long long heads) {
  // flash-attention README convention: 4 * b * s^2 * h * d, halved when causal.
  const double f = 4.0 * r.batch * static_cast<double>(r.seq_len) * r.seq_len * heads * r.head_dim;
  return r.causal ? f / 2 : f;
}

}  // namespace

std::string_view KernelRow::source_key() const {
  // case ids are <family>_<source>_...: "gemm_vllm49363_h100_..." -> "gemm_vllm49363".
  const auto first = id.find('_');
  const auto second = first == std::string::npos ? first : id.find('_', first + 1);
  return std::string_view(id).substr(0, second);
}

std::string_view KernelRow::group() const {
  if (family == "gemm" || family.rfind("grouped_gemm", 0) == 0) return "gemm";
  if (family == "memory_bandwidth") return "memory";
  return family;
}

std::vector<KernelRow> load_kernel_rows(const std::filesystem::path& csv) {
  const auto table = core::CsvTable::load(csv);
  table.require_columns({"case_id", "kernel_family", "library", "metric", "value", "chip", "model_dtype", "use",
                         "note", "timing", "m", "n", "k", "batch", "heads", "kv_heads", "head_dim", "seq_len",
                         "causal", "direction", "message_bytes"});
  std::vector<KernelRow> rows;
  for (const auto& t : table.rows()) {
    KernelRow r;
    r.line = t.line();
    r.id = t.text("case_id");
    r.family = t.text("kernel_family");
    r.library = t.text("library");
    r.metric = t.text("metric");
    r.chip = t.text("chip");
    r.dtype = t.text("model_dtype");
    r.use = t.text("use");
    r.note = t.text("note");
    r.direction = t.text("direction");
    r.kernel_timed = t.text("timing") == "kernel";
    if (r.use != "fit" && r.use != "hold" && r.use != "exclude")
      throw core::Error(t.where(), "use", r.use, "one of fit, hold, exclude");
    if (r.excluded()) {
      rows.push_back(std::move(r));
      continue;
    }
    // A blank shape field means "not applicable" (0); the reader never guesses one.
    r.value = t.number_or("value", 0);
    r.m = t.integer_or("m", 0);
    r.n = t.integer_or("n", 0);
    r.k = t.integer_or("k", 0);
    r.batch = std::max<long long>(1, t.integer_or("batch", 0));
    r.heads = t.integer_or("heads", 0);
    r.kv_heads = t.integer_or("kv_heads", 0);
    r.head_dim = t.integer_or("head_dim", 0);
    r.seq_len = t.integer_or("seq_len", 0);
    r.message_bytes = t.number_or("message_bytes", 0);
    // Decode rows say "n/a (seqlen_q=1)": only an explicit yes is causal.
    r.causal = t.text("causal") == "yes";
    rows.push_back(std::move(r));
  }
  return rows;
}

RowPrediction predict_row(const KernelRow& r, const cost::CostModel& model) {
  using cost::AttentionKernel;
  using cost::OpCost;
  RowPrediction p;
  const auto dtype = core::parse_dtype(r.dtype).value_or(core::Dtype::kBf16);
  const std::string chip = model.chip().name();
  if (r.group() == "gemm") {
    model::GemmShape s{r.m, r.n, r.k, r.batch};
    OpCost c = r.family == "gemm" ? model.gemm(s, dtype) : model.grouped_gemm(s, dtype);
    if (r.kernel_timed) c.time_s -= model.params().kernel_launch_overhead;
    p.work_flops = 2.0 * r.m * r.n * r.k * r.batch;
    if (r.metric == "kernel_time") {
      p.unit = "us";
      p.published = r.value;
      p.predicted = c.time_s * 1e6;
    } else {
      p.unit = "TFLOP/s";
      p.published = r.value;
      p.predicted = p.work_flops / c.time_s / 1e12;
    }
    std::ostringstream d;
    d << "[gemm] " << chip << " " << r.dtype << " " << r.m << "x" << r.n << "x" << r.k;
    if (r.batch > 1) d << " x" << r.batch << (r.family == "gemm" ? " batched" : " groups");
    d << ", " << r.library << " (tile " << c.tile_m << "x" << c.tile_n << ", " << c.waves << " waves"
      << (c.split_k > 1 ? ", split-K " + std::to_string(c.split_k) : std::string()) << ")";
    p.description = d.str();
  } else if (r.group() == "attention") {
    // Rows without a head count are the flash-attention benchmark's, which fixes the model
    // width at 2048 (benchmarks/benchmark_flash_attention.py: nheads = dim // headdim).
    const long long heads = r.heads > 0 ? r.heads : 2048 / std::max<long long>(1, r.head_dim);
    model::AttentionShape s;
    s.batch = r.batch;
    s.heads = heads;
    s.kv_heads = r.kv_heads > 0 ? r.kv_heads : heads;
    s.head_dim = s.v_head_dim = r.head_dim;
    s.q_len = s.kv_len = r.seq_len;
    s.causal = r.causal;
    const auto kernel = r.library == "FlashAttention-3" ? AttentionKernel::kFlash3 : AttentionKernel::kFlash2;
    const bool with_bwd = r.direction.find("bwd") != std::string::npos || r.direction.empty();
    double t = model.attention(s, dtype, false, kernel).time_s;
    if (with_bwd) t += model.attention(s, dtype, true, kernel).time_s;
    const double fwd = fa_forward_flops(r, heads);
    p.work_flops = with_bwd ? 3.5 * fwd : fwd;
    p.unit = "TFLOP/s";
    p.published = r.value;
    p.predicted = p.work_flops / t / 1e12;
    std::ostringstream d;
    d << "[attention] " << chip << " " << r.library << " " << (with_bwd ? "fwd+bwd" : "fwd") << " b" << r.batch
      << " h" << heads << " d" << r.head_dim << " s" << r.seq_len << (r.causal ? " causal" : "");
    p.description = d.str();
  } else if (r.group() == "attention_decode") {
    model::AttentionShape s;
    s.batch = r.batch;
    s.heads = r.heads;
    s.kv_heads = r.kv_heads;
    s.head_dim = s.v_head_dim = r.head_dim;
    s.q_len = 1;
    s.kv_len = r.seq_len;
    s.causal = false;
    const OpCost c = model.attention(s, dtype, false);
    p.unit = "us";
    p.published = r.value;
    p.predicted = c.time_s * 1e6;
    std::ostringstream d;
    d << "[attention_decode] " << chip << " " << r.library << " b" << r.batch << " h" << r.heads << "/" << r.kv_heads
      << " d" << r.head_dim << " kv" << r.seq_len;
    p.description = d.str();
  } else {
    // Copy kernel: reads and writes `message_bytes`; the source counts both (2 x bytes / time).
    const OpCost c = model.memory_bound(r.message_bytes, r.message_bytes);
    p.unit = "GB/s";
    p.published = r.value;
    p.predicted = 2.0 * r.message_bytes / c.time_s / 1e9;
    std::ostringstream d;
    d << "[memory] " << chip << " HBM copy of " << r.message_bytes / 1e6 << " MB, " << r.library;
    p.description = d.str();
  }
  return p;
}

}  // namespace xpusim::validation
