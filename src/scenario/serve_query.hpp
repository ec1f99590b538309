#pragma once
// A serving simulation as a user asks for it (`xpusim serve`'s flags, Python's serve() keywords),
// and its resolution into the serving simulator's inputs: one road for the CLI and the module.
#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "cost/collective.hpp"
#include "scenario/session.hpp"
#include "serving/engine.hpp"
#include "serving/serve.hpp"
#include "serving/workload.hpp"

namespace xpusim::scenario {

// Field names are the CLI flags without "--", dashes as underscores; empty text or 0 means the
// engine's or the command's default. Errors name the flag (`--rate`).
struct ServeQuery {
  std::string model = "llama3-8b", system = "dgx-h100", engine = "vllm", dtype = "bf16", kv_dtype = "auto";
  std::string scheduler = "continuous", input_len = "1000", output_len = "250", workload, arrival;
  std::string chunked_prefill, prefix_caching, preemption, disaggregate;
  int gpus = 0, tp = 1, pp = 1, ep = 1, max_num_seqs = 0, spec_tokens = 0, prefix_groups = 1, concurrency = 0;
  long long max_batched_tokens = 0, num_requests = 1000;
  double rate = 0, burstiness = 1, slo_ttft = 0, slo_tpot = 0, spec_acceptance = 0.7, shared_prefix = 0;
  std::uint64_t seed = 0;
  bool keep_trace = false;  // keep the iteration timeline (for --trace)
  std::vector<std::string> sets;
};

// The query's fields as keywords (Python) and flags (`--` + name, '_' as '-'): one table, so
// the two cannot drift apart. `set` is repeatable.
struct ServeField {
  using Member = std::variant<std::string ServeQuery::*, int ServeQuery::*, long long ServeQuery::*,
                              double ServeQuery::*, std::uint64_t ServeQuery::*, std::vector<std::string> ServeQuery::*>;
  const char* name;
  const char* help;
  Member member;
  bool show_default = true;
  std::string flag() const;
  // Sets the field from text as the flag would read it; throws core::Error naming the flag.
  void apply(ServeQuery& q, const std::string& text) const;
};
const std::vector<ServeField>& serve_fields();
const ServeField* find_serve_field(const std::string& name);

// What simulate_serving / search_serving take. Owns the models the spec's pointers refer to.
struct ServeSetup {
  std::shared_ptr<const hardware::System> system;
  std::shared_ptr<const model::Architecture> arch;
  std::shared_ptr<const cost::CostModel> cost;
  std::unique_ptr<cost::CollectiveModel> collectives;
  serving::EngineProfile engine;
  serving::ServeSpec spec;
  std::vector<serving::Request> requests;
};

// Throws core::Error naming the flag, the value and what was expected.
ServeSetup resolve_serve(const Session& session, const ServeQuery& q);

}  // namespace xpusim::scenario
