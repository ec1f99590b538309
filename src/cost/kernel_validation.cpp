#include "cost/kernel_validation.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "core/error.hpp"

namespace xpusim::cost {
namespace {

// RFC 4180: quoted fields may hold commas, doubled quotes and line breaks.
std::vector<std::vector<std::string>> parse_csv(const std::string& text, std::vector<int>& lines) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  int line = 1, row_line = 1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
      lines.push_back(row_line);
      row_line = ++line;
    } else {
      field += c;
    }
  }
  if (!field.empty() || !row.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
    lines.push_back(row_line);
  }
  return rows;
}

double number(const std::string& text, const std::string& file, int line, const char* column) {
  if (text.empty()) return 0.0;
  double v = 0;
  const auto res = std::from_chars(text.data(), text.data() + text.size(), v);
  if (res.ec != std::errc() || res.ptr != text.data() + text.size())
    throw core::Error(core::SourceLocation{file, line, 0}, column, text, "a number");
  return v;
}

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
  std::ifstream in(csv, std::ios::binary);
  if (!in) throw core::Error(core::SourceLocation{csv.string(), 0, 0}, "file", csv.string(), "a readable CSV file");
  std::stringstream ss;
  ss << in.rdbuf();
  std::vector<int> lines;
  const auto table = parse_csv(ss.str(), lines);
  if (table.empty()) throw core::Error(core::SourceLocation{csv.string(), 1, 0}, "header", "", "a CSV header row");
  std::map<std::string, std::size_t> col;
  for (std::size_t i = 0; i < table[0].size(); ++i) col[table[0][i]] = i;
  const std::string file = csv.string();
  for (const char* needed : {"case_id", "kernel_family", "library", "metric", "value", "chip", "model_dtype", "use",
                             "note", "timing", "m", "n", "k", "batch", "heads", "kv_heads", "head_dim", "seq_len", "causal",
                             "direction", "message_bytes"}) {
    if (!col.count(needed)) throw core::Error(core::SourceLocation{file, 1, 0}, "header", needed, "a column named so");
  }
  std::vector<KernelRow> rows;
  for (std::size_t i = 1; i < table.size(); ++i) {
    const auto& t = table[i];
    if (t.size() == 1 && t[0].empty()) continue;
    if (t.size() != table[0].size())
      throw core::Error(core::SourceLocation{file, lines[i], 0}, "row", std::to_string(t.size()) + " fields",
                        std::to_string(table[0].size()) + " fields");
    auto get = [&](const char* c) -> const std::string& { return t[col[c]]; };
    auto num = [&](const char* c) { return number(get(c), file, lines[i], c); };
    KernelRow r;
    r.line = lines[i];
    r.id = get("case_id");
    r.family = get("kernel_family");
    r.library = get("library");
    r.metric = get("metric");
    r.chip = get("chip");
    r.dtype = get("model_dtype");
    r.use = get("use");
    r.note = get("note");
    r.direction = get("direction");
    r.kernel_timed = get("timing") == "kernel";
    if (r.use != "fit" && r.use != "hold" && r.use != "exclude")
      throw core::Error(core::SourceLocation{file, lines[i], 0}, "use", r.use, "one of fit, hold, exclude");
    if (r.excluded()) {
      rows.push_back(std::move(r));
      continue;
    }
    r.value = num("value");
    r.m = static_cast<long long>(num("m"));
    r.n = static_cast<long long>(num("n"));
    r.k = static_cast<long long>(num("k"));
    r.batch = std::max<long long>(1, static_cast<long long>(num("batch")));
    r.heads = static_cast<long long>(num("heads"));
    r.kv_heads = static_cast<long long>(num("kv_heads"));
    r.head_dim = static_cast<long long>(num("head_dim"));
    r.seq_len = static_cast<long long>(num("seq_len"));
    r.message_bytes = num("message_bytes");
    r.causal = get("causal") == "yes";
    rows.push_back(std::move(r));
  }
  return rows;
}

RowPrediction predict_row(const KernelRow& r, const CostModel& model) {
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

std::string kernels_tolerance() {
  return "held-out rows: GEMM median |error| <= 10% and every GEMM >= 1 GFLOP within 20%; attention median "
         "|error| <= 10% and every case within 25%; memory-bound and decode rows within 25%";
}

core::ValidationSuite kernels_suite(const hardware::Catalog& catalog, const std::filesystem::path& data_dir) {
  const auto rows = load_kernel_rows(data_dir / "calibration" / "gpu_kernels.csv");
  core::ValidationSuite suite;
  suite.name = "kernels";
  suite.tolerance = kernels_tolerance();
  std::map<std::string, std::vector<std::string>> excluded;  // reason -> ids
  std::map<std::string, int> missing_chip;
  const auto timings = memory::TimingCatalog::load(data_dir);
  std::map<std::string, CostModel> models;
  std::map<std::string, std::vector<double>> held;  // family -> |errors| of held-out rows
  std::vector<std::string> failures;
  for (const auto& r : rows) {
    if (r.excluded()) {
      excluded[r.note].push_back(r.id);
      continue;
    }
    const auto chip = catalog.find_chip(r.chip);
    if (!chip) {
      ++missing_chip[r.chip.empty() ? "(unmapped device)" : r.chip];
      continue;
    }
    auto it = models.find(r.chip);
    if (it == models.end()) {
      const auto hbm = hbm_model_for(*chip, timings);
      it = models.emplace(r.chip, CostModel(*chip, &hbm)).first;
    }
    const RowPrediction p = predict_row(r, it->second);
    core::ValidationCase c;
    c.id = r.id;
    c.description = p.description;
    c.unit = p.unit;
    c.published = p.published;
    c.predicted = p.predicted;
    c.calibration = r.calibration();
    suite.cases.push_back(c);
    if (c.calibration) continue;
    const std::string family(r.group() == "gemm" ? "gemm" : r.group() == "attention" ? "attention" : "memory");
    const double e = std::fabs(c.signed_error());
    held[family].push_back(e);
    const double limit = family == "gemm" ? 0.20 : 0.25;
    // Blackwell GEMM sources disagree with each other by more than the tolerance: reported, not
    // held to it (reason in the suite description).
    const bool reported_only = family == "gemm" && (r.chip == "gb200" || r.chip == "b200");
    if (e > limit && !reported_only && (family != "gemm" || p.work_flops >= 1e9)) {
      std::ostringstream f;
      f << r.id << " off by " << std::round(c.signed_error() * 1000) / 10 << "% (limit " << limit * 100 << "%)";
      failures.push_back(f.str());
    }
  }
  auto median = [](std::vector<double> v) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
  };
  for (const char* family : {"gemm", "attention"}) {
    const double m = median(held[family]);
    if (m > 0.10) {
      std::ostringstream f;
      f << family << " held-out median |error| " << std::round(m * 1000) / 10 << "% > 10%";
      failures.push_back(f.str());
    }
  }
  std::ostringstream desc;
  desc << "Measured GPU kernels (data/calibration/gpu_kernels.csv, copied from the reference gpu_kernels.csv) vs "
          "the tile-level cost model. Split: within each (family, chip, source, library, dtype) group, in file "
          "order, rows alternate between calibration (fit) and held-out, a single-row group going to fit; the "
          "H100 copy rows fit hbm_fabric_efficiency, the paged decode rows and every B200/MI325X/GH200 row "
          "(sibling-die values) are held out. DeepGEMM rows are profiler kernel times (no host launch). "
          "Held-out medians:";
  for (const auto& [family, errs] : held)
    desc << " " << family << " " << std::round(median(errs) * 1000) / 10 << "% (" << errs.size() << " rows, max "
         << std::round((errs.empty() ? 0 : *std::max_element(errs.begin(), errs.end())) * 1000) / 10 << "%)";
  desc << ". Blackwell (gb200, b200) GEMM rows are shown but not held to the 20% bound: the Azure cuBLASLt fp8 "
          "sweep plateaus at 2.9 PFLOP/s on GB200 while the MAMF shape search reports 3.6 PFLOP/s on the same chip "
          "(25% apart), so one efficiency cannot meet both. Excluded rows, by reason:";
  for (const auto& [reason, ids] : excluded) desc << " [" << ids.size() << " rows: " << reason << "]";
  for (const auto& [chip, n] : missing_chip) desc << " [" << n << " rows: chip " << chip << " not in the catalog]";
  suite.description = desc.str();
  suite.passed = failures.empty() && !suite.cases.empty();
  for (const auto& f : failures) suite.failure += (suite.failure.empty() ? "" : "; ") + f;
  if (suite.cases.empty()) suite.failure = "no calibration row matched a catalog chip";
  return suite;
}

memory::AnalyticalModel hbm_model_for(const hardware::Chip& chip, const memory::TimingCatalog& timings) {
  return memory::AnalyticalModel::for_memory_system(chip.memory(), timings);
}


namespace {

struct Bounds {
  double lo, hi;
};

Bounds param_bounds(std::string_view name) {
  if (name == "l2_bandwidth") return {1e12, 60e12};
  // A raw cuLaunchKernel alone costs 1.3-3.3 us (GB200 rows of the reference data).
  if (name == "kernel_launch_overhead") return {2e-6, 12e-6};
  // A tile cannot start or finish in fewer cycles than one L2/HBM round trip for its first
  // operands (~600-800 cycles) plus storing its output tile through shared memory.
  if (name == "gemm_tile_overhead_cycles" || name == "attention_tile_overhead_cycles") return {1000, 20000};
  if (name == "attention_softmax_cycles_per_element") return {0.01, 1.0};
  if (name == "hbm_fabric_efficiency") return {0.3, 1.0};
  if (name == "gemm_overlap_exponent") return {2.0, 16.0};
  if (name == "attention_fa2_softmax_overlap" || name == "attention_fa3_softmax_overlap") return {0.0, 1.0};
  return {0.2, 1.0};  // efficiencies and ratios
}

double fit_loss(const std::vector<const KernelRow*>& rows, const hardware::Chip& chip, const CostParams& p,
                const memory::AnalyticalModel* hbm) {
  const CostModel model(chip, p, hbm);
  double loss = 0;
  for (const KernelRow* r : rows) {
    const RowPrediction pr = predict_row(*r, model);
    if (pr.published <= 0 || pr.predicted <= 0) continue;
    const double e = std::log(pr.predicted / pr.published);
    loss += e * e;
  }
  return loss;
}

}  // namespace

namespace {

CostParams coordinate_descent(const std::vector<const KernelRow*>& rows, const hardware::Chip& chip, CostParams p,
                              const std::vector<std::string>& names, const memory::AnalyticalModel* hbm) {
  for (const auto& n : names) {
    double* v = cost_param(p, n);
    if (v == nullptr) throw core::Error("internal: unknown cost parameter '" + n + "'");
    const Bounds b = param_bounds(n);
    *v = std::clamp(*v, b.lo, b.hi);
  }
  double best = fit_loss(rows, chip, p, hbm);
  std::vector<double> step(names.size(), 0.25);
  for (int iter = 0; iter < 200 && !names.empty(); ++iter) {
    bool improved = false;
    for (std::size_t i = 0; i < names.size(); ++i) {
      const double* v = cost_param(p, names[i]);
      if (v == nullptr) throw core::Error("internal: unknown cost parameter '" + names[i] + "'");
      const Bounds b = param_bounds(names[i]);
      bool moved = false;
      for (const double sign : {1.0, -1.0}) {
        CostParams q = p;
        double* qv = cost_param(q, names[i]);
        // Additive steps for overheads that may fit to zero, multiplicative for the rest.
        const double scale = std::max(std::fabs(*v), 0.05 * b.hi);
        *qv = std::clamp(*v + sign * step[i] * scale, b.lo, b.hi);
        const double l = fit_loss(rows, chip, q, hbm);
        if (l < best - 1e-12) {
          best = l;
          p = q;
          moved = improved = true;
          break;
        }
      }
      if (!moved) step[i] *= 0.6;
    }
    if (!improved && *std::max_element(step.begin(), step.end()) < 1e-3) break;
  }
  return p;
}

}  // namespace

CostParams fit_cost_params(const std::vector<KernelRow>& rows, const hardware::Chip& chip, CostParams start,
                           const std::vector<std::string>& names, const memory::AnalyticalModel* hbm) {
  // One joint fit: the fabric efficiency sees the copy rows and the weight-streaming GEMMs alike
  // (a copy-only fit under-predicts read streams: see docs/cost_model.md).
  std::vector<const KernelRow*> fit_rows;
  for (const auto& r : rows)
    if (r.calibration() && r.chip == chip.name()) fit_rows.push_back(&r);
  return coordinate_descent(fit_rows, chip, start, names, hbm);
}

std::vector<std::string> identifiable_params(const std::vector<KernelRow>& rows, const std::string& chip) {
  // Rows that can identify each parameter; none is fitted to fewer than kMinRows rows.
  constexpr int kMinRows = 2;
  int gemm16 = 0, gemm8 = 0, fa2 = 0, fa3 = 0, fa_bwd = 0, fa2_fwd = 0, memory = 0;
  for (const auto& r : rows) {
    if (!r.calibration() || r.chip != chip) continue;
    if (r.group() == "gemm") {
      ++(r.dtype == "fp8" ? gemm8 : gemm16);
    } else if (r.group() == "attention") {
      const bool bwd = r.direction.find("bwd") != std::string::npos || r.direction.empty();
      ++(r.library == "FlashAttention-3" ? fa3 : fa2);
      if (bwd) ++fa_bwd;
      if (!bwd && r.library == "FlashAttention-2") ++fa2_fwd;
    } else if (r.group() == "memory") {
      ++memory;
    }
  }
  std::vector<std::string> names;
  if (gemm16 >= kMinRows) names.push_back("gemm_mainloop_efficiency");
  if (gemm8 >= kMinRows) names.push_back("gemm_mainloop_efficiency_fp8");
  // Shape-dependent terms need a spread of shapes, not a few headline rows.
  if (gemm16 + gemm8 >= 6) {
    names.insert(names.end(),
                 {"gemm_tile_overhead_cycles", "l2_bandwidth", "kernel_launch_overhead", "gemm_overlap_exponent"});
  }
  // Only streaming rows identify the fabric efficiency; from GEMM rows alone it trades off
  // against the compute terms.
  if (memory >= kMinRows) names.push_back("hbm_fabric_efficiency");
  if (fa2 >= kMinRows) names.push_back("attention_fa2_efficiency");
  if (fa3 >= kMinRows) names.push_back("attention_fa3_efficiency");
  // The overlaps need a head-dim spread (the softmax share halves as head_dim doubles).
  if (fa2 >= 6) names.push_back("attention_fa2_softmax_overlap");
  if (fa3 >= 6) names.push_back("attention_fa3_softmax_overlap");
  // The softmax cost per element is the SFU exp rate (hardware), not fitted.
  if (fa2 + fa3 >= 6) names.push_back("attention_tile_overhead_cycles");
  if (fa_bwd >= kMinRows && fa2_fwd >= kMinRows) names.push_back("attention_bwd_efficiency_ratio");
  return names;
}

}  // namespace xpusim::cost
