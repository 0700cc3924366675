#include "kafka_test_client.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafkacpp.h>

#include <chrono>
#include <memory>

namespace gale::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::unique_ptr<RdKafka::Conf> BaseConf(const std::string& servers) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  EXPECT_EQ(conf->set("bootstrap.servers", servers, err), RdKafka::Conf::CONF_OK) << err;
  EXPECT_EQ(conf->set("log_level", "3", err), RdKafka::Conf::CONF_OK) << err;
  return conf;
}

class CountingReport : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& message) override {
    if (message.err() == RdKafka::ERR_NO_ERROR) {
      ++delivered;
    } else {
      ++failed;
      last_error = message.errstr();
    }
  }
  std::size_t delivered = 0;
  std::size_t failed = 0;
  std::string last_error;
};

}  // namespace

bool KafkaTestClient::Produce(
    const std::string& topic,
    const std::vector<std::pair<std::optional<std::string>, std::string>>& records,
    int timeout_ms) {
  std::vector<KeyValue> all;
  all.reserve(records.size());
  for (const auto& [key, value] : records) all.push_back({key, value});
  return ProduceRecords(topic, all, timeout_ms);
}

bool KafkaTestClient::ProduceRecords(const std::string& topic,
                                     const std::vector<KeyValue>& records, int timeout_ms) {
  auto conf = BaseConf(bootstrap_servers_);
  CountingReport report;
  std::string err;
  conf->set("dr_cb", &report, err);
  conf->set("linger.ms", "5", err);
  std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf.get(), err));
  if (!producer) {
    ADD_FAILURE() << "cannot create producer: " << err;
    return false;
  }
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  for (const auto& [key, value] : records) {
    while (true) {
      RdKafka::ErrorCode e =
          producer->produce(topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                            value ? const_cast<char*>(value->data()) : nullptr,
                            value ? value->size() : 0,
                            key ? key->data() : nullptr, key ? key->size() : 0, 0, nullptr);
      if (e == RdKafka::ERR_NO_ERROR) break;
      if (e != RdKafka::ERR__QUEUE_FULL || Clock::now() > deadline) {
        ADD_FAILURE() << "produce to " << topic << " failed: " << RdKafka::err2str(e);
        return false;
      }
      producer->poll(10);
    }
    producer->poll(0);
  }
  while (report.delivered + report.failed < records.size() && Clock::now() < deadline) {
    producer->poll(50);
  }
  EXPECT_EQ(report.delivered, records.size())
      << "failed " << report.failed << " last error: " << report.last_error;
  return report.delivered == records.size();
}

std::vector<std::int32_t> KafkaTestClient::Partitions(const std::string& topic, int timeout_ms) {
  auto conf = BaseConf(bootstrap_servers_);
  std::string err;
  std::unique_ptr<RdKafka::Producer> handle(RdKafka::Producer::create(conf.get(), err));
  std::unique_ptr<RdKafka::Topic> t(RdKafka::Topic::create(handle.get(), topic, nullptr, err));
  RdKafka::Metadata* raw = nullptr;
  RdKafka::ErrorCode e = handle->metadata(false, t.get(), &raw, timeout_ms);
  std::unique_ptr<RdKafka::Metadata> md(raw);
  std::vector<std::int32_t> out;
  if (e != RdKafka::ERR_NO_ERROR) {
    ADD_FAILURE() << "metadata of " << topic << ": " << RdKafka::err2str(e);
    return out;
  }
  for (const RdKafka::TopicMetadata* tm : *md->topics()) {
    if (tm->topic() != topic) continue;
    for (const RdKafka::PartitionMetadata* p : *tm->partitions()) out.push_back(p->id());
  }
  return out;
}

std::map<std::int32_t, std::int64_t> KafkaTestClient::EndOffsets(const std::string& topic,
                                                                 int timeout_ms) {
  auto conf = BaseConf(bootstrap_servers_);
  std::string err;
  std::unique_ptr<RdKafka::Producer> handle(RdKafka::Producer::create(conf.get(), err));
  std::map<std::int32_t, std::int64_t> out;
  for (std::int32_t p : Partitions(topic, timeout_ms)) {
    std::int64_t low = 0, high = 0;
    RdKafka::ErrorCode e = handle->query_watermark_offsets(topic, p, &low, &high, timeout_ms);
    EXPECT_EQ(e, RdKafka::ERR_NO_ERROR) << topic << "/" << p << ": " << RdKafka::err2str(e);
    out[p] = high;
  }
  return out;
}

std::vector<KafkaRecord> KafkaTestClient::ReadAll(const std::string& topic, int timeout_ms) {
  std::map<std::int32_t, std::int64_t> ends = EndOffsets(topic);
  std::vector<KafkaRecord> out;
  auto conf = BaseConf(bootstrap_servers_);
  std::string err;
  conf->set("group.id", "gale-test-reader", err);
  conf->set("enable.auto.commit", "false", err);
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), err));
  std::vector<RdKafka::TopicPartition*> assignment;
  std::map<std::int32_t, std::int64_t> next;
  for (const auto& [p, end] : ends) {
    if (end == 0) continue;
    assignment.push_back(
        RdKafka::TopicPartition::create(topic, p, RdKafka::Topic::OFFSET_BEGINNING));
    next[p] = 0;
  }
  consumer->assign(assignment);
  RdKafka::TopicPartition::destroy(assignment);
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  auto done = [&] {
    for (const auto& [p, n] : next) {
      if (n < ends[p]) return false;
    }
    return true;
  };
  while (!done() && Clock::now() < deadline) {
    std::unique_ptr<RdKafka::Message> m(consumer->consume(100));
    if (m->err() != RdKafka::ERR_NO_ERROR) continue;
    if (m->offset() >= ends[m->partition()]) continue;
    KafkaRecord r;
    r.partition = m->partition();
    r.offset = m->offset();
    if (m->key_pointer() != nullptr) {
      r.key = std::string(static_cast<const char*>(m->key_pointer()), m->key_len());
    }
    if (m->payload() != nullptr) {
      r.value = std::string(static_cast<const char*>(m->payload()), m->len());
    }
    if (RdKafka::Headers* headers = m->headers()) {
      for (const RdKafka::Headers::Header& h : headers->get_all()) {
        r.headers.emplace_back(h.key(), h.value() == nullptr
                                            ? std::string()
                                            : std::string(static_cast<const char*>(h.value()),
                                                          h.value_size()));
      }
    }
    next[r.partition] = r.offset + 1;
    out.push_back(std::move(r));
  }
  EXPECT_TRUE(done()) << "could not read all of " << topic << " in time";
  consumer->close();
  return out;
}

std::map<std::int32_t, std::int64_t> KafkaTestClient::Committed(const std::string& group,
                                                                const std::string& topic,
                                                                int timeout_ms) {
  auto conf = BaseConf(bootstrap_servers_);
  std::string err;
  conf->set("group.id", group, err);
  conf->set("enable.auto.commit", "false", err);
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), err));
  std::vector<RdKafka::TopicPartition*> list;
  for (std::int32_t p : Partitions(topic, timeout_ms)) {
    list.push_back(RdKafka::TopicPartition::create(topic, p));
  }
  RdKafka::ErrorCode e = consumer->committed(list, timeout_ms);
  EXPECT_EQ(e, RdKafka::ERR_NO_ERROR) << "committed(" << group << "): " << RdKafka::err2str(e);
  std::map<std::int32_t, std::int64_t> out;
  for (const RdKafka::TopicPartition* tp : list) out[tp->partition()] = tp->offset();
  RdKafka::TopicPartition::destroy(list);
  consumer->close();
  return out;
}

}  // namespace gale::testing
