#include "fleet/reliability.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

namespace xpusim::fleet {

const char* component_name(Component c) {
  switch (c) {
    case Component::kGpu: return "gpu";
    case Component::kHbm: return "hbm";
    case Component::kHost: return "host";
    case Component::kNetwork: return "network";
    case Component::kSoftware: return "software";
  }
  return "?";
}

double FailureRates::unexpected(long long gpus) const {
  double r = 0;
  for (double x : per_gpu) r += x;
  return r * static_cast<double>(gpus);
}

double FailureRates::component(Component c, long long gpus) const {
  return per_gpu[static_cast<std::size_t>(c)] * static_cast<double>(gpus);
}

double young_daly_interval(double write_s, double mtbf_s) {
  if (!std::isfinite(mtbf_s)) return std::numeric_limits<double>::infinity();
  return std::sqrt(2.0 * write_s * mtbf_s);
}

double expected_segment_time(double length_s, double rate, double recovery_s) {
  if (rate <= 0) return length_s;
  return std::expm1(rate * length_s) * (1.0 / rate + recovery_s);
}

namespace {

// The job as segments: `full` segments of interval + write, then one of remainder + write.
struct Segments {
  double full = 0;
  double full_len = 0;
  double last_len = 0;  // 0: no partial segment
};

Segments segments_of(const JobTimes& job) {
  Segments s;
  const double n = std::floor(job.work_s / job.interval_s * (1 + 1e-12));
  s.full = n;
  s.full_len = job.interval_s + job.write_s;
  const double rest = job.work_s - n * job.interval_s;
  if (rest > job.work_s * 1e-12) s.last_len = rest + job.write_s;
  return s;
}

}  // namespace

Expectation expected_time(const JobTimes& job) {
  Expectation e;
  e.ideal_s = job.work_s;
  const Segments s = segments_of(job);
  const double lam = job.rate_per_s;
  e.checkpoints = s.full + (s.last_len > 0 ? 1 : 0);
  e.expected_s = s.full * expected_segment_time(s.full_len, lam, job.recovery_s) +
                 (s.last_len > 0 ? expected_segment_time(s.last_len, lam, job.recovery_s) : 0.0);
  e.interruptions = lam > 0 ? s.full * std::expm1(lam * s.full_len) +
                                  (s.last_len > 0 ? std::expm1(lam * s.last_len) : 0.0)
                            : 0.0;
  e.checkpoint_s = e.checkpoints * job.write_s;
  e.recovery_s = e.interruptions * job.recovery_s;
  e.lost_work_s = std::max(0.0, e.expected_s - job.work_s - e.checkpoint_s - e.recovery_s);
  e.effective_fraction = e.expected_s > 0 ? job.work_s / e.expected_s : 1.0;
  return e;
}

namespace {

// splitmix64: independent, reproducible seeds per trial whatever the thread schedule.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

struct Trial {
  double time_s = 0;
  double interruptions = 0;
};

Trial run_trial(const JobTimes& job, const Segments& s, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::exponential_distribution<double> gap(job.rate_per_s > 0 ? job.rate_per_s : 1.0);
  Trial t;
  const auto segment = [&](double len) {
    if (job.rate_per_s <= 0) {
      t.time_s += len;
      return;
    }
    for (;;) {
      const double x = gap(rng);
      if (x >= len) {
        t.time_s += len;
        return;
      }
      t.time_s += x + job.recovery_s;
      t.interruptions += 1;
    }
  };
  const auto full = static_cast<long long>(s.full);
  for (long long i = 0; i < full; ++i) segment(s.full_len);
  if (s.last_len > 0) segment(s.last_len);
  return t;
}

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const auto hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

}  // namespace

MonteCarlo monte_carlo(const JobTimes& job, int trials, std::uint64_t seed, const core::ProgressFn& progress) {
  MonteCarlo mc;
  mc.trials = trials;
  mc.seed = seed;
  const Segments s = segments_of(job);
  std::vector<Trial> results(static_cast<std::size_t>(trials));
  core::parallel_for(
      results.size(), [&](std::size_t i) { results[i] = run_trial(job, s, mix(seed ^ mix(i))); }, progress);
  std::vector<double> times, counts;
  double fraction = 0;
  for (const auto& r : results) {
    times.push_back(r.time_s);
    counts.push_back(r.interruptions);
    mc.mean_s += r.time_s;
    mc.mean_interruptions += r.interruptions;
    fraction += job.work_s / r.time_s;
  }
  const double n = static_cast<double>(trials);
  mc.mean_s /= n;
  mc.mean_interruptions /= n;
  mc.mean_effective_fraction = fraction / n;
  mc.p10_s = quantile(times, 0.1);
  mc.p50_s = quantile(times, 0.5);
  mc.p90_s = quantile(times, 0.9);
  mc.p10_interruptions = quantile(counts, 0.1);
  mc.p90_interruptions = quantile(counts, 0.9);
  return mc;
}

}  // namespace xpusim::fleet
