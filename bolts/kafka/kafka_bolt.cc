#include "bolts/kafka/kafka_bolt.h"

#include <librdkafka/rdkafkacpp.h>

#include <chrono>
#include <stdexcept>

#include "spouts/kafka/kafka_properties.h"

namespace gale::kafka {
namespace {

constexpr std::string_view kKafkaBolt = "KafkaBolt";
// How long one wait for queue space lasts while the producer queue is full.
constexpr int kQueueFullPollMs = 50;

}  // namespace

class KafkaBolt::DeliveryCallback : public RdKafka::DeliveryReportCb {
 public:
  explicit DeliveryCallback(KafkaBolt* bolt) : bolt_(bolt) {}

  void dr_cb(RdKafka::Message& message) override {
    auto id = reinterpret_cast<std::uintptr_t>(message.msg_opaque());
    bolt_->OnDelivery(id, message.err() == RdKafka::ERR_NO_ERROR,
                      message.err() == RdKafka::ERR_NO_ERROR ? "" : message.errstr());
  }

 private:
  KafkaBolt* bolt_;
};

KafkaBolt::KafkaBolt() = default;

KafkaBolt::~KafkaBolt() {
  if (producer_) {
    // Cleanup did not run: drop whatever is queued without waiting.
    producer_->purge(RdKafka::Producer::PURGE_QUEUE | RdKafka::Producer::PURGE_INFLIGHT);
    pending_.clear();
    producer_->poll(0);
    producer_.reset();
  }
}

void KafkaBolt::Prepare(const Config& config, const TopologyContext& context,
                        OutputCollector& collector) {
  collector_ = &collector;
  options_ = KafkaBoltOptions::FromConfig(config);
  name_ = ComponentName(config, kKafkaBolt) + " task " + std::to_string(context.TaskId());
  callback_ = std::make_unique<DeliveryCallback>(this);

  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string errstr;
  auto set = [&](const std::string& key, const std::string& value, const std::string& source) {
    if (conf->set(key, value, errstr) != RdKafka::Conf::CONF_OK) {
      throw ConfigError(ComponentName(config, kKafkaBolt) + ": " + source + ": librdkafka rejects " +
                        key + "=" + value + ": " + errstr);
    }
  };
  set("client.id",
      "gale-" + context.TopologyName() + "-" + context.ComponentId() + "-" +
          std::to_string(context.TaskId()),
      "default client.id");
  for (const LibrdkafkaSetting& s : options_.librdkafka) {
    set(s.name, s.value, "property '" + s.key + "'");
  }
  set("bootstrap.servers", options_.bootstrap_servers, "property 'bootstrap.servers'");
  if (conf->set("dr_cb", callback_.get(), errstr) != RdKafka::Conf::CONF_OK) {
    throw std::runtime_error(name_ + ": librdkafka delivery callback: " + errstr);
  }
  producer_.reset(RdKafka::Producer::create(conf.get(), errstr));
  if (!producer_) throw std::runtime_error(name_ + ": cannot create a Kafka producer: " + errstr);
}

void KafkaBolt::Execute(const Tuple& tuple) {
  producer_->poll(0);  // delivery reports of earlier tuples
  if (tuple.IsTick()) {
    collector_->Ack(tuple);
    return;
  }
  std::string error;
  std::optional<OutgoingRecord> record = MakeRecord(options_, tuple, &error);
  if (!record) {
    Report(error);
    collector_->Fail(tuple);
    return;
  }
  if (!record->value && options_.tombstones == BoltTombstones::kSkip) {
    collector_->ReportDropped(1);
    collector_->Ack(tuple);
    return;
  }
  const std::uint64_t id = next_id_++;
  pending_.emplace(id, tuple);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.flush_timeout_ms);
  RdKafka::ErrorCode err;
  while (true) {
    err = producer_->produce(
        record->topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
        record->value ? record->value->data() : nullptr, record->value ? record->value->size() : 0,
        record->key ? record->key->data() : nullptr, record->key ? record->key->size() : 0,
        /*timestamp=*/0, reinterpret_cast<void*>(static_cast<std::uintptr_t>(id)));
    if (err != RdKafka::ERR__QUEUE_FULL || std::chrono::steady_clock::now() >= deadline) break;
    // Backpressure: wait for deliveries to make room.
    producer_->poll(kQueueFullPollMs);
  }
  if (err != RdKafka::ERR_NO_ERROR) {
    pending_.erase(id);
    Report("cannot produce to topic '" + record->topic + "': " + RdKafka::err2str(err));
    collector_->Fail(tuple);
  }
}

void KafkaBolt::OnDelivery(std::uint64_t id, bool ok, const std::string& error) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  if (ok) {
    collector_->Ack(it->second);
  } else {
    Report("delivery failed: " + error + "; failing the tuple so its spout replays it");
    collector_->Fail(it->second);
  }
  pending_.erase(it);
}

void KafkaBolt::Cleanup() {
  if (!producer_) return;
  producer_->flush(static_cast<int>(options_.flush_timeout_ms));
  if (!pending_.empty()) {
    Report(std::to_string(pending_.size()) + " records still undelivered after " +
           std::to_string(options_.flush_timeout_ms) + " ms (flush.timeout.ms); failing them");
    producer_->purge(RdKafka::Producer::PURGE_QUEUE | RdKafka::Producer::PURGE_INFLIGHT);
    producer_->poll(0);
    for (auto& [id, tuple] : pending_) collector_->Fail(tuple);
    pending_.clear();
  }
  producer_.reset();
}

void KafkaBolt::Report(const std::string& message) {
  if (auto text = error_throttle_.Admit(std::string(kKafkaBolt) + " (" + name_ + "): " + message)) {
    collector_->ReportError(*text);
  }
}

GALE_REGISTER_BOLT(KafkaBolt);

}  // namespace gale::kafka

extern "C" void gale_link_kafka_bolt() {}
