#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "hardware/sourced.hpp"

namespace xpusim::serving {

enum class Preemption { kRecompute, kSwap };
// How an engine admits a request: vLLM/SGLang admit while blocks for the next chunk are free and
// preempt when decode runs out; TensorRT-LLM's default capacity scheduler (GUARANTEED_NO_EVICT)
// admits only when blocks for the whole prompt and output are free, and never preempts.
enum class Admission { kOptimistic, kGuaranteedNoEvict };

// A serving engine's defaults and per-step software costs, read from data/engines/<name>.yaml.
// Contract: every number is read with its source (documented default, fit, or "estimate: …");
// overheads are physical (CPU time per iteration, per running sequence, GPU gap per kernel) so
// that a value fitted on one GPU and model transfers to others.
struct EngineProfile {
  std::string name, display_name;
  int block_size = 16;                   // tokens per KV block
  int max_num_seqs = 256;                // running sequences at most
  long long max_batched_tokens = 8192;   // tokens per iteration (prefill + decode)
  bool chunked_prefill = true;           // the token budget is shared by prefill chunks and decodes
  bool prefill_all_waiting = false;      // see SchedulerOptions::prefill_all_waiting
  bool first_token_from_decode = false;  // see SchedulerOptions::first_token_from_decode
  bool prefix_caching = true;
  Preemption preemption = Preemption::kRecompute;
  Admission admission = Admission::kOptimistic;
  // KV capacity: `memory_fraction` of the device (vLLM gpu_memory_utilization) minus weights,
  // the activation peak of a max_batched_tokens forward and `non_torch_memory`; or, with
  // `fraction_of_free` (TensorRT-LLM, LMDeploy), that fraction of what is free after weights.
  double memory_fraction = 0.9;
  bool fraction_of_free = false;
  double non_torch_memory_bytes = 1.0 * (1ull << 30);
  bool cuda_graphs = true;
  long long cuda_graph_max_tokens = 512;  // largest batch (tokens) captured in a graph
  double step_overhead_s = 0;             // CPU per iteration not hidden behind the GPU
  double per_seq_overhead_s = 0;          // CPU per running sequence per iteration
  double per_seq_overhead_max_s = 200e-6;  // fitting prior: the most a runtime of this kind spends
  double graph_kernel_gap_s = 1e-6;       // GPU idle between kernels replayed from a graph
  double prefill_seq_overhead_s = 0;      // per prefill chunk scheduled (input prep, metadata)
  // Achieved fraction of the operator model's kernel speed in this engine's kernels (its GEMM
  // and attention libraries on this platform); 1 = the cost layer's calibrated kernels.
  // device_efficiency scales the memory side of each operator's roofline (achieved HBM stream
  // of the engine's GEMMs and memory-bound kernels); compute_efficiency the tensor-core side
  // (16-bit, and 8-bit for fp8 GEMMs); an operator takes the slower of the two, so an engine
  // whose small-M GEMM kernels are slow turns compute-bound at a smaller batch.
  double device_efficiency = 1.0;
  double compute_efficiency = 1.0;
  double compute_efficiency_fp8 = 1.0;
  // Same for its attention kernels (paged decode attention's share of the HBM stream rate,
  // prefill attention's of the flash kernel's rate).
  double attention_efficiency = 1.0;
  // Weight-only (int8/int4, fp8 on chips without fp8 math) GEMMs unpack every weight before the
  // MMA: elements unpacked per SM per cycle (0: free).
  double dequant_elements_per_sm_cycle = 0;
  // One-shot custom all-reduce for small TP messages (vLLM, SGLang, TensorRT-LLM plugins): its
  // latency; the faster of it and the collective model's NCCL algorithms is used (0: NCCL only).
  double custom_allreduce_latency_s = 0;
  // Without a custom all-reduce: the least time one library (NCCL/RCCL) all-reduce call takes
  // in this engine (launch, proxy and synchronisation), where it exceeds the collective model's.
  double allreduce_min_latency_s = 0;
  std::string file;
  hardware::SourceMap sources;
};

// A shipped engine name ("vllm" -> <data_dir>/engines/vllm.yaml) or a YAML file. Unknown names
// throw core::Error::flag("--engine", ...) listing the shipped ones; bad fields name file:line.
EngineProfile load_engine(const std::string& name_or_file, const std::filesystem::path& data_dir);
std::vector<std::string> builtin_engine_names(const std::filesystem::path& data_dir);

const char* preemption_name(Preemption p);  // "recompute" | "swap"

}  // namespace xpusim::serving
