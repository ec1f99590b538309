#include "core/parallel.hpp"

#include <tbb/blocked_range.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>

#include <atomic>
#include <memory>
#include <mutex>

namespace xpusim::core {

void parallel_for(std::size_t n, const std::function<void(std::size_t)>& body,
                  const ProgressFn& progress, std::size_t threads) {
  std::unique_ptr<tbb::global_control> limit;
  if (threads > 0)
    limit = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, threads);
  std::atomic<std::size_t> done{0};
  std::mutex report;
  std::size_t reported = 0;
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n), [&](const tbb::blocked_range<std::size_t>& r) {
    for (std::size_t i = r.begin(); i != r.end(); ++i) body(i);
    const std::size_t now = done.fetch_add(r.size()) + r.size();
    if (progress) {
      std::lock_guard<std::mutex> lock(report);
      if (now > reported) {
        reported = now;
        progress(now, n);
      }
    }
  });
}

}  // namespace xpusim::core
