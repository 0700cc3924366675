#include "spouts/kafka/record_tracker.h"

#include <algorithm>

namespace gale::kafka {

void RecordTracker::Assign(const TopicPartition& tp) {
  assignment_seen_ = true;
  partitions_.try_emplace(tp);
}

std::size_t RecordTracker::Revoke(const TopicPartition& tp) {
  auto it = partitions_.find(tp);
  if (it == partitions_.end()) return 0;
  std::size_t dropped = 0;
  for (const auto& [offset, id] : it->second.unacked) dropped += records_.erase(id);
  partitions_.erase(it);
  // Stale ids left in replay_ are skipped by NextReplay.
  return dropped;
}

void RecordTracker::RevokeAll() {
  partitions_.clear();
  records_.clear();
  replay_.clear();
}

std::vector<TopicPartition> RecordTracker::Assigned() const {
  std::vector<TopicPartition> out;
  out.reserve(partitions_.size());
  for (const auto& [tp, p] : partitions_) out.push_back(tp);
  return out;
}

std::optional<MessageId> RecordTracker::Add(const TopicPartition& tp, std::int64_t offset,
                                            Values values, std::optional<std::string> key) {
  auto it = partitions_.find(tp);
  if (it == partitions_.end()) return std::nullopt;
  MessageId id = next_id_++;
  it->second.unacked.emplace(offset, id);
  it->second.position = std::max(it->second.position, offset + 1);
  records_.emplace(id, Record{tp, offset, std::move(values), 0, false, false, std::move(key)});
  return id;
}

bool RecordTracker::Skip(const TopicPartition& tp, std::int64_t offset) {
  auto it = partitions_.find(tp);
  if (it == partitions_.end()) return false;
  it->second.position = std::max(it->second.position, offset + 1);
  return true;
}

void RecordTracker::ObserveEnd(const TopicPartition& tp, std::int64_t offset) {
  auto it = partitions_.find(tp);
  if (it == partitions_.end() || offset < 0) return;
  it->second.position = std::max(it->second.position, offset);
}

void RecordTracker::Settle(std::unordered_map<MessageId, Record>::iterator it) {
  auto p = partitions_.find(it->second.tp);
  if (p != partitions_.end()) p->second.unacked.erase(it->second.offset);
  records_.erase(it);
}

const RecordTracker::Record* RecordTracker::Find(MessageId id) const {
  auto it = records_.find(id);
  return it == records_.end() ? nullptr : &it->second;
}

bool RecordTracker::Ack(MessageId id) {
  auto it = records_.find(id);
  if (it == records_.end()) return false;
  Settle(it);
  return true;
}

RecordTracker::FailOutcome RecordTracker::Fail(MessageId id, std::int64_t max_replays) {
  auto it = records_.find(id);
  if (it == records_.end()) return FailOutcome::kUnknown;
  Record& r = it->second;
  if (r.given_up) return FailOutcome::kUnknown;
  if (r.queued) return FailOutcome::kReplay;
  if (max_replays >= 0 && r.replays >= max_replays) {
    r.given_up = true;
    return FailOutcome::kGiveUp;
  }
  ++r.replays;
  r.queued = true;
  replay_.push_back(id);
  return FailOutcome::kReplay;
}

const RecordTracker::Record* RecordTracker::NextReplay(MessageId* id) {
  while (!replay_.empty()) {
    MessageId next = replay_.front();
    replay_.pop_front();
    auto it = records_.find(next);
    if (it == records_.end() || !it->second.queued) continue;
    it->second.queued = false;
    *id = next;
    return &it->second;
  }
  return nullptr;
}

bool RecordTracker::HasReplays() {
  while (!replay_.empty()) {
    auto it = records_.find(replay_.front());
    if (it != records_.end() && it->second.queued) return true;
    replay_.pop_front();
  }
  return false;
}

std::optional<std::int64_t> RecordTracker::CommitPoint(const TopicPartition& tp) const {
  auto it = partitions_.find(tp);
  if (it == partitions_.end()) return std::nullopt;
  const Partition& p = it->second;
  if (!p.unacked.empty()) return p.unacked.begin()->first;
  if (p.position < 0) return std::nullopt;
  return p.position;
}

std::vector<RecordTracker::Commit> RecordTracker::Committable(
    const std::vector<TopicPartition>* only) const {
  std::vector<Commit> out;
  auto consider = [&](const TopicPartition& tp) {
    auto it = partitions_.find(tp);
    if (it == partitions_.end()) return;
    std::optional<std::int64_t> point = CommitPoint(tp);
    if (point && *point > it->second.committed) out.push_back(Commit{tp, *point});
  };
  if (only != nullptr) {
    for (const TopicPartition& tp : *only) consider(tp);
  } else {
    for (const auto& [tp, p] : partitions_) consider(tp);
  }
  return out;
}

void RecordTracker::MarkCommitted(const TopicPartition& tp, std::int64_t offset) {
  auto it = partitions_.find(tp);
  if (it == partitions_.end()) return;
  it->second.committed = std::max(it->second.committed, offset);
}

void RecordTracker::SetEndOffset(const TopicPartition& tp, std::int64_t end_offset) {
  end_offsets_[tp] = end_offset;
}

bool RecordTracker::ReachedEnd(const TopicPartition& tp) const {
  auto it = partitions_.find(tp);
  if (it == partitions_.end()) return false;
  auto end = end_offsets_.find(tp);
  std::int64_t end_offset = end == end_offsets_.end() ? 0 : end->second;
  // Nothing was there at the start, or everything up to the end was read.
  return end_offset <= 0 || it->second.position >= end_offset;
}

bool RecordTracker::AllAssignedDone() const {
  if (!assignment_seen_ || !records_.empty()) return false;
  for (const auto& [tp, p] : partitions_) {
    if (!ReachedEnd(tp)) return false;
  }
  return true;
}

}  // namespace gale::kafka
