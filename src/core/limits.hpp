#pragma once

// Sizes past these are typos or hostile input, not workloads: each is far past anything published,
// and keeps the arithmetic of the layers above exact (no int64 overflow, no loop of ~2^40 steps).
// Parsers and flags refuse larger values with an exit-2 message naming the limit.
namespace xpusim::core {

// Tokens in one sequence: 2^27 = 134,217,728, 13x the longest published context window (10M).
inline constexpr long long kMaxSequenceTokens = 1LL << 27;
// Tokens of one forward pass (op model --tokens): 2^40.
inline constexpr long long kMaxTokens = 1LL << 40;
// A model width or count read from a config.json (hidden, MLP width, vocabulary, heads, experts).
inline constexpr long long kMaxModelDim = 1LL << 24;
// Transformer layers in a config.json (the largest published models have ~130).
inline constexpr long long kMaxLayers = 100000;
// Parameters of one model: 1e15, ~1000x the largest published.
inline constexpr double kMaxModelParams = 1e15;
// Requests of one serving simulation: 1e7 (about 100 s of host time and 1 GB of request state;
// published serving benchmarks use 1,000-10,000).
inline constexpr long long kMaxServeRequests = 10'000'000;

}  // namespace xpusim::core
