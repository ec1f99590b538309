#include "search/space.hpp"

#include <algorithm>
#include <array>

namespace xpusim::search {

using training::Axis;
using training::AxisOrder;

std::vector<long long> divisors(long long n, long long limit) {
  std::vector<long long> small, large;
  for (long long d = 1; d * d <= n; ++d) {
    if (n % d != 0) continue;
    if (d <= limit) small.push_back(d);
    if (d != n / d && n / d <= limit) large.push_back(n / d);
  }
  small.insert(small.end(), large.rbegin(), large.rend());
  return small;
}

namespace {

// Which axes tell orders apart: bit per Axis value.
unsigned relevant_mask(const training::Layout& l) {
  unsigned m = 0;
  const auto bit = [](Axis a) { return 1u << static_cast<unsigned>(a); };
  if (l.tp > 1) m |= bit(Axis::kTp);
  if (l.cp > 1) m |= bit(Axis::kCp);
  if (l.pp > 1) m |= bit(Axis::kPp);
  const long long dense_dp = static_cast<long long>(std::max(1, l.dp)) * l.cp;
  if (dense_dp > 1 || l.ep > 1) m |= bit(Axis::kDp);
  if (l.ep > 1) m |= bit(Axis::kEp);
  return m;
}

// The representatives for one base order and mask: the relevant axes permuted over the slots they
// hold in `base`, the others kept in place; permutations that agree on the rank-space axes and on
// ep-before-dp are one.
std::vector<AxisOrder> orders_for(const AxisOrder& base, unsigned mask) {
  std::vector<std::size_t> slots;
  std::vector<Axis> axes;
  for (std::size_t i = 0; i < base.size(); ++i)
    if (mask & (1u << static_cast<unsigned>(base[i]))) {
      slots.push_back(i);
      axes.push_back(base[i]);
    }
  // Permute indices into `axes` starting from the identity, so the first representative is `base`.
  std::vector<std::size_t> perm(axes.size());
  for (std::size_t i = 0; i < perm.size(); ++i) perm[i] = i;
  std::vector<AxisOrder> out;
  std::vector<std::vector<int>> seen;
  do {
    AxisOrder o = base;
    std::vector<int> signature;
    int ep_at = -1, dp_at = -1;
    for (std::size_t i = 0; i < slots.size(); ++i) {
      const Axis a = axes[perm[i]];
      o[slots[i]] = a;
      if (a == Axis::kEp) {
        ep_at = static_cast<int>(i);
      } else {
        signature.push_back(static_cast<int>(a));
      }
      if (a == Axis::kDp) dp_at = static_cast<int>(i);
    }
    signature.push_back(ep_at >= 0 && ep_at < dp_at ? 1 : 0);
    if (std::find(seen.begin(), seen.end(), signature) == seen.end()) {
      seen.push_back(signature);
      out.push_back(o);
    }
    // std::next_permutation on indices keeps the identity first.
  } while (std::next_permutation(perm.begin(), perm.end()));
  return out;
}

}  // namespace

unsigned order_mask(const training::Layout& l) { return relevant_mask(l); }

std::vector<AxisOrder> distinct_orders(const AxisOrder& base, unsigned mask) { return orders_for(base, mask); }

std::vector<AxisOrder> distinct_orders(const training::Layout& l) { return orders_for(l.order, relevant_mask(l)); }

std::vector<AxisOrder> distinct_placements(const training::Layout& l, const std::vector<AxisOrder>& orders, int domain,
                                           int chips_per_node) {
  const long long bound = std::max(domain, chips_per_node);
  const long long dp = std::max(1, l.dp);
  std::vector<AxisOrder> out;
  std::vector<std::array<long long, 5>> seen;
  for (const auto& order : orders) {
    std::array<long long, 5> sig{};  // clamped strides of tp, cp, dp, pp; ep before dp
    long long running = 1;
    int pos = 0, ep_pos = 0, dp_pos = 0;
    for (Axis a : order) {
      const auto clamp = [&](long long stride) { return std::min(stride, bound); };
      switch (a) {
        case Axis::kTp: sig[0] = clamp(running); running *= l.tp; break;
        case Axis::kCp: sig[1] = clamp(running); running *= l.cp; break;
        case Axis::kDp: sig[2] = clamp(running); running *= dp; dp_pos = pos; break;
        case Axis::kPp: sig[3] = clamp(running); running *= l.pp; break;
        case Axis::kEp: ep_pos = pos; break;
      }
      ++pos;
    }
    sig[4] = l.ep > 1 && ep_pos < dp_pos ? 1 : 0;
    if (std::find(seen.begin(), seen.end(), sig) != seen.end()) continue;
    seen.push_back(sig);
    out.push_back(order);
  }
  return out;
}

}  // namespace xpusim::search
