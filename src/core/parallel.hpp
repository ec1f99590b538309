#pragma once

#include <cstddef>
#include <functional>

namespace xpusim::core {

// Called with (done, total) as long work advances; the CLI draws a progress bar from it.
// The library never prints, so progress is reported only through this callback.
using ProgressFn = std::function<void(std::size_t done, std::size_t total)>;

// Runs body(i) for i in [0, n) on the oneTBB worker pool (threads = 0: all cores).
// Contract: body must be safe to call concurrently for different i; progress, if set, is called
// from one thread at a time with a monotonically increasing `done`.
void parallel_for(std::size_t n, const std::function<void(std::size_t)>& body,
                  const ProgressFn& progress = {}, std::size_t threads = 0);

}  // namespace xpusim::core
