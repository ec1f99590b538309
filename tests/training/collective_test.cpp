#include <gtest/gtest.h>

#include "cost/collective.hpp"
#include "support/test_support.hpp"

namespace xpusim::cost {
namespace {

const hardware::System& sys(const char* name) { return *test::catalog().system(name, "--system"); }

TEST(Collectives, PlacementFollowsStride) {
  CollectiveModel m(sys("dgx-h100"));
  const auto tp = m.place(8, 1);
  EXPECT_EQ(tp.per_domain, 8);
  EXPECT_EQ(tp.nodes, 1);
  const auto dp = m.place(16, 8);  // one rank per node (TP fills the node)
  EXPECT_EQ(dp.per_domain, 1);
  EXPECT_EQ(dp.nodes, 16);
  const auto mixed = m.place(8, 2);  // 4 per node, 2 nodes
  EXPECT_EQ(mixed.per_domain, 4);
  EXPECT_EQ(mixed.nodes, 2);
}

TEST(Collectives, LargeAllReduceBusBandwidthMatchesNcclTests) {
  const double size = 8.0 * (1ull << 30);
  CollectiveModel a100(sys("dgx-a100"));
  const auto t_a = a100.time_s(Collective::kAllReduce, size, a100.place(8, 1));
  // Azure ND A100 v4: 231.6 GB/s busbw at 8 GiB (calibration row).
  EXPECT_NEAR(CollectiveModel::bus_bandwidth(Collective::kAllReduce, size, 8, t_a) / 1e9, 231.6, 5.0);
  CollectiveModel h100(sys("dgx-h100"));
  const auto c = h100.cost(Collective::kAllReduce, size, h100.place(8, 1));
  EXPECT_EQ(c.algorithm, CollectiveAlgorithm::kNvls);
  // NVLS: ~475-480 GB/s busbw (Azure ND H100 v5, nccl-tests #212).
  EXPECT_NEAR(CollectiveModel::bus_bandwidth(Collective::kAllReduce, size, 8, c.time_s) / 1e9, 478, 15.0);
}

TEST(Collectives, CrossingNodesIsSlowerAndHierarchical) {
  CollectiveModel m(sys("dgx-h100"));
  const double size = 1e9;
  const auto intra = m.cost(Collective::kAllReduce, size, m.place(8, 1));
  const auto two_level = m.cost(Collective::kAllReduce, size, m.place(16, 1));
  EXPECT_EQ(two_level.algorithm, CollectiveAlgorithm::kHierarchical);
  EXPECT_GT(two_level.time_s, intra.time_s);
  // One GPU per node: the whole buffer crosses the network on that GPU's NIC share.
  const auto flat = m.time_s(Collective::kAllReduce, size, m.place(16, 8));
  EXPECT_GT(flat, two_level.time_s);
}

TEST(Collectives, SmallMessagesAreLatencyBound) {
  CollectiveModel m(sys("dgx-a100"));
  const auto g = m.place(8, 1);
  const double t1 = m.time_s(Collective::kAllReduce, 1024, g);
  const double t2 = m.time_s(Collective::kAllReduce, 2048, g);
  EXPECT_LT(t2 / t1, 1.1);  // doubling a tiny message barely changes the time
  EXPECT_GT(t1, 10e-6);
}

TEST(Collectives, SingleRankCostsNothing) {
  CollectiveModel m(sys("dgx-a100"));
  EXPECT_EQ(m.time_s(Collective::kAllGather, 1e9, m.place(1, 1)), 0.0);
}

TEST(Collectives, AllToAllAcrossNodesUsesTheNetwork) {
  CollectiveModel m(sys("dgx-h100"));
  const double bytes = 256e6;
  EXPECT_GT(m.time_s(Collective::kAllToAll, bytes, m.place(16, 1)),
            2 * m.time_s(Collective::kAllToAll, bytes, m.place(8, 1)));
}

}  // namespace
}  // namespace xpusim::cost
