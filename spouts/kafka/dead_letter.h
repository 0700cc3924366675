#pragma once

// Records a KafkaSpout gave up on (they exhausted max.retries), written to a
// dead-letter topic before the spout commits past them.
//
// A dead letter carries the record's key and value as the spout read them
// and these headers (values as text):
//   gale.origin.topic      the topic it was read from
//   gale.origin.partition  its partition, in decimal
//   gale.origin.offset     its offset, in decimal
//   gale.origin.group      the spout's consumer group
//   gale.failure.reason    why it was given up on
// The record's own headers and timestamp are not kept.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gale/gale.h"
#include "spouts/kafka/kafka_properties.h"
#include "spouts/kafka/kafka_spout_options.h"
#include "spouts/kafka/record_tracker.h"

namespace RdKafka {
class Producer;
}  // namespace RdKafka

namespace gale::kafka {

inline constexpr char kHeaderOriginTopic[] = "gale.origin.topic";
inline constexpr char kHeaderOriginPartition[] = "gale.origin.partition";
inline constexpr char kHeaderOriginOffset[] = "gale.origin.offset";
inline constexpr char kHeaderOriginGroup[] = "gale.origin.group";
inline constexpr char kHeaderFailureReason[] = "gale.failure.reason";

struct DeadLetter {
  TopicPartition origin;
  std::int64_t offset = 0;
  std::string group;
  std::optional<std::string> key;    // nullopt: null key
  std::optional<std::string> value;  // nullopt: null value (a tombstone)
  std::string reason;

  // The headers above, in that order.
  std::vector<std::pair<std::string, std::string>> Headers() const;
};

// The dead letter of a tracked record: its key and value back from the
// values `translator` made (string or bytes alike), or from Record::key when
// the translator does not emit the key.
DeadLetter MakeDeadLetter(const RecordTracker::Record& record, Translator translator,
                          const std::string& group, std::string reason);

// A librdkafka producer for one dead-letter topic. Writes are asynchronous;
// their outcomes come back from Poll or Flush. Used on the spout's executor
// thread only; the delivery callback runs inside Poll/Flush.
class DeadLetterWriter {
 public:
  struct Result {
    MessageId id = 0;
    bool ok = false;
    std::string error;  // when !ok
  };

  // Throws ConfigError when librdkafka rejects a setting (naming its
  // property) and std::runtime_error when the producer cannot be created.
  // `settings` are applied first, then bootstrap.servers and client.id.
  DeadLetterWriter(std::string topic, const std::string& bootstrap_servers,
                   const LibrdkafkaSettings& settings, const std::string& client_id,
                   const std::string& component);
  ~DeadLetterWriter();
  DeadLetterWriter(const DeadLetterWriter&) = delete;
  DeadLetterWriter& operator=(const DeadLetterWriter&) = delete;

  // Starts writing `letter` for record `id`. False, with `*error`, when
  // librdkafka refused it at once; then nothing is in flight for `id`.
  bool Write(MessageId id, const DeadLetter& letter, std::string* error);
  // The outcomes reported since the last call; does not wait.
  std::vector<Result> Poll();
  // Waits up to `timeout_ms` for the writes in flight, then as Poll.
  std::vector<Result> Flush(int timeout_ms);
  // Writes started and not yet reported.
  std::size_t in_flight() const { return in_flight_; }
  const std::string& topic() const { return topic_; }

  class DeliveryCallback;

 private:
  std::string topic_;
  std::unique_ptr<DeliveryCallback> callback_;
  std::unique_ptr<RdKafka::Producer> producer_;
  std::vector<Result> results_;  // filled by the delivery callback
  std::size_t in_flight_ = 0;
};

}  // namespace gale::kafka
