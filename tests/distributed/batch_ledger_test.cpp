#include "distributed/batch_ledger.hpp"

#include <gtest/gtest.h>

namespace xpusim::distributed {
namespace {

std::vector<report::Record> records_for(const Batch& b) {
  std::vector<report::Record> out;
  for (std::size_t i = b.begin; i < b.end; ++i) out.push_back(report::Record{{"point", i}});
  return out;
}

TEST(BatchLedger, HandsOutBatchesInPointOrderAndWritesRowsInOrder) {
  BatchLedger ledger(10, 4);
  EXPECT_EQ(ledger.batches(), 3u);
  const auto a = *ledger.assign(1), b = *ledger.assign(2), c = *ledger.assign(0);
  EXPECT_EQ(a.begin, 0u);
  EXPECT_EQ(b.begin, 4u);
  EXPECT_EQ(c.begin, 8u);
  EXPECT_EQ(c.end, 10u);
  // Later batches back first: nothing is writable until the first one is.
  ASSERT_TRUE(ledger.complete(c, 0, records_for(c)));
  ASSERT_TRUE(ledger.complete(b, 2, records_for(b)));
  EXPECT_TRUE(ledger.ready().empty());
  ASSERT_TRUE(ledger.complete(a, 1, records_for(a)));
  const auto rows = ledger.ready();
  ASSERT_EQ(rows.size(), 10u);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].first, i);
    EXPECT_EQ(rows[i].second["point"], i);
  }
  EXPECT_TRUE(ledger.finished());
  EXPECT_FALSE(ledger.assign(1).has_value());
  EXPECT_EQ(ledger.reissued(), 0u);
}

TEST(BatchLedger, AnIdleRankStealsTheBatchOfASilentOneAndTheFirstResultWins) {
  BatchLedger ledger(8, 4);
  const auto a = *ledger.assign(1);  // rank 1 will die holding it
  const auto b = *ledger.assign(2);
  ASSERT_TRUE(ledger.complete(b, 2, records_for(b)));
  const auto stolen = ledger.assign(2);
  ASSERT_TRUE(stolen.has_value());
  EXPECT_EQ(stolen->id, a.id);
  EXPECT_EQ(ledger.reissued(), 1u);
  EXPECT_TRUE(ledger.wanted(a));
  ASSERT_TRUE(ledger.complete(*stolen, 2, records_for(*stolen)));
  EXPECT_FALSE(ledger.wanted(a));
  EXPECT_EQ(ledger.ready().size(), 8u);
  EXPECT_TRUE(ledger.finished());
  // Rank 1 still holds its copy: that is what the run reports about it.
  const auto unreturned = ledger.unreturned();
  ASSERT_EQ(unreturned.count(1), 1u);
  EXPECT_EQ(unreturned.at(1).front().id, a.id);
  // A late copy is dropped, never written twice.
  EXPECT_FALSE(ledger.complete(a, 1, records_for(a)));
  EXPECT_TRUE(ledger.ready().empty());
}

TEST(BatchLedger, StealsTheLeastHeldOldestBatchAndNeverGivesARankItsOwn) {
  BatchLedger ledger(12, 4);
  const auto a = *ledger.assign(1), b = *ledger.assign(2), c = *ledger.assign(3);
  const auto s1 = *ledger.assign(4);
  EXPECT_EQ(s1.id, a.id);  // all held once: the oldest
  const auto s2 = *ledger.assign(5);
  EXPECT_EQ(s2.id, b.id);  // a now has two holders
  // Rank 3 asks again while holding c: it gets a copy of another batch, not of c.
  const auto s3 = *ledger.assign(3);
  EXPECT_NE(s3.id, c.id);
  // a and b have two holders each; a was handed out longest ago.
  EXPECT_EQ(s3.id, a.id);
}

TEST(BatchLedger, AFailedBatchGoesToAnotherRankThenFailsTheRun) {
  BatchLedger ledger(4, 4, 2);
  const auto a = *ledger.assign(1);
  ledger.fail(a, 1, "boom");
  EXPECT_FALSE(ledger.failed());
  EXPECT_FALSE(ledger.assign(1).has_value());  // not back to the rank it failed on
  const auto again = *ledger.assign(2);
  EXPECT_EQ(again.id, a.id);
  ledger.fail(again, 2, "boom again");
  EXPECT_TRUE(ledger.failed());
  EXPECT_TRUE(ledger.finished());
  EXPECT_NE(ledger.failure().find("points 0-3 failed on 2 ranks"), std::string::npos);
  EXPECT_NE(ledger.failure().find("rank 2: boom again"), std::string::npos);
}

TEST(BatchLedger, ABatchThatComesBackShortIsABug) {
  BatchLedger ledger(4, 4);
  const auto a = *ledger.assign(1);
  EXPECT_THROW(ledger.complete(a, 1, {}), std::logic_error);
  EXPECT_THROW(BatchLedger(4, 0), std::invalid_argument);
}

TEST(BatchLedger, NoPointsIsFinishedAtOnce) {
  BatchLedger ledger(0, 8);
  EXPECT_TRUE(ledger.finished());
  EXPECT_FALSE(ledger.assign(0).has_value());
}

}  // namespace
}  // namespace xpusim::distributed
