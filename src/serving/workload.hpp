#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace xpusim::serving {

// One request: when it arrives, its prompt and output lengths, and an optional shared prefix
// (`prefix_tokens` leading prompt tokens identical across requests with the same `prefix_id`).
struct Request {
  double arrival_s = 0;
  int input_tokens = 0;
  int output_tokens = 0;
  long long prefix_id = -1;
  int prefix_tokens = 0;
  long long session_id = -1;
};

// A length distribution: fixed, uniform [a, b], log-normal (median a, sigma b of ln), or a
// histogram of (tokens, weight) bins sampled within each bin.
struct LengthDistribution {
  enum class Kind { kFixed, kUniform, kLogNormal, kHistogram };
  Kind kind = Kind::kFixed;
  double a = 0, b = 0;
  std::vector<std::pair<double, double>> bins;  // upper edge (tokens), weight; edges ascending
  std::string source;                           // where a shipped histogram came from
  double mean() const;
};

// "1000", "uniform:100:2000", "lognormal:MEDIAN:SIGMA", or a histogram file (CSV with columns
// `tokens,weight`, or a shipped name under data/workloads/, e.g. "azure-conv-2023-input").
// Throws core::Error naming `flag` and the text.
LengthDistribution parse_length(const std::string& text, const std::string& flag,
                                const std::filesystem::path& data_dir);

enum class ArrivalKind { kOffline, kPoisson, kGamma };

struct WorkloadSpec {
  long long num_requests = 1000;
  LengthDistribution input, output;
  ArrivalKind arrival = ArrivalKind::kOffline;
  double rate_per_s = 0;   // mean arrivals per second (Poisson, Gamma)
  double burstiness = 1;   // Gamma shape: 1 = Poisson, < 1 burstier (vLLM bench's --burstiness)
  double shared_prefix_fraction = 0;  // leading share of each prompt common to its prefix group
  long long prefix_groups = 1;        // distinct shared prefixes (requests cycle through them)
  std::uint64_t seed = 0;
};

// Requests in arrival order. Contract: the same spec (seed included) gives the same requests.
std::vector<Request> generate_workload(const WorkloadSpec& spec);

// Trace replay: JSONL (one object per line) or CSV, with arrival_s, input_tokens, output_tokens
// and optional session_id, prefix_id, prefix_tokens. Rows are sorted by arrival. Errors name
// file:line and the field.
std::vector<Request> load_trace(const std::filesystem::path& path);

}  // namespace xpusim::serving
