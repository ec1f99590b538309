#pragma once

#include <atomic>
#include <csignal>
#include <string>

#include "core/parallel.hpp"

namespace xpusim::cli {

// A progress bar on stderr with count, rate and ETA ("search [#####   ] 41% 1.2M/2.9M layouts
// 3.1M/s ETA 0.6s"); empty (no output) when stderr is not a terminal.
core::ProgressFn rate_progress(std::string label, std::string unit);

// While alive, Ctrl-C sets stop() instead of killing the process, so a long search or sweep can
// end with what it has; a second Ctrl-C kills as usual. Restores the previous handler on exit.
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
  const std::atomic<bool>* stop() const;
  bool interrupted() const;

 private:
  void (*previous_)(int) = SIG_DFL;
};

// Exit status after an interrupt (128 + SIGINT, as shells report it).
inline constexpr int kInterruptedExit = 130;

}  // namespace xpusim::cli
