#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/parallel.hpp"

namespace xpusim::fleet {

// What interrupts a training job, by the component that failed (Llama 3 Table 5 grouping).
enum class Component { kGpu, kHbm, kHost, kNetwork, kSoftware };
inline constexpr std::array<Component, 5> kComponents{Component::kGpu, Component::kHbm, Component::kHost,
                                                      Component::kNetwork, Component::kSoftware};
const char* component_name(Component c);  // "gpu", "hbm", "host", "network", "software"

// Interruption rates of a job: each component fails at a constant rate per GPU (so a job's
// unexpected rate grows linearly with its GPU count), plus planned interruptions (maintenance,
// operator changes) at a rate per job. Rates are per second.
struct FailureRates {
  std::array<double, 5> per_gpu{};  // indexed by Component
  double planned_per_job = 0;

  double unexpected(long long gpus) const;    // sum over components x gpus
  double total(long long gpus) const { return unexpected(gpus) + planned_per_job; }
  double component(Component c, long long gpus) const;
};

// One training job as the failure model sees it: the useful work, the checkpoint cadence and
// what one interruption costs besides the lost work.
// Contract: work_s > 0, interval_s > 0, rate_per_s >= 0, write_s/recovery_s >= 0.
struct JobTimes {
  double work_s = 0;      // failure-free, checkpoint-free training time (ideal)
  double rate_per_s = 0;  // interruptions per second of running time
  double interval_s = 0;  // work between checkpoints
  double write_s = 0;     // blocking checkpoint write, after each interval (also after the last)
  double recovery_s = 0;  // per interruption: restart (detect, reschedule, init) + checkpoint restore
};

// Young's first-order optimum interval sqrt(2 * write * MTBF) (Young 1974; Daly 2006 shows it is
// the leading term of the exact optimum for write << MTBF). Infinite MTBF (rate 0) -> infinity.
double young_daly_interval(double write_s, double mtbf_s);

// Expected wall time to complete `length_s` of uninterruptible work (work + checkpoint write) when
// interruptions arrive as a Poisson process of `rate` while running, each costing the work done
// so far plus `recovery_s` (no failures during recovery): (e^{rate*L} - 1) * (1/rate + recovery).
double expected_segment_time(double length_s, double rate, double recovery_s);

// The analytical expectation of a whole job (segments of interval + write, the last one shorter).
struct Expectation {
  double ideal_s = 0;             // work_s
  double expected_s = 0;          // expected wall time
  double interruptions = 0;       // expected count
  double checkpoints = 0;         // writes (ceil of work / interval)
  double checkpoint_s = 0;        // time writing checkpoints
  double recovery_s = 0;          // time restarting and restoring
  double lost_work_s = 0;         // work redone after interruptions (includes interrupted writes)
  double effective_fraction = 0;  // ideal / expected: effective training time ratio
};
Expectation expected_time(const JobTimes& job);

// Monte Carlo of the same process: interruption times drawn per segment from the exponential
// distribution with std::mt19937_64(seed). Deterministic for a seed (one stream per trial).
struct MonteCarlo {
  int trials = 0;
  std::uint64_t seed = 0;
  double mean_s = 0, p10_s = 0, p50_s = 0, p90_s = 0;
  double mean_interruptions = 0, p10_interruptions = 0, p90_interruptions = 0;
  double mean_effective_fraction = 0;
};
// Contract: trials >= 1; progress, when set, is called with (trials done, trials).
MonteCarlo monte_carlo(const JobTimes& job, int trials, std::uint64_t seed, const core::ProgressFn& progress = {});

}  // namespace xpusim::fleet
