#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gale/gale.h"
#include "spouts/kafka/error_throttle.h"
#include "spouts/kafka/kafka_spout_options.h"
#include "spouts/kafka/record_tracker.h"

namespace RdKafka {
class KafkaConsumer;
class Message;
}  // namespace RdKafka

namespace gale::kafka {

// Reads Kafka topics through a consumer group (librdkafka) and emits every
// record reliably: at-least-once.
//
// Each task is one member of the group, so the partitions spread over the
// tasks and move on rebalances. Every record is emitted with a message id
// and kept in memory until its tuple tree completes. An offset is committed
// only when it and every earlier offset of its partition were acked (the
// commit is the lowest unacked offset); a failed or timed-out record is
// replayed from memory. On a rebalance the revoked partitions' acked
// offsets are committed (best effort) and their in-flight records dropped:
// the next owner resumes from the last commit, so records may be seen twice
// but never skipped. Set topology.max.spout.pending to bound the memory.
//
// A bounded spout pauses the partitions it has read to their end; once it is
// exhausted, Exhausted() itself keeps serving the consumer (rebalances,
// commit results), because the executor no longer calls NextTuple. A record
// arriving then (from a new assignment) is held until the next NextTuple.
//
// Properties:
//   bootstrap.servers  string  brokers; default: kafka.bootstrap.servers
//                              (usually -c kafka.bootstrap.servers=... on
//                              the command line).
//   topic / topics     string or list  the topics to subscribe to (required).
//   group.id           string  default "gale-<topology>-<component>".
//   first.poll.offset.strategy  EARLIEST | LATEST | UNCOMMITTED_EARLIEST
//                      (default) | UNCOMMITTED_LATEST: where a partition
//                      starts the first time it is assigned in this process;
//                      later assignments resume from the committed offset.
//   translator         default: fields topic, partition, offset, key, value;
//                      value: field value only.
//   deserializer       string (default) or bytes: how key and value are
//                      emitted; a null key or value is emitted as null.
//   max.retries        int  replays per record; default unbounded. A record
//                      failing once more is reported via ReportError and
//                      counted as done (its offset may be committed).
//   bounded            bool  stop (Exhausted) once every assigned partition
//                      reached the end offset it had when the task opened,
//                      every record was acked and the offsets were committed.
//                      For tests and batch runs.
//   max.records        int  stop after emitting this many records (not
//                      counting replays) once they were all acked and
//                      committed.
//   offset.commit.period.ms  int  default 5000: how often acked offsets are
//                      committed (asynchronously); Deactivate and Close
//                      commit synchronously.
//   poll.timeout.ms    int  0..100, default 0: how long NextTuple waits for
//                      a record.
//   metadata.timeout.ms int  default 10000: bounded mode's end-offset query.
//   kafka.X, kafka.consumer.X  passed to librdkafka as X (e.g.
//                      kafka.session.timeout.ms). enable.auto.commit and
//                      enable.auto.offset.store stay false.
class KafkaSpout : public Spout {
 public:
  KafkaSpout();
  ~KafkaSpout() override;
  KafkaSpout(const KafkaSpout&) = delete;
  KafkaSpout& operator=(const KafkaSpout&) = delete;

  void Open(const Config& config, const TopologyContext& context,
            SpoutOutputCollector& collector) override;
  void NextTuple() override;
  void Ack(MessageId id) override;
  void Fail(MessageId id) override;
  void Deactivate() override;
  void Close() override;
  bool Exhausted() const override;
  void DeclareOutputFields(OutputFieldsDeclarer& declarer) const override;
  void DeclareConfig(ConfigDeclarer& declarer) const override {
    declarer.Declare("topic", ConfigType::kString, "a topic to read")
        .Declare("topics", ConfigType::kList, "topics to read")
        .Declare("group.id", ConfigType::kString, "consumer group")
        .Declare("bootstrap.servers", ConfigType::kString, "HOST:PORT,...")
        .String("first.poll.offset.strategy", "UNCOMMITTED_EARLIEST", "where to start")
        .String("deserializer", "string", "string or bytes")
        .String("translator", "default", "default or value")
        .Int("max.retries", -1, "replays per record; -1: no limit")
        .Bool("bounded", false, "stop at the end offsets seen at start")
        .Int("max.records", -1, "records to read; -1: no limit");
  }

  // librdkafka callbacks; they run inside consume()/commit calls on the
  // executor thread.
  class Callbacks;

 private:
  friend class Callbacks;
  using Clock = std::chrono::steady_clock;

  // Rebalance handling (on the executor thread, inside consume()).
  void OnAssign(std::vector<TopicPartition> partitions, bool incremental);
  void OnRevoke(const std::vector<TopicPartition>& partitions, bool incremental);
  void OnCommitResult(const TopicPartition& tp, std::int64_t offset, bool ok,
                      const std::string& error);

  // Bounded (or max.records) and everything read and acked; Exhausted once
  // the final commit succeeded too.
  bool Finishing() const;
  // Consumes up to a few events; a record is emitted (emit) or kept in
  // stashed_. True when a record was emitted or stashed.
  bool Poll(int timeout_ms, bool emit);
  // Tracks and emits one record; false when its partition is not assigned.
  bool EmitRecord(const RdKafka::Message& msg);
  // Keeps an exhausted spout's consumer in its group (called by Exhausted).
  void ServeWhileExhausted();
  // max.records emitted.
  bool LimitReached() const;
  // Stops fetching `partitions` (bounded runs that read what they need).
  void Pause(const std::vector<TopicPartition>& partitions);
  void QueryEndOffsets();
  // Commits the committable offsets of `only` (all when null).
  void Commit(bool sync, const std::vector<TopicPartition>* only = nullptr);
  void CommitAndWait(const std::vector<RecordTracker::Commit>& commits, int timeout_ms);
  Values Translate(const std::string& topic, std::int32_t partition, std::int64_t offset,
                   const void* key, std::size_t key_len, const void* value,
                   std::size_t value_len) const;
  // Rate-limited ReportError for consumer errors.
  void ReportConsumerError(const std::string& message);

  KafkaSpoutOptions options_;
  SpoutOutputCollector* collector_ = nullptr;
  std::unique_ptr<Callbacks> callbacks_;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  RecordTracker tracker_;
  std::string name_;            // "component 'x' task 3" for messages
  std::int64_t emitted_ = 0;    // records emitted, replays not counted
  std::uint64_t given_up_ = 0;  // records dropped after max.retries
  Clock::time_point next_commit_{};
  Clock::time_point next_final_commit_{};
  Clock::time_point next_idle_poll_{};
  // The last synchronous commit timed out: librdkafka still holds it.
  bool commit_stuck_ = false;
  // True between a revocation and the next assignment.
  bool awaiting_assignment_ = false;
  // A record consumed while exhausted, emitted by the next NextTuple.
  std::unique_ptr<RdKafka::Message> stashed_;
  ErrorThrottle error_throttle_;
  ErrorThrottle given_up_throttle_;  // records given up after max.retries
};

}  // namespace gale::kafka
