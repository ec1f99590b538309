#include "training/layout.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace xpusim::training {
namespace {

constexpr std::array<std::pair<Axis, std::string_view>, 5> kAxisNames{
    {{Axis::kTp, "tp"}, {Axis::kCp, "cp"}, {Axis::kEp, "ep"}, {Axis::kDp, "dp"}, {Axis::kPp, "pp"}}};

std::string_view axis_name(Axis a) {
  for (const auto& [axis, name] : kAxisNames)
    if (axis == a) return name;
  return "?";
}

}  // namespace

AxisOrder parse_axis_order(std::string_view text, std::string_view flag) {
  const std::string expected = "the five axes tp, cp, ep, dp, pp each once, joined by '-' (e.g. tp-cp-ep-dp-pp)";
  AxisOrder order{};
  std::size_t count = 0, start = 0;
  while (start <= text.size()) {
    const auto end = std::min(text.find('-', start), text.size());
    const auto word = text.substr(start, end - start);
    const auto it = std::find_if(kAxisNames.begin(), kAxisNames.end(), [&](const auto& p) { return p.second == word; });
    if (it == kAxisNames.end() || count >= order.size() ||
        std::find(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(count), it->first) !=
            order.begin() + static_cast<std::ptrdiff_t>(count)) {
      throw core::Error::flag(std::string(flag), std::string(text), expected);
    }
    order[count++] = it->first;
    start = end + 1;
  }
  if (count != order.size()) throw core::Error::flag(std::string(flag), std::string(text), expected);
  return order;
}

std::string axis_order_name(const AxisOrder& order) {
  std::string out;
  for (Axis a : order) {
    if (!out.empty()) out += '-';
    out += axis_name(a);
  }
  return out;
}

Layout make_layout(long long gpus, int tp, int pp, int cp, int vpp, long long seq_len, long long global_batch,
                   long long micro_batch) {
  Layout l;
  l.gpus = gpus;
  l.tp = tp;
  l.pp = pp;
  l.cp = cp;
  l.vpp = vpp;
  l.seq_len = seq_len;
  l.global_batch = global_batch;
  l.micro_batch = micro_batch;
  return l;
}

const char* grad_reduce_name(const FrameworkOptions& f) { return f.grad_reduce_bytes >= 4 ? "fp32" : "bf16"; }
const char* optimizer_state_name(const FrameworkOptions& f) { return f.optimizer_state_bytes >= 12 ? "fp32" : "bf16"; }

}  // namespace xpusim::training
