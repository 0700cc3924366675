#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "gale/gale.h"

namespace gale::kafka {

// A Kafka partition of a topic.
struct TopicPartition {
  std::string topic;
  std::int32_t partition = 0;

  friend auto operator<=>(const TopicPartition&, const TopicPartition&) = default;
  // "words/3"
  std::string ToString() const { return topic + "/" + std::to_string(partition); }
};

// The bookkeeping of a reliable Kafka spout, without Kafka: which records are
// in flight, which may be committed, which wait for a replay.
//
// Per assigned partition it keeps the unacked offsets (emitted, not yet
// acked; failed ones included until they are replayed and acked). The
// commit point of a partition is its lowest unacked offset, or the offset
// after the last record seen when none is unacked: every record below the
// commit point was acked (a given-up record once the caller settled it) or
// skipped on purpose, so committing it never skips a record silently.
// Offsets need not be contiguous (compaction, transaction markers).
//
// Records keep their emitted values so a failed one is replayed from memory
// with the same message id, without seeking the consumer. Revoking a
// partition forgets its records: late acks and fails for them are ignored,
// and the partition's next owner resumes from the last commit.
//
// Not thread-safe; the spout's executor thread owns it.
class RecordTracker {
 public:
  struct Record {
    TopicPartition tp;
    std::int64_t offset = 0;
    Values values;
    std::int64_t replays = 0;  // times it was queued for replay
    bool queued = false;       // waiting in the replay queue
    bool given_up = false;     // exhausted its replays; settled by Ack
    // The record's key when `values` do not carry it and the spout may need
    // it again (a dead letter); nullopt otherwise or for a null key.
    std::optional<std::string> key;
  };

  enum class FailOutcome {
    kReplay,   // queued; NextReplay() hands it out again
    // Exceeded max_replays: never replayed again, but it still holds its
    // partition's commit point until the caller settles it with Ack (once
    // it was dead-lettered, or dropped).
    kGiveUp,
    kUnknown,  // no such record (acked, revoked), or one already given up
  };

  struct Commit {
    TopicPartition tp;
    std::int64_t offset = 0;  // the next offset to consume
  };

  // Starts tracking `tp`. Its position is unknown until the first record or
  // end-of-partition event. Assigning an assigned partition is a no-op.
  void Assign(const TopicPartition& tp);
  // Stops tracking `tp` and forgets its in-flight records; returns how many.
  std::size_t Revoke(const TopicPartition& tp);
  void RevokeAll();
  bool IsAssigned(const TopicPartition& tp) const { return partitions_.count(tp) > 0; }
  std::vector<TopicPartition> Assigned() const;
  // True once Assign or an empty assignment was recorded (see MarkAssignmentSeen).
  bool assignment_seen() const { return assignment_seen_; }
  void MarkAssignmentSeen() { assignment_seen_ = true; }

  // Records a consumed record of an assigned partition and returns its
  // message id (ids are never reused); nullopt when `tp` is not assigned.
  std::optional<MessageId> Add(const TopicPartition& tp, std::int64_t offset, Values values,
                               std::optional<std::string> key = std::nullopt);
  // A record of `tp` at `offset` the caller consumed but does not emit: it
  // is done at once (the commit point may pass it). False when `tp` is not
  // assigned.
  bool Skip(const TopicPartition& tp, std::int64_t offset);
  // The consumer reached the end of `tp` at `offset` (the next offset).
  void ObserveEnd(const TopicPartition& tp, std::int64_t offset);

  // The record with message id `id`, or nullptr (acked, given up, revoked).
  const Record* Find(MessageId id) const;
  // The record is done; false for an unknown id.
  bool Ack(MessageId id);
  // `max_replays` < 0 means without limit.
  FailOutcome Fail(MessageId id, std::int64_t max_replays);
  // The next record waiting for a replay, with its id; nullptr when none.
  // The pointer is valid until the next call that changes the tracker.
  const Record* NextReplay(MessageId* id);
  bool HasReplays();

  // Partitions whose commit point moved past the last commit recorded with
  // MarkCommitted. `only` restricts the answer to those partitions.
  std::vector<Commit> Committable(const std::vector<TopicPartition>* only = nullptr) const;
  // Records that `offset` was stored for `tp` (ignored when not assigned).
  void MarkCommitted(const TopicPartition& tp, std::int64_t offset);
  // The commit point of `tp`, or nullopt while its position is unknown.
  std::optional<std::int64_t> CommitPoint(const TopicPartition& tp) const;

  // End offsets for bounded runs: a partition "reached its end" once its
  // position is at or past its end offset. A partition without a recorded
  // end offset counts as empty.
  void SetEndOffset(const TopicPartition& tp, std::int64_t end_offset);
  // Every assigned partition reached its end and nothing is in flight.
  bool AllAssignedDone() const;
  // `tp` is assigned and its position is at or past its end offset.
  bool ReachedEnd(const TopicPartition& tp) const;

  std::size_t in_flight() const { return records_.size(); }

 private:
  struct Partition {
    std::map<std::int64_t, MessageId> unacked;  // offset -> id
    std::int64_t position = -1;                 // after the last record seen; -1 unknown
    std::int64_t committed = -1;                // last commit recorded; -1 none
  };

  // Forgets `id` and its partition entry.
  void Settle(std::unordered_map<MessageId, Record>::iterator it);

  std::map<TopicPartition, Partition> partitions_;
  std::unordered_map<MessageId, Record> records_;
  std::deque<MessageId> replay_;
  std::map<TopicPartition, std::int64_t> end_offsets_;
  MessageId next_id_ = 1;
  bool assignment_seen_ = false;
};

}  // namespace gale::kafka
