#include "training/schedule.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace xpusim::training {

std::vector<ScheduleEvent> simulate_pipeline(int pp, int vpp, long long m, const std::vector<StageTime>& stages,
                                             double p2p_s) {
  struct Op {
    bool backward;
    long long mb;
    int chunk;
  };
  const long long total = m * vpp;
  const auto unit = [&](long long k, bool backward) {
    const long long group = static_cast<long long>(pp) * vpp;
    const int chunk_f = static_cast<int>((k % group) / pp);
    const long long mb = (k / group) * pp + k % pp;
    return Op{backward, mb, backward ? vpp - 1 - chunk_f : chunk_f};
  };
  std::vector<std::vector<Op>> order(static_cast<std::size_t>(pp));
  for (int s = 0; s < pp; ++s) {
    const long long warmup =
        vpp == 1 ? std::min<long long>(pp - s - 1, m) : std::min<long long>((pp - s - 1) * 2LL + (vpp - 1LL) * pp, total);
    long long f = 0, b = 0;
    for (; f < warmup; ++f) order[s].push_back(unit(f, false));
    while (f < total) {
      order[s].push_back(unit(f++, false));
      order[s].push_back(unit(b++, true));
    }
    while (b < total) order[s].push_back(unit(b++, true));
  }
  // Finish times of every op, keyed by (stage, backward, micro-batch, chunk).
  std::map<std::tuple<int, bool, long long, int>, double> done;
  std::vector<std::size_t> next(static_cast<std::size_t>(pp), 0);
  std::vector<double> free_at(static_cast<std::size_t>(pp), 0.0);
  std::vector<ScheduleEvent> events;
  bool progressed = true;
  while (progressed) {
    progressed = false;
    for (int s = 0; s < pp; ++s) {
      while (next[s] < order[s].size()) {
        const Op op = order[s][next[s]];
        double ready = 0;
        bool has_dep = true;
        std::tuple<int, bool, long long, int> dep{};
        if (!op.backward) {
          if (s > 0) dep = {s - 1, false, op.mb, op.chunk};
          else if (op.chunk > 0) dep = {pp - 1, false, op.mb, op.chunk - 1};
          else has_dep = false;
        } else {
          if (s < pp - 1) dep = {s + 1, true, op.mb, op.chunk};
          else if (op.chunk < vpp - 1) dep = {0, true, op.mb, op.chunk + 1};
          else dep = {s, false, op.mb, op.chunk};
        }
        if (has_dep) {
          const auto it = done.find(dep);
          if (it == done.end()) break;
          ready = it->second + (std::get<0>(dep) != s ? p2p_s : 0.0);
        }
        const auto& st = stages[static_cast<std::size_t>(s)];
        const double dur = (op.backward ? st.bwd_s : st.fwd_s) / vpp;
        const double comm = (op.backward ? st.comm_bwd_s : st.comm_fwd_s) / vpp;
        const double start = std::max(free_at[s], ready);
        events.push_back({s, op.backward, op.mb, op.chunk, start, dur, comm});
        free_at[s] = start + dur;
        done[{s, op.backward, op.mb, op.chunk}] = start + dur;
        ++next[s];
        progressed = true;
      }
    }
  }
  return events;
}

}  // namespace xpusim::training
