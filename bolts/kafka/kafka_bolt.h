#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "bolts/kafka/kafka_bolt_options.h"
#include "gale/gale.h"
#include "spouts/kafka/error_throttle.h"

namespace RdKafka {
class Producer;
}  // namespace RdKafka

namespace gale::kafka {

// Writes each input tuple as one Kafka record (librdkafka producer) and acks
// the tuple only when the broker confirmed the record; a delivery error
// fails it, so a reliable spout replays it: at-least-once into Kafka. With
// acking off nothing replays it: the runtime counts it as dropped.
//
// Delivery reports arrive when the bolt polls the producer: at every Execute
// and at every tick tuple. Without input the bolt gets no control, so set
// topology.tick.tuple.freq.secs on the component (its `config:`), e.g. 1,
// or the reports of the last tuples wait for the next input (or Cleanup).
// Held tuples are copies kept until their report; Cleanup flushes for up to
// flush.timeout.ms and fails what is still undelivered.
//
// Properties:
//   bootstrap.servers  string  brokers; default: kafka.bootstrap.servers.
//   topic              string  the topic for every record, or
//   topic.field        string  the field holding each record's topic.
//   key.field          string  the field holding the key; default: no key.
//   value.field        string  the field holding the value; default: the
//                              field `value`, else (value.format json) the
//                              whole tuple as a JSON object.
//   value.format       text (default) | json. Text renders strings as they
//                      are, ints in decimal (a count 42 becomes "42"),
//                      doubles shortest, bools true/false, bytes unchanged;
//                      null is a null key. A null value field (either
//                      format) is a tombstone, see `tombstones`.
//   tombstones         produce (default): a null value field becomes a
//                      record with a null value; skip: no record is
//                      written, the tuple is acked and counted as dropped.
//   flush.timeout.ms   int  default 10000: how long Cleanup waits.
//   kafka.X, kafka.producer.X  passed to librdkafka as X (e.g.
//                      kafka.linger.ms, kafka.enable.idempotence).
class KafkaBolt : public Bolt {
 public:
  KafkaBolt();
  ~KafkaBolt() override;
  KafkaBolt(const KafkaBolt&) = delete;
  KafkaBolt& operator=(const KafkaBolt&) = delete;

  void Prepare(const Config& config, const TopologyContext& context,
               OutputCollector& collector) override;
  void Execute(const Tuple& tuple) override;
  void Cleanup() override;
  void DeclareConfig(ConfigDeclarer& declarer) const override {
    declarer.Declare("topic", ConfigType::kString, "a fixed topic")
        .Declare("topic.field", ConfigType::kString, "field holding the topic")
        .Declare("key.field", ConfigType::kString, "field holding the record key")
        .Declare("value.field", ConfigType::kString, "field holding the record value")
        .Declare("bootstrap.servers", ConfigType::kString, "HOST:PORT,...")
        .String("value.format", "text", "text or json")
        .String("tombstones", "produce", "produce or skip tuples with a null value")
        .Int("flush.timeout.ms", 10000, "milliseconds Cleanup waits for deliveries");
  }

  // Tuples waiting for their delivery report.
  std::size_t pending() const { return pending_.size(); }

  // The delivery report callback; runs inside poll()/flush() on the
  // executor thread.
  class DeliveryCallback;

 private:
  void OnDelivery(std::uint64_t id, bool ok, const std::string& error);
  void Report(const std::string& message);

  KafkaBoltOptions options_;
  OutputCollector* collector_ = nullptr;
  std::unique_ptr<DeliveryCallback> callback_;
  std::unique_ptr<RdKafka::Producer> producer_;
  std::unordered_map<std::uint64_t, Tuple> pending_;
  std::uint64_t next_id_ = 1;
  std::string name_;
  ErrorThrottle error_throttle_;
};

}  // namespace gale::kafka
