#pragma once

#include <vector>

#include "training/step_model.hpp"

namespace xpusim::training {

// One forward or backward of one micro-batch chunk on one pipeline stage.
struct ScheduleEvent {
  int stage = 0;
  bool backward = false;
  long long microbatch = 0;
  int chunk = 0;
  double start_s = 0, duration_s = 0;
  double comm_s = 0;  // exposed TP/CP/EP communication inside it
};

// Replays Megatron's 1F1B (vpp == 1) or interleaved 1F1B schedule (warm-up of
// (p - s - 1) * 2 + (v - 1) * p chunks on stage s) with each stage's per-micro-batch times and the
// p2p time between stages. Used for the trace; the step model uses the closed form.
// Contract: one event per (stage, micro-batch, chunk, direction); events of a stage do not overlap.
std::vector<ScheduleEvent> simulate_pipeline(int pp, int vpp, long long microbatches,
                                             const std::vector<StageTime>& stages, double p2p_s);

}  // namespace xpusim::training
