#include "validation/registry.hpp"

#include "validation/collectives_suite.hpp"
#include "validation/hbm_suite.hpp"
#include "validation/inference_suite.hpp"
#include "validation/fleet_suite.hpp"
#include "validation/kernels_suite.hpp"
#include "validation/llama3_suite.hpp"
#include "validation/megatron2021_suite.hpp"
#include "validation/nemo_h100_suite.hpp"
#include "validation/stack_runs_suite.hpp"

namespace xpusim::validation {

std::vector<SuiteEntry> builtin_suites() {
  std::vector<SuiteEntry> suites;
  suites.push_back({"kernels", "GEMM, attention and memory kernels vs the operator cost model",
                    [](const SuiteInputs& in) { return kernels_suite(in.catalog, in.timings, in.data_dir); }});
  suites.push_back({"megatron2021", "Megatron-LM 2021 Table 1 GPT runs on Selene vs the training step model",
                    [](const SuiteInputs& in) { return megatron2021_suite(in.catalog, in.timings, in.data_dir); }});
  suites.push_back({"collectives", "nccl-tests bus bandwidths vs the collective model on the link hierarchy",
                    [](const SuiteInputs& in) { return collectives_suite(in.catalog, in.data_dir); }});
  suites.push_back({"llama3", "Llama 3 405B on 8K-16K H100s (held out) vs the training step model",
                    [](const SuiteInputs& in) { return llama3_suite(in.catalog, in.timings, in.data_dir); }});
  suites.push_back({"nemo-h100", "Megatron-Bridge DGX-H100 FP8 Llama runs (held out) vs the training step model",
                    [](const SuiteInputs& in) { return nemo_h100_suite(in.catalog, in.timings, in.data_dir); }});
  suites.push_back({"hbm", "HBM simulator vs derived device bounds; GPU memory rows through the host access model",
                    [](const SuiteInputs& in) { return hbm_suite(in.catalog, in.timings, in.data_dir); }});
  suites.push_back({"fsdp-a100", "MosaicML PyTorch FSDP MPT runs on A100-40/80GB vs the step model, stack pytorch-fsdp",
                    [](const SuiteInputs& in) { return fsdp_a100_suite(in.catalog, in.timings, in.data_dir); }});
  suites.push_back({"nemo2407", "NeMo 24.07 DGX-H100 FP8 pre-training runs vs the step model, stack nemo",
                    [](const SuiteInputs& in) { return nemo2407_suite(in.catalog, in.timings, in.data_dir); }});
  suites.push_back({"inference", "Published LLM serving runs (vLLM, LMDeploy, gpt-fast, NIM/TensorRT-LLM) vs xpusim serve",
                    [](const SuiteInputs& in) { return inference_suite(in.catalog, in.timings, in.data_dir); }});
  suites.push_back({"fleet", "Failure model (Llama 3 405B fit, Meta research clusters held out) and the 600,000 H100-equivalents",
                    [](const SuiteInputs& in) { return fleet_suite(in.catalog, in.timings, in.data_dir); }});
  return suites;
}

const SuiteEntry* find_suite(const std::vector<SuiteEntry>& suites, std::string_view name) {
  for (const auto& s : suites)
    if (s.name == name) return &s;
  return nullptr;
}

}  // namespace xpusim::validation
