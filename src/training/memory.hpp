#pragma once

#include <vector>

#include "model/architecture.hpp"
#include "training/layout.hpp"

namespace xpusim::training {

// What one layer keeps for backward, for one micro-batch on one GPU.
struct ActivationShape {
  long long micro_batch = 1;
  long long seq_len = 2048;  // whole sequence (CP divides it)
  int tp = 1, cp = 1, etp = 1;
  bool sp = false;        // sequence parallel: the replicated part is divided by tp too
  bool flash = true;      // flash attention: no s^2 score matrices kept
  bool dropout = false;   // GPT-2 style dropout masks (1 byte per element)
  double gemm_input_bytes = 2;  // saved inputs of the linear layers: 1 with FP8 (kept quantised)
  bool operator==(const ActivationShape&) const = default;
};

// Activation bytes of one transformer layer without recomputation, generalised from Korthikanti
// et al. 2022 ("Reducing Activation Recomputation in Large Transformer Models", Sec. 4.1, eq. 1-2):
// for GPT (plain 4h MLP, MHA, dropout, no flash) it is s*b*h*(34 + 5*a*s/h) bytes, with TP
// s*b*h*(10 + 24/t + 5*a*s/(h*t)), with TP+SP s*b*h/t*(34 + 5*a*s/h). GQA, gated MLPs, MoE and
// CP are counted the same way, element by element (bf16 = 2 bytes, masks = 1 byte).
// Contract: pure arithmetic, no allocation.
double layer_activation_bytes(const model::Architecture& arch, bool moe_layer, const ActivationShape& s);
// Selective recomputation (Korthikanti Sec. 4.2): the attention core is recomputed, so its score
// matrices (5*a*s^2*b) are not kept; everything else is.
double layer_activation_bytes_selective(const model::Architecture& arch, bool moe_layer,
                                        const ActivationShape& s);
// Full recomputation keeps only each layer's input: 2*s*b*h bytes (divided by tp with SP, by cp).
double layer_checkpoint_bytes(const model::Architecture& arch, const ActivationShape& s);

// Micro-batches whose activations the first pipeline stage holds at its peak, in units of "one
// micro-batch through all layers of the stage". 1F1B: min(p, m) (Narayanan et al. 2021 Sec. 2.2).
// Interleaved with v chunks: Megatron's warm-up keeps (p-1)*2 + (v-1)*p + 1 chunks of L/(p*v)
// layers, i.e. 1 + (p-1)/(p*v) times the 1F1B amount when m >= p (Korthikanti Sec. 4.2.3).
double inflight_stage_microbatches(int pp, int vpp, long long microbatches);
// The same for pipeline stage `stage` (0 = first): min(p - s, m) with 1F1B; with v chunks the
// (p - s - 1)*2 + (v - 1)*p + 1 chunks of its warm-up (capped at m*v), divided by v.
double stage_inflight_microbatches(int pp, int vpp, long long microbatches, int stage);

// Peak activation bytes stage `stage` holds under Megatron's (interleaved) 1F1B schedule, given
// the bytes one micro-batch leaves in each of its vpp model chunks (chunk_bytes[v] for chunk
// v*pp + stage). Walks the schedule's order (Megatron-LM schedules.py,
// forward_backward_pipelining_with_interleaving: warm-up of 2*(pp-stage-1) + (vpp-1)*pp chunk
// forwards, then one forward and one backward each; forward k runs chunk (k mod pp*vpp)/pp,
// backward k chunk vpp-1 - (k mod pp*vpp)/pp), so uneven chunks (an embedding-only first chunk,
// a head-only last one) count what each really holds, not an average.
double stage_peak_activation_bytes(int pp, int vpp, long long microbatches, int stage,
                                   const std::vector<double>& chunk_bytes);

}  // namespace xpusim::training
