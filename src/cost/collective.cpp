#include "cost/collective.hpp"

#include <algorithm>
#include <cmath>

namespace xpusim::cost {
namespace {

using hardware::ParamDecl;

int ceil_log2(int n) {
  int steps = 0;
  while ((1 << steps) < n) ++steps;
  return steps;
}

}  // namespace

const char* collective_name(Collective c) {
  switch (c) {
    case Collective::kAllReduce: return "all_reduce";
    case Collective::kReduceScatter: return "reduce_scatter";
    case Collective::kAllGather: return "all_gather";
    case Collective::kAllToAll: return "all_to_all";
    case Collective::kSendRecv: return "sendrecv";
  }
  return "?";
}

const char* algorithm_name(CollectiveAlgorithm a) {
  switch (a) {
    case CollectiveAlgorithm::kRing: return "ring";
    case CollectiveAlgorithm::kTree: return "tree";
    case CollectiveAlgorithm::kNvls: return "nvls";
    case CollectiveAlgorithm::kHierarchical: return "hierarchical";
    case CollectiveAlgorithm::kDirect: return "direct";
  }
  return "?";
}

hardware::CalibrationSchema collective_calibration_schema() {
  const auto sys = ParamDecl::Scope::kSystem;
  const auto none = core::Dimension::kDimensionless;
  return {
      {"collective_nvlink_ring_efficiency", sys, none, 0.8,
       "large-message ring all-reduce/all-gather/reduce-scatter bus bandwidth over the per-direction "
       "scale-up bandwidth per GPU (NCCL protocol overhead)"},
      {"collective_nvls_efficiency", sys, none, 0.6,
       "large-message NVLS (in-switch reduction) all-reduce algorithm bandwidth over the per-direction "
       "scale-up bandwidth per GPU"},
      {"collective_nvlink_p2p_efficiency", sys, none, 0.65,
       "large-message send/recv bandwidth between two GPUs of a scale-up domain over the per-direction "
       "scale-up bandwidth"},
      {"collective_network_efficiency", sys, none, 0.9,
       "achievable inter-node bandwidth per GPU over its share of the NIC line rate"},
      {"collective_nvlink_latency", sys, core::Dimension::kSeconds, 2e-6,
       "latency of one algorithm step inside the scale-up domain (alpha)"},
      {"collective_network_latency", sys, core::Dimension::kSeconds, 8e-6,
       "latency of one algorithm step across the scale-out network (alpha)"},
      {"collective_nvlink_half_bandwidth_bytes", sys, core::Dimension::kBytes, 2e6,
       "message size at which a scale-up collective reaches half its large-message bandwidth "
       "(protocol pipeline fill: bandwidth = peak * S / (S + S_half))"},
      {"collective_network_half_bandwidth_bytes", sys, core::Dimension::kBytes, 2e6,
       "message size per GPU at which the inter-node exchange reaches half its large-message bandwidth"},
      {"collective_network_nodes_per_leaf", sys, none, 32,
       "nodes under one leaf (rail) switch; groups spanning more nodes cross the oversubscribed "
       "upper tiers"},
  };
}

CollectiveModel::CollectiveModel(const hardware::System& system) {
  const auto& node = system.node();
  const auto& net = system.network();
  chips_per_node_ = std::max(1, node.chips_per_node);
  domain_ = std::max(1, node.scale_up.domain_size);
  nvls_ = node.scale_up.nvls;
  nvlink_bw_ = node.scale_up.bandwidth_per_chip;
  net_bw_ = net.nics_per_node * net.nic_bandwidth / chips_per_node_;
  oversubscription_ = std::max(1.0, net.oversubscription);
  const auto& cal = system.calibration();
  ring_eff_ = cal.get("collective_nvlink_ring_efficiency");
  nvls_eff_ = cal.get("collective_nvls_efficiency");
  p2p_eff_ = cal.get("collective_nvlink_p2p_efficiency");
  net_eff_ = cal.get("collective_network_efficiency");
  nvlink_alpha_ = cal.get("collective_nvlink_latency");
  net_alpha_ = cal.get("collective_network_latency");
  nodes_per_leaf_ = cal.get("collective_network_nodes_per_leaf");
  nvlink_half_ = cal.get("collective_nvlink_half_bandwidth_bytes");
  net_half_ = cal.get("collective_network_half_bandwidth_bytes");
}

GroupPlacement CollectiveModel::place(int size, long long stride) const {
  GroupPlacement g;
  g.size = std::max(1, size);
  stride = std::max(1LL, stride);
  const auto members_within = [&](int span) {
    if (stride >= span) return 1;
    return static_cast<int>(std::clamp<long long>(span / stride, 1, g.size));
  };
  g.per_domain = members_within(domain_);
  const int per_node = members_within(chips_per_node_);
  g.nodes = std::max(1, (g.size + per_node - 1) / per_node);
  return g;
}

double CollectiveModel::net_bandwidth(int nodes) const {
  const double bw = net_bw_ * net_eff_;
  return nodes > nodes_per_leaf_ ? bw / oversubscription_ : bw;
}

double CollectiveModel::intra_ring(double steps_factor, double bytes, int n) const {
  if (n <= 1) return 0.0;
  const double bw = std::max(nvlink_bw_ * ring_eff_, 1.0);
  return steps_factor * (n - 1) * nvlink_alpha_ + steps_factor * (n - 1) / n * (bytes + nvlink_half_) / bw;
}

// One rank's share `bytes` exchanged among `m` domains over the network (ring bandwidth, tree or
// PAT latency, which NCCL picks at scale).
double CollectiveModel::inter_time(double factor, double bytes, int m, int nodes) const {
  if (m <= 1) return 0.0;
  const double bw = std::max(net_bandwidth(nodes), 1.0);
  const double steps = std::min<double>(factor * (m - 1), factor * std::max(1, ceil_log2(m)));
  return steps * net_alpha_ + factor * (m - 1) / m * (bytes + net_half_) / bw;
}

CollectiveCost CollectiveModel::cost(Collective c, double bytes, const GroupPlacement& g) const {
  const int n = g.size;
  if (n <= 1 || bytes <= 0) return {0.0, CollectiveAlgorithm::kDirect};
  const int l = std::clamp(g.per_domain, 1, n);
  const int m = std::max(1, n / l);
  switch (c) {
    case Collective::kSendRecv: {
      if (l >= 2)
        return {nvlink_alpha_ + (bytes + nvlink_half_) / std::max(nvlink_bw_ * p2p_eff_, 1.0), CollectiveAlgorithm::kDirect};
      return {net_alpha_ + (bytes + net_half_) / std::max(net_bandwidth(g.nodes), 1.0), CollectiveAlgorithm::kDirect};
    }
    case Collective::kAllToAll: {
      const double intra = (bytes * (l - 1) / n + nvlink_half_) / std::max(nvlink_bw_ * ring_eff_, 1.0);
      const double inter = m > 1 ? (bytes * (n - l) / n + net_half_) / std::max(net_bandwidth(g.nodes), 1.0) : 0.0;
      const double alpha = nvlink_alpha_ + (m > 1 ? net_alpha_ : 0.0);
      return {alpha + std::max(intra, inter), CollectiveAlgorithm::kDirect};
    }
    case Collective::kAllReduce:
    case Collective::kReduceScatter:
    case Collective::kAllGather: {
      const double factor = c == Collective::kAllReduce ? 2.0 : 1.0;
      if (m == 1) {
        CollectiveCost best{intra_ring(factor, bytes, n), CollectiveAlgorithm::kRing};
        // NVLS: the switch reduces, so each GPU sends and receives the buffer once.
        if (nvls_ && c == Collective::kAllReduce && n > 2) {
          const double t = 2 * nvlink_alpha_ + (bytes + nvlink_half_) / std::max(nvlink_bw_ * nvls_eff_, 1.0);
          if (t < best.time_s) best = {t, CollectiveAlgorithm::kNvls};
        }
        return best;
      }
      if (l == 1) {
        const bool tree = c == Collective::kAllReduce && ceil_log2(m) < m - 1;
        return {inter_time(factor, bytes, m, g.nodes),
                tree ? CollectiveAlgorithm::kTree : CollectiveAlgorithm::kRing};
      }
      // Two levels, pipelined by chunks as NCCL does: intra-domain reduce-scatter/all-gather over
      // l GPUs and an inter-domain exchange of 1/l of the buffer per GPU, so the slower level bounds.
      const double intra = intra_ring(factor, bytes, l);
      const double inter = inter_time(factor, bytes / l, m, g.nodes);
      const double intra_alpha = factor * (l - 1) * nvlink_alpha_;
      return {std::max(intra, inter) + intra_alpha, CollectiveAlgorithm::kHierarchical};
    }
  }
  return {0.0, CollectiveAlgorithm::kDirect};
}

double CollectiveModel::bus_bandwidth(Collective c, double bytes, int ranks, double time_s) {
  if (time_s <= 0 || ranks <= 1) return 0.0;
  const double algbw = bytes / time_s;
  switch (c) {
    case Collective::kAllReduce: return algbw * 2.0 * (ranks - 1) / ranks;
    case Collective::kReduceScatter:
    case Collective::kAllGather:
    case Collective::kAllToAll: return algbw * (ranks - 1) / ranks;
    case Collective::kSendRecv: return algbw;
  }
  return algbw;
}

}  // namespace xpusim::cost
