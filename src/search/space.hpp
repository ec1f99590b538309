#pragma once

#include <vector>

#include "training/layout.hpp"

namespace xpusim::search {

// Positive divisors of n up to `limit`, ascending.
std::vector<long long> divisors(long long n, long long limit);

// The placement orders that differ for a layout of these sizes, one representative each, the
// first being the layout's own order with every axis of size 1 left where it is.
// Contract: an axis of size 1 takes no rank space, so only the relative order of the axes that do
// (tp, cp, pp when > 1; dp when dp*cp > 1, since the dense data-parallel group spans dp*cp ranks)
// and, when ep > 1, whether ep comes before dp (place_groups reads nothing else of the order) tell
// orders apart. Every order of the five axes evaluates exactly as its representative does (the
// search tests compare all 120).
std::vector<training::AxisOrder> distinct_orders(const training::Layout& layout);

// What distinct_orders depends on besides the base order: one bit per Axis that tells orders
// apart (below 32), and the representatives for a base order and such a mask.
unsigned order_mask(const training::Layout& layout);
std::vector<training::AxisOrder> distinct_orders(const training::AxisOrder& base, unsigned mask);

// Of `orders` (for layout `l`), the first of each kind that places every parallel group alike
// on a machine with scale-up domains of `domain` GPUs and nodes of `chips_per_node` GPUs.
// Contract: CollectiveModel::place reads a group's stride only below the larger of the two (a
// group whose stride reaches past both has one member per domain and per node whatever it is),
// so orders whose axes' strides agree below that bound, and on ep before dp, time alike; the
// search tests compare every order with its representative.
std::vector<training::AxisOrder> distinct_placements(const training::Layout& l,
                                                     const std::vector<training::AxisOrder>& orders, int domain,
                                                     int chips_per_node);

}  // namespace xpusim::search
