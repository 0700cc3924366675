#include "acking/xor_tracker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <ostream>
#include <random>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace gale::acking {

void PrintTo(const TreeOutcome& outcome, std::ostream* os) {
  static constexpr const char* kKinds[] = {"acked", "failed", "timed_out"};
  *os << "{msg_id=" << outcome.msg_id
      << " kind=" << kKinds[static_cast<int>(outcome.kind)]
      << " latency_ns=" << outcome.latency_ns << "}";
}

namespace {

using Kind = TreeOutcome::Kind;

constexpr std::int64_t kTimeoutNs = 3'000;
constexpr int kBuckets = 4;
// kTimeoutNs * kBuckets / (kBuckets - 1): the latest possible expiry.
constexpr std::int64_t kMaxExpiryNs = 4'000;

TreeOutcome Acked(std::uint64_t msg_id, std::int64_t latency_ns) {
  return {msg_id, Kind::kAcked, latency_ns};
}

std::vector<TreeOutcome> AdvanceTo(XorTracker* tracker, std::int64_t now_ns) {
  std::vector<TreeOutcome> expired;
  tracker->Advance(now_ns, &expired);
  return expired;
}

TEST(XorTrackerTest, SingleEdgeTreeCompletesOnItsAck) {
  XorTracker tracker(kTimeoutNs, kBuckets, 0);
  EXPECT_EQ(tracker.Start(42, 7, 0xABCD, 100), std::nullopt);
  EXPECT_TRUE(tracker.Contains(42));
  EXPECT_EQ(tracker.pending(), 1u);

  EXPECT_EQ(tracker.Ack(42, 0xABCD, 350), Acked(7, 250));
  EXPECT_FALSE(tracker.Contains(42));
  EXPECT_EQ(tracker.pending(), 0u);
  EXPECT_EQ(tracker.unknown_acks(), 0u);
}

TEST(XorTrackerTest, StartWithZeroInitialCompletesAtOnce) {
  XorTracker tracker(kTimeoutNs, kBuckets, 0);
  EXPECT_EQ(tracker.Start(42, 7, 0, 100), Acked(7, 0));
  EXPECT_FALSE(tracker.Contains(42));
  EXPECT_EQ(tracker.pending(), 0u);
  EXPECT_TRUE(AdvanceTo(&tracker, 10 * kMaxExpiryNs).empty());
}

TEST(XorTrackerTest, FanOutCompletesWhenEveryEdgeIsAcked) {
  XorTracker tracker(kTimeoutNs, kBuckets, 0);
  const std::vector<std::uint64_t> edges = {
      0x1111, 0x2222'0000, 0x4444'0000'0000, 0x8888'0000'0000'0001};
  std::uint64_t initial = 0;
  for (const std::uint64_t edge : edges) initial ^= edge;
  ASSERT_EQ(tracker.Start(9, 900, initial, 0), std::nullopt);

  EXPECT_EQ(tracker.Ack(9, edges[2], 10), std::nullopt);
  EXPECT_EQ(tracker.Ack(9, edges[0], 20), std::nullopt);
  EXPECT_EQ(tracker.Ack(9, edges[3], 30), std::nullopt);
  EXPECT_TRUE(tracker.Contains(9));
  EXPECT_EQ(tracker.Ack(9, edges[1], 40), Acked(900, 40));
  EXPECT_FALSE(tracker.Contains(9));
}

// Simulates a tuple tree: each tuple is acked with its own edge id XORed
// with the edges of the children anchored to it. Whatever the order of the
// acks, the tree completes exactly once, on the last one.
TEST(XorTrackerTest, ManyAnchorsCompleteOnlyOnTheLastAckInAnyOrder) {
  std::mt19937_64 rng(1234);
  for (int round = 0; round < 50; ++round) {
    XorTracker tracker(kTimeoutNs, kBuckets, 0);
    const std::uint64_t root = rng();

    std::vector<std::uint64_t> tuples;  // edge id of each tuple
    std::vector<std::uint64_t> ack_values;
    std::uint64_t initial = 0;
    const int spout_edges = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < spout_edges; ++i) {
      tuples.push_back(rng());
      initial ^= tuples.back();
    }
    for (std::size_t i = 0; i < tuples.size(); ++i) {
      std::uint64_t ack = tuples[i];
      // The first 200 tuples fan out to up to 3 children each.
      const int children =
          tuples.size() < 200 ? static_cast<int>(rng() % 4) : 0;
      for (int c = 0; c < children; ++c) {
        tuples.push_back(rng());
        ack ^= tuples.back();
      }
      ack_values.push_back(ack);
    }
    std::shuffle(ack_values.begin(), ack_values.end(), rng);

    ASSERT_EQ(tracker.Start(root, 5, initial, 0), std::nullopt);
    for (std::size_t i = 0; i + 1 < ack_values.size(); ++i) {
      ASSERT_EQ(tracker.Ack(root, ack_values[i], 1), std::nullopt)
          << "round " << round << " ack " << i << " of " << ack_values.size();
    }
    EXPECT_EQ(tracker.Ack(root, ack_values.back(), 2), Acked(5, 2));
    EXPECT_EQ(tracker.pending(), 0u);
    EXPECT_EQ(tracker.unknown_acks(), 0u);
  }
}

TEST(XorTrackerTest, RootZeroIsAnOrdinaryRoot) {
  XorTracker tracker(kTimeoutNs, kBuckets, 0);
  EXPECT_FALSE(tracker.Contains(0));
  EXPECT_EQ(tracker.Ack(0, 5, 0), std::nullopt);
  EXPECT_EQ(tracker.unknown_acks(), 1u);

  ASSERT_EQ(tracker.Start(0, 1, 0x30, 0), std::nullopt);
  EXPECT_TRUE(tracker.Contains(0));
  EXPECT_EQ(tracker.Ack(0, 0x10, 5), std::nullopt);
  EXPECT_EQ(tracker.Ack(0, 0x20, 6), Acked(1, 6));
  EXPECT_FALSE(tracker.Contains(0));

  ASSERT_EQ(tracker.Start(0, 2, 0x30, 10), std::nullopt);
  EXPECT_EQ(tracker.Fail(0, 20), (TreeOutcome{2, Kind::kFailed, 10}));
  EXPECT_EQ(tracker.pending(), 0u);
}

TEST(XorTrackerTest, FailEndsTheTreeAtOnce) {
  XorTracker tracker(kTimeoutNs, kBuckets, 0);
  ASSERT_EQ(tracker.Start(1, 10, 0x77, 100), std::nullopt);
  ASSERT_EQ(tracker.Start(2, 20, 0x88, 100), std::nullopt);
  EXPECT_EQ(tracker.Ack(1, 0x07, 150), std::nullopt);

  EXPECT_EQ(tracker.Fail(1, 200), (TreeOutcome{10, Kind::kFailed, 100}));
  EXPECT_FALSE(tracker.Contains(1));
  EXPECT_TRUE(tracker.Contains(2));
  EXPECT_EQ(tracker.pending(), 1u);

  // Acks and fails of the failed tree are unknown from now on.
  EXPECT_EQ(tracker.Ack(1, 0x70, 300), std::nullopt);
  EXPECT_EQ(tracker.Fail(1, 300), std::nullopt);
  EXPECT_EQ(tracker.unknown_acks(), 2u);
  // The failed tree does not time out later.
  const std::vector<TreeOutcome> expired =
      AdvanceTo(&tracker, 100 + kMaxExpiryNs);
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].msg_id, 20u);
}

TEST(XorTrackerTest, AckAfterCompletionIsUnknown) {
  XorTracker tracker(kTimeoutNs, kBuckets, 0);
  ASSERT_EQ(tracker.Start(3, 30, 0x5, 0), std::nullopt);
  ASSERT_EQ(tracker.Ack(3, 0x5, 1), Acked(30, 1));
  EXPECT_EQ(tracker.Ack(3, 0x5, 2), std::nullopt);
  EXPECT_EQ(tracker.Ack(3, 0x0, 3), std::nullopt);
  EXPECT_EQ(tracker.unknown_acks(), 2u);
  EXPECT_EQ(tracker.pending(), 0u);
}

TEST(XorTrackerTest, UnknownRootsAreCountedAndIgnored) {
  XorTracker tracker(kTimeoutNs, kBuckets, 0);
  ASSERT_EQ(tracker.Start(1, 10, 0x1, 0), std::nullopt);
  EXPECT_EQ(tracker.Ack(99, 0x1, 1), std::nullopt);
  EXPECT_EQ(tracker.Fail(98, 1), std::nullopt);
  tracker.ResetTimeout(97, 1);  // ignored, not counted
  EXPECT_EQ(tracker.unknown_acks(), 2u);
  EXPECT_FALSE(tracker.Contains(99));
  EXPECT_FALSE(tracker.Contains(97));
  EXPECT_EQ(tracker.pending(), 1u);
  EXPECT_EQ(tracker.Ack(1, 0x1, 2), Acked(10, 2));
}

TEST(XorTrackerTest, AckOfZeroLeavesTheTreePending) {
  XorTracker tracker(kTimeoutNs, kBuckets, 0);
  ASSERT_EQ(tracker.Start(1, 10, 0x1, 0), std::nullopt);
  EXPECT_EQ(tracker.Ack(1, 0, 1), std::nullopt);
  EXPECT_TRUE(tracker.Contains(1));
}

// For every start time within a rotation interval, the tree must survive
// until at least start + timeout and expire by start + timeout * B/(B-1).
TEST(XorTrackerTest, TimeoutFallsWithinTheDocumentedWindow) {
  constexpr std::int64_t kOriginNs = 1'000'000;
  constexpr std::int64_t kIntervalNs = kTimeoutNs / (kBuckets - 1);
  for (std::int64_t offset = 0; offset <= 2 * kIntervalNs; offset += 50) {
    XorTracker tracker(kTimeoutNs, kBuckets, kOriginNs);
    const std::int64_t start = kOriginNs + offset;
    ASSERT_EQ(tracker.Start(8, 80, 0x1, start), std::nullopt);

    // Advance in small steps to find the exact expiry time.
    std::int64_t expired_at = -1;
    std::vector<TreeOutcome> expired;
    for (std::int64_t now = start; now <= start + 2 * kMaxExpiryNs; now += 10) {
      tracker.Advance(now, &expired);
      if (!expired.empty()) {
        expired_at = now;
        break;
      }
    }
    ASSERT_EQ(expired.size(), 1u) << "offset " << offset;
    EXPECT_EQ(expired[0].msg_id, 80u);
    EXPECT_EQ(expired[0].kind, Kind::kTimedOut);
    EXPECT_EQ(expired[0].latency_ns, expired_at - start);
    EXPECT_GE(expired_at - start, kTimeoutNs) << "offset " << offset;
    EXPECT_LE(expired_at - start, kMaxExpiryNs) << "offset " << offset;
    EXPECT_EQ(tracker.pending(), 0u);
    EXPECT_FALSE(tracker.Contains(8));
  }
}

TEST(XorTrackerTest, TimeoutIsAtLeastTheTimeoutWhenBucketsDoNotDivideIt) {
  constexpr std::int64_t kOddTimeoutNs = 1'001;
  for (int buckets = 2; buckets <= 7; ++buckets) {
    for (std::int64_t start = 0; start < 1'100; start += 7) {
      XorTracker tracker(kOddTimeoutNs, buckets, 0);
      ASSERT_EQ(tracker.Start(1, 1, 0x1, start), std::nullopt);
      EXPECT_TRUE(AdvanceTo(&tracker, start + kOddTimeoutNs - 1).empty())
          << "buckets " << buckets << " start " << start;
      // interval = ceil(1001 / (buckets - 1)); expiry by buckets * interval.
      const std::int64_t interval =
          (kOddTimeoutNs + buckets - 2) / (buckets - 1);
      EXPECT_EQ(AdvanceTo(&tracker, start + buckets * interval).size(), 1u)
          << "buckets " << buckets << " start " << start;
    }
  }
}

TEST(XorTrackerTest, NextRotationTellsWhenToAdvance) {
  XorTracker tracker(kTimeoutNs, kBuckets, 0);
  EXPECT_EQ(tracker.NextRotationNs(), 1'000);
  ASSERT_EQ(tracker.Start(1, 10, 0x1, 0), std::nullopt);
  std::int64_t now = 0;
  std::vector<TreeOutcome> expired;
  while (expired.empty()) {
    const std::int64_t next = tracker.NextRotationNs();
    ASSERT_GT(next, now);
    tracker.Advance(next - 1, &expired);
    ASSERT_TRUE(expired.empty());
    now = next;
    tracker.Advance(now, &expired);
  }
  EXPECT_EQ(now, kMaxExpiryNs);
  EXPECT_EQ(tracker.NextRotationNs(), kMaxExpiryNs + 1'000);
}

TEST(XorTrackerTest, ResetTimeoutPostponesExpiry) {
  XorTracker tracker(kTimeoutNs, kBuckets, 0);
  ASSERT_EQ(tracker.Start(1, 10, 0x1, 0), std::nullopt);
  ASSERT_EQ(tracker.Start(2, 20, 0x2, 0), std::nullopt);

  // Keep tree 1 alive well past its original deadline.
  for (std::int64_t now = 500; now <= 3 * kMaxExpiryNs; now += 500) {
    tracker.ResetTimeout(1, now);
    const std::vector<TreeOutcome> expired = AdvanceTo(&tracker, now);
    for (const TreeOutcome& outcome : expired) EXPECT_EQ(outcome.msg_id, 20u);
  }
  EXPECT_TRUE(tracker.Contains(1));
  EXPECT_FALSE(tracker.Contains(2));

  // Two resets within one interval: the tree still times out exactly once.
  const std::int64_t last_reset = 3 * kMaxExpiryNs + 100;
  tracker.ResetTimeout(1, last_reset - 50);
  tracker.ResetTimeout(1, last_reset);
  EXPECT_TRUE(AdvanceTo(&tracker, last_reset + kTimeoutNs - 1).empty());
  const std::vector<TreeOutcome> expired =
      AdvanceTo(&tracker, last_reset + kMaxExpiryNs);
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].msg_id, 10u);
  EXPECT_EQ(expired[0].kind, Kind::kTimedOut);
  // Latency counts from Start, not from the reset.
  EXPECT_EQ(expired[0].latency_ns, last_reset + kMaxExpiryNs);
}

TEST(XorTrackerTest, AckAfterTimeoutIsUnknown) {
  XorTracker tracker(kTimeoutNs, kBuckets, 0);
  ASSERT_EQ(tracker.Start(1, 10, 0x1, 0), std::nullopt);
  ASSERT_EQ(AdvanceTo(&tracker, kMaxExpiryNs).size(), 1u);
  EXPECT_EQ(tracker.Ack(1, 0x1, kMaxExpiryNs + 1), std::nullopt);
  EXPECT_EQ(tracker.Fail(1, kMaxExpiryNs + 1), std::nullopt);
  EXPECT_EQ(tracker.unknown_acks(), 2u);
}

// A call made after the deadline times the tree out even if Advance() has
// not run; the outcome waits for the next Advance().
TEST(XorTrackerTest, OverdueTreeCannotBeAckedBeforeAdvance) {
  XorTracker tracker(kTimeoutNs, kBuckets, 0);
  ASSERT_EQ(tracker.Start(1, 10, 0x1, 0), std::nullopt);
  ASSERT_EQ(tracker.Start(2, 20, 0x2, 0), std::nullopt);
  EXPECT_EQ(tracker.Ack(1, 0x1, kMaxExpiryNs + 5), std::nullopt);
  EXPECT_EQ(tracker.unknown_acks(), 1u);
  EXPECT_FALSE(tracker.Contains(2));
  EXPECT_EQ(tracker.pending(), 2u);  // both outcomes still owed
  EXPECT_LE(tracker.NextRotationNs(), kMaxExpiryNs + 5);

  const std::vector<TreeOutcome> expired =
      AdvanceTo(&tracker, kMaxExpiryNs + 5);
  ASSERT_EQ(expired.size(), 2u);
  // Timed out by the Ack's catch-up, so latency runs to that call.
  EXPECT_EQ(expired[0], (TreeOutcome{10, Kind::kTimedOut, kMaxExpiryNs + 5}));
  EXPECT_EQ(expired[1], (TreeOutcome{20, Kind::kTimedOut, kMaxExpiryNs + 5}));
  EXPECT_EQ(tracker.pending(), 0u);
  EXPECT_GT(tracker.NextRotationNs(), kMaxExpiryNs + 5);
}

// A tree started after a long pause without Advance() still gets its full
// timeout.
TEST(XorTrackerTest, StartAfterLongIdleGetsFullTimeout) {
  XorTracker tracker(kTimeoutNs, kBuckets, 0);
  ASSERT_EQ(tracker.Start(1, 10, 0x1, 0), std::nullopt);
  const std::int64_t late = 1'000'000'007;
  ASSERT_EQ(tracker.Start(2, 20, 0x2, late), std::nullopt);
  std::vector<TreeOutcome> expired = AdvanceTo(&tracker, late);
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].msg_id, 10u);

  EXPECT_TRUE(AdvanceTo(&tracker, late + kTimeoutNs - 1).empty());
  EXPECT_TRUE(tracker.Contains(2));
  expired = AdvanceTo(&tracker, late + kMaxExpiryNs);
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].msg_id, 20u);
}

TEST(XorTrackerTest, ExpiredTreesAreReportedOldestFirst) {
  XorTracker tracker(kTimeoutNs, kBuckets, 0);
  for (std::uint64_t i = 0; i < 8; ++i) {
    const auto now = static_cast<std::int64_t>(i) * 400;
    ASSERT_EQ(tracker.Start(100 + i, i, 0x1, now), std::nullopt);
  }
  const std::vector<TreeOutcome> expired =
      AdvanceTo(&tracker, 100 * kMaxExpiryNs);
  ASSERT_EQ(expired.size(), 8u);
  for (std::uint64_t i = 0; i < 8; ++i) EXPECT_EQ(expired[i].msg_id, i);
}

TEST(XorTrackerTest, RootCanBeReusedAfterItsTreeEnds) {
  XorTracker tracker(kTimeoutNs, kBuckets, 0);
  ASSERT_EQ(tracker.Start(5, 1, 0x1, 0), std::nullopt);
  ASSERT_EQ(tracker.Ack(5, 0x1, 10), Acked(1, 10));
  // Same root, same generation: the first tree's bucket entry is stale.
  ASSERT_EQ(tracker.Start(5, 2, 0x2, 20), std::nullopt);
  const std::vector<TreeOutcome> expired = AdvanceTo(&tracker, kMaxExpiryNs);
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0], (TreeOutcome{2, Kind::kTimedOut, kMaxExpiryNs - 20}));
}

TEST(XorTrackerDeathTest, StartingAPendingRootAborts) {
  XorTracker tracker(kTimeoutNs, kBuckets, 0);
  ASSERT_EQ(tracker.Start(5, 1, 0x1, 0), std::nullopt);
  EXPECT_DEATH(tracker.Start(5, 2, 0x2, 1), "internal check failed");
}

TEST(XorTrackerTest, GrowsPastManyThousandsOfTrees) {
  constexpr std::uint64_t kTrees = 200'000;
  XorTracker tracker(kTimeoutNs, kBuckets, 0);
  std::mt19937_64 rng(7);
  std::vector<std::uint64_t> roots;
  std::unordered_set<std::uint64_t> seen;
  while (roots.size() < kTrees) {
    // Half sequential roots (hash clustering), half random.
    const std::uint64_t root = roots.size() % 2 == 0 ? roots.size() : rng();
    if (seen.insert(root).second) roots.push_back(root);
  }
  for (std::uint64_t i = 0; i < kTrees; ++i) {
    ASSERT_EQ(tracker.Start(roots[i], i, roots[i] | 1, 0), std::nullopt);
  }
  EXPECT_EQ(tracker.pending(), kTrees);
  EXPECT_GE(tracker.capacity(), kTrees);
  for (const std::uint64_t root : roots) ASSERT_TRUE(tracker.Contains(root));
  EXPECT_FALSE(tracker.Contains(rng()));

  // Ack every other tree; the rest must stay reachable across the holes.
  for (std::uint64_t i = 0; i < kTrees; i += 2) {
    ASSERT_EQ(tracker.Ack(roots[i], roots[i] | 1, 1), Acked(i, 1));
  }
  EXPECT_EQ(tracker.pending(), kTrees / 2);
  for (std::uint64_t i = 0; i < kTrees; ++i) {
    ASSERT_EQ(tracker.Contains(roots[i]), i % 2 == 1) << i;
  }
  for (std::uint64_t i = 1; i < kTrees; i += 2) {
    ASSERT_EQ(tracker.Fail(roots[i], 2), (TreeOutcome{i, Kind::kFailed, 2}));
  }
  EXPECT_EQ(tracker.pending(), 0u);
  EXPECT_EQ(tracker.unknown_acks(), 0u);
  EXPECT_TRUE(AdvanceTo(&tracker, 10 * kMaxExpiryNs).empty());
}

// A steady flow with bounded pending trees reuses the table: deleted slots
// do not pile up, so it never grows past the first size that fits.
TEST(XorTrackerTest, SteadyFlowReusesTheTable) {
  constexpr std::size_t kInFlight = 1'000;
  constexpr std::int64_t kLongTimeoutNs = 1'000'000'000'000;
  XorTracker tracker(kLongTimeoutNs, kBuckets, 0);
  std::mt19937_64 rng(99);
  std::vector<std::pair<std::uint64_t, std::uint64_t>> window;  // root, value
  std::int64_t now = 0;
  for (std::size_t i = 0; i < kInFlight; ++i) {
    window.emplace_back(rng(), rng() | 1);
    ASSERT_EQ(tracker.Start(window.back().first, i, window.back().second, now),
              std::nullopt);
  }
  const std::size_t capacity = tracker.capacity();
  for (std::uint64_t i = kInFlight; i < 500'000; ++i) {
    now += 1;  // far below the timeout: nothing expires
    const std::size_t victim = rng() % window.size();
    const auto [root, value] = window[victim];
    ASSERT_TRUE(tracker.Ack(root, value, now).has_value());
    window[victim] = {rng(), rng() | 1};
    ASSERT_EQ(
        tracker.Start(window[victim].first, i, window[victim].second, now),
        std::nullopt);
  }
  EXPECT_EQ(tracker.pending(), kInFlight);
  EXPECT_EQ(tracker.capacity(), capacity);
  for (const auto& [root, value] : window) EXPECT_TRUE(tracker.Contains(root));
}

// Random operations checked against a plain map that computes each tree's
// deadline from the rotation schedule.
TEST(XorTrackerTest, MatchesReferenceModel) {
  constexpr std::int64_t kOriginNs = 5'000;
  constexpr std::int64_t kIntervalNs = kTimeoutNs / (kBuckets - 1);
  struct Tree {
    std::uint64_t value;
    std::uint64_t msg_id;
    std::int64_t start_ns;
    std::int64_t deadline_ns;
  };
  const auto deadline_from = [](std::int64_t now) {
    return kOriginNs +
           ((now - kOriginNs) / kIntervalNs + kBuckets) * kIntervalNs;
  };

  for (const std::uint64_t seed : {1u, 2u, 3u}) {
    std::mt19937_64 rng(seed);
    XorTracker tracker(kTimeoutNs, kBuckets, kOriginNs);
    std::unordered_map<std::uint64_t, Tree> model;
    std::vector<std::uint64_t> model_overdue;  // msg ids timed out, unreported
    std::uint64_t model_unknown = 0;
    std::uint64_t next_msg_id = 0;
    std::int64_t now = kOriginNs;

    // Roots come from a small pool (so they are reused, 0 included) or are
    // fresh random numbers.
    const auto pick_root = [&]() -> std::uint64_t {
      return rng() % 3 == 0 ? rng() : rng() % 64;
    };
    const auto expire_model = [&]() {
      for (auto it = model.begin(); it != model.end();) {
        if (it->second.deadline_ns <= now) {
          model_overdue.push_back(it->second.msg_id);
          it = model.erase(it);
        } else {
          ++it;
        }
      }
    };

    for (int step = 0; step < 200'000; ++step) {
      now += static_cast<std::int64_t>(rng() % 60);
      if (rng() % 5000 == 0) now += 10 * kMaxExpiryNs;  // a long pause
      expire_model();
      const std::uint64_t root = pick_root();
      const auto it = model.find(root);
      switch (rng() % 10) {
        case 0:
        case 1:
        case 2: {                        // start
          if (it != model.end()) break;  // a pending root must not restart
          const std::uint64_t initial = rng() % 8 == 0 ? 0 : rng();
          const std::uint64_t msg_id = next_msg_id++;
          const std::optional<TreeOutcome> got =
              tracker.Start(root, msg_id, initial, now);
          if (initial == 0) {
            ASSERT_EQ(got, Acked(msg_id, 0));
          } else {
            ASSERT_EQ(got, std::nullopt);
            model[root] = Tree{initial, msg_id, now, deadline_from(now)};
          }
          break;
        }
        case 3:
        case 4:
        case 5: {  // ack: sometimes the exact remainder, sometimes a part
          std::uint64_t value = rng();
          if (it != model.end() && rng() % 2 == 0) value = it->second.value;
          const std::optional<TreeOutcome> got = tracker.Ack(root, value, now);
          if (it == model.end()) {
            ++model_unknown;
            ASSERT_EQ(got, std::nullopt);
          } else if ((it->second.value ^= value) == 0) {
            ASSERT_EQ(got, Acked(it->second.msg_id, now - it->second.start_ns));
            model.erase(it);
          } else {
            ASSERT_EQ(got, std::nullopt);
          }
          break;
        }
        case 6: {  // fail
          const std::optional<TreeOutcome> got = tracker.Fail(root, now);
          if (it == model.end()) {
            ++model_unknown;
            ASSERT_EQ(got, std::nullopt);
          } else {
            ASSERT_EQ(got, (TreeOutcome{it->second.msg_id, Kind::kFailed,
                                        now - it->second.start_ns}));
            model.erase(it);
          }
          break;
        }
        case 7: {  // reset timeout
          tracker.ResetTimeout(root, now);
          if (it != model.end()) it->second.deadline_ns = deadline_from(now);
          break;
        }
        default: {  // advance
          std::vector<TreeOutcome> expired;
          tracker.Advance(now, &expired);
          std::vector<std::uint64_t> got;
          for (const TreeOutcome& outcome : expired) {
            ASSERT_EQ(outcome.kind, Kind::kTimedOut);
            got.push_back(outcome.msg_id);
          }
          std::sort(got.begin(), got.end());
          std::sort(model_overdue.begin(), model_overdue.end());
          ASSERT_EQ(got, model_overdue) << "seed " << seed << " step " << step;
          model_overdue.clear();
          break;
        }
      }
      ASSERT_EQ(tracker.Contains(root), model.count(root) == 1)
          << "seed " << seed << " step " << step;
      ASSERT_EQ(tracker.pending(), model.size() + model_overdue.size())
          << "seed " << seed << " step " << step;
      ASSERT_EQ(tracker.unknown_acks(), model_unknown);
    }
  }
}

}  // namespace
}  // namespace gale::acking
