#include "spouts/kafka/record_tracker.h"

#include <gtest/gtest.h>

namespace gale::kafka {
namespace {

const TopicPartition kP0{"events", 0};
const TopicPartition kP1{"events", 1};

Values V(const std::string& s) { return Values{s}; }

TEST(RecordTracker, CommitPointIsTheLowestUnackedOffset) {
  RecordTracker t;
  t.Assign(kP0);
  EXPECT_EQ(t.CommitPoint(kP0), std::nullopt) << "position unknown before any record";
  MessageId a = *t.Add(kP0, 10, V("a"));
  MessageId b = *t.Add(kP0, 11, V("b"));
  MessageId c = *t.Add(kP0, 12, V("c"));
  EXPECT_EQ(t.CommitPoint(kP0), 10);
  EXPECT_TRUE(t.Ack(b));
  EXPECT_EQ(t.CommitPoint(kP0), 10) << "an ack behind an unacked offset commits nothing";
  EXPECT_TRUE(t.Ack(a));
  EXPECT_EQ(t.CommitPoint(kP0), 12);
  EXPECT_TRUE(t.Ack(c));
  EXPECT_EQ(t.CommitPoint(kP0), 13) << "all acked: the offset after the last record";
  EXPECT_FALSE(t.Ack(c)) << "a second ack is ignored";
}

TEST(RecordTracker, OffsetGapsAreFine) {
  RecordTracker t;
  t.Assign(kP0);
  MessageId a = *t.Add(kP0, 5, V("a"));
  MessageId b = *t.Add(kP0, 9, V("b"));  // 6..8 compacted away
  t.Ack(b);
  EXPECT_EQ(t.CommitPoint(kP0), 5);
  t.Ack(a);
  EXPECT_EQ(t.CommitPoint(kP0), 10);
}

TEST(RecordTracker, EndOfPartitionGivesAPositionWithoutRecords) {
  RecordTracker t;
  t.Assign(kP0);
  t.ObserveEnd(kP0, 42);
  EXPECT_EQ(t.CommitPoint(kP0), 42);
  t.ObserveEnd(kP0, 7);
  EXPECT_EQ(t.CommitPoint(kP0), 42) << "positions never move back";
}

TEST(RecordTracker, CommittableListsOnlyPartitionsThatMoved) {
  RecordTracker t;
  t.Assign(kP0);
  t.Assign(kP1);
  t.Ack(*t.Add(kP0, 0, V("a")));
  t.Add(kP1, 0, V("b"));
  auto commits = t.Committable();
  ASSERT_EQ(commits.size(), 2u);
  EXPECT_EQ(commits[0].tp, kP0);
  EXPECT_EQ(commits[0].offset, 1);
  EXPECT_EQ(commits[1].tp, kP1);
  EXPECT_EQ(commits[1].offset, 0);
  t.MarkCommitted(kP0, 1);
  t.MarkCommitted(kP1, 0);
  EXPECT_TRUE(t.Committable().empty());
  std::vector<TopicPartition> only = {kP1};
  t.Ack(*t.Add(kP0, 1, V("c")));
  EXPECT_TRUE(t.Committable(&only).empty());
  EXPECT_EQ(t.Committable().size(), 1u);
}

TEST(RecordTracker, FailQueuesAReplayWithTheSameIdAndValues) {
  RecordTracker t;
  t.Assign(kP0);
  MessageId a = *t.Add(kP0, 0, V("a"));
  EXPECT_FALSE(t.HasReplays());
  EXPECT_EQ(t.Fail(a, -1), RecordTracker::FailOutcome::kReplay);
  EXPECT_EQ(t.Fail(a, -1), RecordTracker::FailOutcome::kReplay) << "already queued: not twice";
  EXPECT_TRUE(t.HasReplays());
  MessageId id = 0;
  const RecordTracker::Record* r = t.NextReplay(&id);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(id, a);
  EXPECT_EQ(r->values, V("a"));
  EXPECT_EQ(r->replays, 1);
  EXPECT_EQ(t.NextReplay(&id), nullptr);
  EXPECT_EQ(t.CommitPoint(kP0), 0) << "a failed record holds the commit point";
  t.Ack(a);
  EXPECT_EQ(t.CommitPoint(kP0), 1);
}

TEST(RecordTracker, GivesUpAfterMaxReplays) {
  RecordTracker t;
  t.Assign(kP0);
  MessageId a = *t.Add(kP0, 0, V("a"));
  MessageId id = 0;
  EXPECT_EQ(t.Fail(a, 2), RecordTracker::FailOutcome::kReplay);
  t.NextReplay(&id);
  EXPECT_EQ(t.Fail(a, 2), RecordTracker::FailOutcome::kReplay);
  t.NextReplay(&id);
  EXPECT_EQ(t.Fail(a, 2), RecordTracker::FailOutcome::kGiveUp);
  EXPECT_FALSE(t.HasReplays()) << "never replayed again";
  EXPECT_EQ(t.in_flight(), 1u);
  ASSERT_NE(t.Find(a), nullptr);
  EXPECT_TRUE(t.Find(a)->given_up);
  EXPECT_EQ(t.Find(a)->replays, 2);
  EXPECT_EQ(t.CommitPoint(kP0), 0) << "given up but not settled: still holds the commit point";
  EXPECT_EQ(t.Fail(a, 2), RecordTracker::FailOutcome::kUnknown) << "a second give-up is ignored";
  EXPECT_TRUE(t.Ack(a)) << "settled once dead-lettered or dropped";
  EXPECT_EQ(t.in_flight(), 0u);
  EXPECT_EQ(t.CommitPoint(kP0), 1) << "settled: committed past";
  EXPECT_EQ(t.Fail(a, 2), RecordTracker::FailOutcome::kUnknown);
}

TEST(RecordTracker, GivenUpRecordsOfARevokedPartitionAreForgotten) {
  RecordTracker t;
  t.Assign(kP0);
  MessageId a = *t.Add(kP0, 0, V("a"));
  EXPECT_EQ(t.Fail(a, 0), RecordTracker::FailOutcome::kGiveUp);
  EXPECT_EQ(t.Revoke(kP0), 1u);
  EXPECT_EQ(t.Find(a), nullptr);
  EXPECT_FALSE(t.Ack(a)) << "a late dead-letter confirmation changes nothing";
}

TEST(RecordTracker, KeepsTheKeyItIsGiven) {
  RecordTracker t;
  t.Assign(kP0);
  MessageId a = *t.Add(kP0, 0, V("a"), std::string("k"));
  MessageId b = *t.Add(kP0, 1, V("b"));
  EXPECT_EQ(t.Find(a)->key, "k");
  EXPECT_EQ(t.Find(b)->key, std::nullopt);
}

TEST(RecordTracker, SkippedRecordsAreDoneAtOnce) {
  RecordTracker t;
  EXPECT_FALSE(t.Skip(kP0, 0)) << "not assigned";
  t.Assign(kP0);
  EXPECT_TRUE(t.Skip(kP0, 0));
  EXPECT_EQ(t.CommitPoint(kP0), 1) << "nothing unacked: the commit point passes it";
  MessageId b = *t.Add(kP0, 1, V("b"));
  EXPECT_TRUE(t.Skip(kP0, 2));
  EXPECT_EQ(t.CommitPoint(kP0), 1) << "never past an unacked record";
  t.Ack(b);
  EXPECT_EQ(t.CommitPoint(kP0), 3);
  EXPECT_EQ(t.in_flight(), 0u);
}

TEST(RecordTracker, MaxReplaysZeroGivesUpAtTheFirstFail) {
  RecordTracker t;
  t.Assign(kP0);
  EXPECT_EQ(t.Fail(*t.Add(kP0, 0, V("a")), 0), RecordTracker::FailOutcome::kGiveUp);
}

TEST(RecordTracker, RevokeDropsInFlightRecordsAndIgnoresLateAcks) {
  RecordTracker t;
  t.Assign(kP0);
  t.Assign(kP1);
  MessageId a = *t.Add(kP0, 0, V("a"));
  MessageId b = *t.Add(kP1, 0, V("b"));
  t.Fail(a, -1);
  EXPECT_EQ(t.Revoke(kP0), 1u);
  EXPECT_FALSE(t.IsAssigned(kP0));
  EXPECT_FALSE(t.Ack(a));
  EXPECT_EQ(t.Fail(a, -1), RecordTracker::FailOutcome::kUnknown);
  MessageId id = 0;
  EXPECT_EQ(t.NextReplay(&id), nullptr) << "the queued replay of a revoked record is dropped";
  EXPECT_FALSE(t.Add(kP0, 1, V("late")).has_value()) << "records of unassigned partitions";
  EXPECT_EQ(t.in_flight(), 1u);
  EXPECT_TRUE(t.Ack(b));
  // Reassigned: a fresh start, new ids.
  t.Assign(kP0);
  MessageId c = *t.Add(kP0, 0, V("a"));
  EXPECT_NE(c, a);
  EXPECT_EQ(t.CommitPoint(kP0), 0);
  t.MarkCommitted(kP1, 1);
  t.RevokeAll();
  EXPECT_TRUE(t.Assigned().empty());
  EXPECT_EQ(t.in_flight(), 0u);
}

TEST(RecordTracker, BoundedDoneNeedsEveryAssignedPartitionAtItsEnd) {
  RecordTracker t;
  EXPECT_FALSE(t.AllAssignedDone()) << "no assignment yet";
  t.MarkAssignmentSeen();
  EXPECT_TRUE(t.AllAssignedDone()) << "an empty assignment is done";
  t.SetEndOffset(kP0, 2);
  t.SetEndOffset(kP1, 0);
  t.Assign(kP0);
  t.Assign(kP1);
  EXPECT_FALSE(t.AllAssignedDone());
  MessageId a = *t.Add(kP0, 0, V("a"));
  MessageId b = *t.Add(kP0, 1, V("b"));
  EXPECT_FALSE(t.AllAssignedDone()) << "in flight";
  t.Ack(a);
  t.Ack(b);
  EXPECT_TRUE(t.AllAssignedDone()) << "p1 was empty at the start";
  t.Assign({"other", 0});
  t.SetEndOffset({"other", 0}, 5);
  EXPECT_FALSE(t.AllAssignedDone());
  t.ObserveEnd({"other", 0}, 5);
  EXPECT_TRUE(t.AllAssignedDone());
}

TEST(RecordTracker, ReachedEndPerPartition) {
  RecordTracker t;
  t.SetEndOffset(kP0, 3);
  EXPECT_FALSE(t.ReachedEnd(kP0)) << "not assigned";
  t.Assign(kP0);
  t.Assign(kP1);
  EXPECT_TRUE(t.ReachedEnd(kP1)) << "no end offset recorded: empty at the start";
  EXPECT_FALSE(t.ReachedEnd(kP0));
  t.Add(kP0, 1, V("a"));
  EXPECT_FALSE(t.ReachedEnd(kP0));
  t.Add(kP0, 2, V("b"));
  EXPECT_TRUE(t.ReachedEnd(kP0)) << "read up to the end (acks do not matter here)";
}

}  // namespace
}  // namespace gale::kafka
