#pragma once

#include <filesystem>

#include "core/validation.hpp"
#include "hardware/catalog.hpp"

namespace xpusim::training {

// `xpusim validate --suite llama3`: the Llama 3 405B pre-training configurations Meta published
// (Grattafiori et al. 2024, "The Llama 3 Herd of Models", arXiv:2407.21783, Table 4: 8,192 and
// 16,384 H100s, TP8 PP16, CP1 at 8K and CP16 at 128K context, 16M tokens per batch), held out:
// nothing was fitted on them. Meta's FLOP convention is not stated; both sides are converted with
// 6*N + 6*l*h*s per token (causal attention), so the comparison is one of step times.
// Contract: informative tolerance, every row within 15%.
core::ValidationSuite llama3_suite(const hardware::Catalog& catalog, const std::filesystem::path& data_dir);

// `xpusim validate --suite nemo-h100`: the dense DGX-H100 pre-training rows of NVIDIA's
// Megatron-Bridge performance summary (NeMo 25.11 container; docs/performance-summary.md of
// NVIDIA-NeMo/Megatron-Bridge): Llama 3 8B/70B and Llama 3.1 405B in FP8 with their published
// layouts, compared in tokens/s per GPU (no FLOP convention involved). Held out.
// Contract: informative tolerance, every row within 20%.
core::ValidationSuite nemo_h100_suite(const hardware::Catalog& catalog, const std::filesystem::path& data_dir);

}  // namespace xpusim::training
