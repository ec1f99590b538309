#pragma once

#include "hardware/sourced.hpp"
#include "hardware/system.hpp"

namespace xpusim::cost {

enum class Collective { kAllReduce, kReduceScatter, kAllGather, kAllToAll, kSendRecv };
enum class CollectiveAlgorithm { kRing, kTree, kNvls, kHierarchical, kDirect };

const char* collective_name(Collective c);           // "all_reduce", ...
const char* algorithm_name(CollectiveAlgorithm a);   // "ring", "tree", "nvls", ...

// Where the ranks of one communicator sit on the hierarchy: `size` ranks, `per_domain` of them
// inside each scale-up (NVLink) domain, spanning `nodes` nodes in all.
struct GroupPlacement {
  int size = 1;
  int per_domain = 1;
  int nodes = 1;
  int domains() const { return per_domain > 0 ? size / per_domain : size; }
};

// Time of one collective and the algorithm that gave it.
struct CollectiveCost {
  double time_s = 0;
  CollectiveAlgorithm algorithm = CollectiveAlgorithm::kRing;
};

// Collective cost on one system's link hierarchy with an alpha-beta model per link type.
// Contract: `bytes` follows nccl-tests' `size`: the whole buffer of one rank for all-reduce, the
// whole (unsharded) output for all-gather / input for reduce-scatter, the send buffer of one rank
// for all-to-all, the message for send/recv. The fastest algorithm the system offers is chosen
// (ring, tree, NVLS inside an NVLS domain, two-level hierarchical across domains). Calibration
// values are read once in the constructor; queries allocate nothing.
class CollectiveModel {
 public:
  explicit CollectiveModel(const hardware::System& system);

  CollectiveCost cost(Collective c, double bytes, const GroupPlacement& group) const;
  double time_s(Collective c, double bytes, const GroupPlacement& group) const {
    return cost(c, bytes, group).time_s;
  }
  // Placement of a group of `size` ranks whose members are `stride` ranks apart in the global
  // order (consecutive ranks fill a node, then the next node).
  GroupPlacement place(int size, long long stride) const;
  // nccl-tests bus bandwidth of a predicted time (what the tests print), bytes/s.
  static double bus_bandwidth(Collective c, double bytes, int ranks, double time_s);

  int domain_size() const { return domain_; }
  int chips_per_node() const { return chips_per_node_; }
  double scale_up_bandwidth() const { return nvlink_bw_; }   // per direction, per GPU
  double network_bandwidth_per_gpu() const { return net_bw_; }  // per direction, NIC share

 private:
  double intra_ring(double steps_factor, double bytes, int n) const;
  double inter_time(double factor, double bytes, int m, int nodes) const;
  double net_bandwidth(int nodes) const;

  int domain_ = 1, chips_per_node_ = 1;
  bool nvls_ = false;
  double nvlink_bw_ = 0, net_bw_ = 0;
  double ring_eff_ = 0, nvls_eff_ = 0, p2p_eff_ = 0, net_eff_ = 0;
  double nvlink_alpha_ = 0, net_alpha_ = 0, nodes_per_leaf_ = 0, oversubscription_ = 1;
  double nvlink_half_ = 0, net_half_ = 0;  // half-bandwidth message sizes: t = (S + S_half) / bw
};

// System-scope calibration parameters of the collective model (nvlink/network efficiencies and
// latencies), appended to the catalog schema by scenario::full_calibration_schema().
hardware::CalibrationSchema collective_calibration_schema();

}  // namespace xpusim::cost
