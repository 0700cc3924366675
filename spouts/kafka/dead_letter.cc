#include "spouts/kafka/dead_letter.h"

#include <librdkafka/rdkafkacpp.h>

#include <stdexcept>
#include <variant>

namespace gale::kafka {
namespace {

// A key or value field as the spout emitted it, back to bytes.
std::optional<std::string> RawField(const Value& value) {
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  if (const auto* b = std::get_if<Bytes>(&value)) return std::string(b->begin(), b->end());
  return std::nullopt;  // null
}

}  // namespace

std::vector<std::pair<std::string, std::string>> DeadLetter::Headers() const {
  return {{kHeaderOriginTopic, origin.topic},
          {kHeaderOriginPartition, std::to_string(origin.partition)},
          {kHeaderOriginOffset, std::to_string(offset)},
          {kHeaderOriginGroup, group},
          {kHeaderFailureReason, reason}};
}

DeadLetter MakeDeadLetter(const RecordTracker::Record& record, Translator translator,
                          const std::string& group, std::string reason) {
  DeadLetter letter;
  letter.origin = record.tp;
  letter.offset = record.offset;
  letter.group = group;
  letter.reason = std::move(reason);
  const Values& v = record.values;
  if (translator == Translator::kDefault && v.size() == TranslatorFields(translator).size()) {
    letter.key = RawField(v[3]);
    letter.value = RawField(v[4]);
  } else {
    letter.key = record.key;
    if (!v.empty()) letter.value = RawField(v.back());
  }
  return letter;
}

class DeadLetterWriter::DeliveryCallback : public RdKafka::DeliveryReportCb {
 public:
  explicit DeliveryCallback(DeadLetterWriter* writer) : writer_(writer) {}

  void dr_cb(RdKafka::Message& message) override {
    const bool ok = message.err() == RdKafka::ERR_NO_ERROR;
    writer_->results_.push_back(
        {static_cast<MessageId>(reinterpret_cast<std::uintptr_t>(message.msg_opaque())), ok,
         ok ? "" : message.errstr()});
    if (writer_->in_flight_ > 0) --writer_->in_flight_;
  }

 private:
  DeadLetterWriter* writer_;
};

DeadLetterWriter::DeadLetterWriter(std::string topic, const std::string& bootstrap_servers,
                                   const LibrdkafkaSettings& settings, const std::string& client_id,
                                   const std::string& component)
    : topic_(std::move(topic)), callback_(std::make_unique<DeliveryCallback>(this)) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string errstr;
  auto set = [&](const std::string& key, const std::string& value, const std::string& source) {
    if (conf->set(key, value, errstr) != RdKafka::Conf::CONF_OK) {
      throw ConfigError(component + ": dead-letter producer: " + source + ": librdkafka rejects " +
                        key + "=" + value + ": " + errstr);
    }
  };
  set("client.id", client_id, "default client.id");
  for (const LibrdkafkaSetting& s : settings) set(s.name, s.value, "property '" + s.key + "'");
  set("bootstrap.servers", bootstrap_servers, "property 'bootstrap.servers'");
  if (conf->set("dr_cb", callback_.get(), errstr) != RdKafka::Conf::CONF_OK) {
    throw std::runtime_error(component + ": dead-letter producer: delivery callback: " + errstr);
  }
  producer_.reset(RdKafka::Producer::create(conf.get(), errstr));
  if (!producer_) {
    throw std::runtime_error(component + ": cannot create the dead-letter producer: " + errstr);
  }
}

DeadLetterWriter::~DeadLetterWriter() {
  if (!producer_) return;
  // Whatever is still queued was never confirmed, so its record was never
  // committed past: the next reader of the partition gets it again.
  producer_->purge(RdKafka::Producer::PURGE_QUEUE | RdKafka::Producer::PURGE_INFLIGHT);
  producer_->poll(0);
  producer_.reset();
}

bool DeadLetterWriter::Write(MessageId id, const DeadLetter& letter, std::string* error) {
  RdKafka::Headers* headers = RdKafka::Headers::create();
  for (const auto& [name, value] : letter.Headers()) headers->add(name, value);
  // RK_MSG_COPY: librdkafka copies the payload, so the const_cast is safe.
  void* payload = letter.value ? const_cast<char*>(letter.value->data()) : nullptr;
  RdKafka::ErrorCode err = producer_->produce(
      topic_, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY, payload,
      letter.value ? letter.value->size() : 0, letter.key ? letter.key->data() : nullptr,
      letter.key ? letter.key->size() : 0, /*timestamp=*/0, headers,
      reinterpret_cast<void*>(static_cast<std::uintptr_t>(id)));
  if (err != RdKafka::ERR_NO_ERROR) {
    delete headers;  // left to the caller when produce fails
    *error = RdKafka::err2str(err);
    return false;
  }
  ++in_flight_;
  return true;
}

std::vector<DeadLetterWriter::Result> DeadLetterWriter::Poll() {
  producer_->poll(0);
  return std::exchange(results_, {});
}

std::vector<DeadLetterWriter::Result> DeadLetterWriter::Flush(int timeout_ms) {
  producer_->flush(timeout_ms);
  return Poll();
}

}  // namespace gale::kafka
