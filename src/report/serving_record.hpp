#pragma once

#include <string>

#include "report/record.hpp"
#include "serving/search.hpp"
#include "serving/serve.hpp"

namespace xpusim::report {

// `xpusim serve` record (issue keys first: simulated_requests, elapsed_s, throughputs, ttft_s,
// tpot_s, e2e_latency_s as {mean,p50,p90,p99}, goodput, KV cache, concurrency, preemptions,
// prefix hit rate), then the deployment and the KV capacity breakdown.
Record serving_record(const serving::ServeResult& result, const serving::ServeSpec& spec,
                      const serving::EngineProfile& engine, const std::string& model, const std::string& system);

// `xpusim serve --search` record: the deployment searched and its best `top` candidates by
// goodput per GPU under the SLO.
Record serving_search_record(const std::vector<serving::SearchCandidate>& candidates, std::size_t top,
                             const serving::ServeSpec& spec, const serving::EngineProfile& engine,
                             const std::string& model, const std::string& system);

// Perfetto/Chrome trace of the recorded iterations of replica 0: one slice per iteration (args:
// prefill tokens, decode sequences) and counters for KV blocks used, running and waiting requests.
Record serving_trace(const serving::ServeResult& result);

}  // namespace xpusim::report
