#include "spouts/kafka/kafka_spout.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include <mutex>
#include <set>
#include <stdexcept>
#include <tuple>

#include "spouts/kafka/kafka_properties.h"

namespace gale::kafka {
namespace {

constexpr std::string_view kKafkaSpout = "KafkaSpout";
// Consumer events (end-of-partition markers) handled per NextTuple call
// before it gives up control.
constexpr int kMaxEventsPerCall = 16;
// How long a synchronous commit (rebalance, Deactivate, Close, the final
// commit of a bounded run) waits for the coordinator.
constexpr int kSyncCommitTimeoutMs = 5000;
// How often a finished bounded spout retries its final commit.
constexpr auto kFinalCommitRetry = std::chrono::milliseconds(200);
// How often an exhausted spout serves its consumer's group events.
constexpr auto kIdlePollInterval = std::chrono::milliseconds(20);

// Partitions that EARLIEST / LATEST already positioned in this process, per
// group: a partition moving between tasks of one run resumes from its
// commit instead of being rewound again.
bool ClaimFirstPoll(const std::string& group, const TopicPartition& tp) {
  static std::mutex mu;
  static std::set<std::tuple<std::string, std::string, std::int32_t>> claimed;
  std::lock_guard<std::mutex> lock(mu);
  return claimed.emplace(group, tp.topic, tp.partition).second;
}

std::vector<TopicPartition> ToPartitions(const std::vector<RdKafka::TopicPartition*>& list) {
  std::vector<TopicPartition> out;
  out.reserve(list.size());
  for (const RdKafka::TopicPartition* p : list) out.push_back({p->topic(), p->partition()});
  return out;
}

// Errors that only say a rebalance overtook a commit; the next owner resumes
// from the previous commit, so nothing is lost.
bool IsRebalanceError(RdKafka::ErrorCode err) {
  return err == RdKafka::ERR_REBALANCE_IN_PROGRESS || err == RdKafka::ERR_ILLEGAL_GENERATION ||
         err == RdKafka::ERR_UNKNOWN_MEMBER_ID || err == RdKafka::ERR__ASSIGNMENT_LOST ||
         err == RdKafka::ERR__STATE;
}

}  // namespace

class KafkaSpout::Callbacks : public RdKafka::RebalanceCb, public RdKafka::OffsetCommitCb {
 public:
  explicit Callbacks(KafkaSpout* spout) : spout_(spout) {}

  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override {
    const bool incremental = consumer->rebalance_protocol() == "COOPERATIVE";
    if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
      std::vector<TopicPartition> tps = ToPartitions(partitions);
      spout_->OnAssign(tps, incremental);
      for (std::size_t i = 0; i < partitions.size(); ++i) {
        partitions[i]->set_offset(StartOffset(tps[i]));
      }
      if (incremental) {
        if (RdKafka::Error* e = consumer->incremental_assign(partitions)) {
          spout_->ReportConsumerError("incremental assign failed: " + e->str());
          delete e;
        }
      } else if (RdKafka::ErrorCode e = consumer->assign(partitions); e != RdKafka::ERR_NO_ERROR) {
        spout_->ReportConsumerError("assign failed: " + RdKafka::err2str(e));
      }
      // A partition paused under an earlier assignment starts fetching again,
      // unless the spout already emitted max.records.
      if (spout_->LimitReached()) {
        consumer->pause(partitions);
      } else {
        consumer->resume(partitions);
      }
      return;
    }
    if (err != RdKafka::ERR__REVOKE_PARTITIONS) {
      spout_->ReportConsumerError("rebalance error: " + RdKafka::err2str(err));
    }
    std::vector<TopicPartition> tps = ToPartitions(partitions);
    spout_->OnRevoke(tps, incremental && err == RdKafka::ERR__REVOKE_PARTITIONS);
    if (incremental && err == RdKafka::ERR__REVOKE_PARTITIONS) {
      if (RdKafka::Error* e = consumer->incremental_unassign(partitions)) {
        spout_->ReportConsumerError("incremental unassign failed: " + e->str());
        delete e;
      }
    } else {
      consumer->unassign();
    }
  }

  void offset_commit_cb(RdKafka::ErrorCode err,
                        std::vector<RdKafka::TopicPartition*>& offsets) override {
    if (err == RdKafka::ERR__NO_OFFSET) return;
    for (const RdKafka::TopicPartition* p : offsets) {
      RdKafka::ErrorCode e = err != RdKafka::ERR_NO_ERROR ? err : p->err();
      spout_->OnCommitResult({p->topic(), p->partition()}, p->offset(), e == RdKafka::ERR_NO_ERROR,
                             IsRebalanceError(e) ? "" : RdKafka::err2str(e));
    }
  }

 private:
  std::int64_t StartOffset(const TopicPartition& tp) const {
    const KafkaSpoutOptions& o = spout_->options_;
    const bool earliest = o.first_poll == FirstPollOffsetStrategy::kEarliest;
    const bool latest = o.first_poll == FirstPollOffsetStrategy::kLatest;
    if ((earliest || latest) && ClaimFirstPoll(o.group_id, tp)) {
      return earliest ? RdKafka::Topic::OFFSET_BEGINNING : RdKafka::Topic::OFFSET_END;
    }
    // The committed offset, else auto.offset.reset (set from the strategy).
    return RdKafka::Topic::OFFSET_INVALID;
  }

  KafkaSpout* spout_;
};

KafkaSpout::KafkaSpout() = default;

KafkaSpout::~KafkaSpout() {
  if (consumer_) {
    collector_ = nullptr;  // may be gone already; errors from here on are dropped
    stashed_.reset();
    consumer_->close();
    consumer_.reset();
  }
}

void KafkaSpout::Open(const Config& config, const TopologyContext& context,
                      SpoutOutputCollector& collector) {
  collector_ = &collector;
  options_ = KafkaSpoutOptions::FromConfig(config, context.TopologyName(), context.ComponentId());
  name_ = ComponentName(config, kKafkaSpout) + " task " + std::to_string(context.TaskId());
  callbacks_ = std::make_unique<Callbacks>(this);

  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string errstr;
  auto set = [&](const std::string& key, const std::string& value, const std::string& source) {
    if (conf->set(key, value, errstr) != RdKafka::Conf::CONF_OK) {
      throw ConfigError(ComponentName(config, kKafkaSpout) + ": " + source + ": librdkafka rejects " +
                        key + "=" + value + ": " + errstr);
    }
  };
  const bool earliest = options_.first_poll == FirstPollOffsetStrategy::kEarliest ||
                        options_.first_poll == FirstPollOffsetStrategy::kUncommittedEarliest;
  set("client.id",
      "gale-" + context.TopologyName() + "-" + context.ComponentId() + "-" +
          std::to_string(context.TaskId()),
      "default client.id");
  set("auto.offset.reset", earliest ? "earliest" : "latest",
      "property 'first.poll.offset.strategy'");
  for (const LibrdkafkaSetting& s : options_.librdkafka) {
    set(s.name, s.value, "property '" + s.key + "'");
  }
  set("bootstrap.servers", options_.bootstrap_servers, "property 'bootstrap.servers'");
  set("group.id", options_.group_id, "property 'group.id'");
  set("enable.auto.commit", "false", "KafkaSpout");
  set("enable.auto.offset.store", "false", "KafkaSpout");
  set("enable.partition.eof", "true", "KafkaSpout");
  if (conf->set("rebalance_cb", static_cast<RdKafka::RebalanceCb*>(callbacks_.get()), errstr) !=
          RdKafka::Conf::CONF_OK ||
      conf->set("offset_commit_cb", static_cast<RdKafka::OffsetCommitCb*>(callbacks_.get()),
                errstr) != RdKafka::Conf::CONF_OK) {
    throw std::runtime_error(name_ + ": librdkafka callbacks: " + errstr);
  }
  consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), errstr));
  if (!consumer_) throw std::runtime_error(name_ + ": cannot create a Kafka consumer: " + errstr);

  if (options_.bounded) QueryEndOffsets();
  if (RdKafka::ErrorCode err = consumer_->subscribe(options_.topics);
      err != RdKafka::ERR_NO_ERROR) {
    throw std::runtime_error(name_ + ": cannot subscribe: " + RdKafka::err2str(err));
  }
  next_commit_ = Clock::now() + std::chrono::milliseconds(options_.commit_period_ms);
}

void KafkaSpout::QueryEndOffsets() {
  const int timeout = static_cast<int>(options_.metadata_timeout_ms);
  for (const std::string& topic : options_.topics) {
    std::string errstr;
    std::unique_ptr<RdKafka::Topic> handle(
        RdKafka::Topic::create(consumer_.get(), topic, nullptr, errstr));
    if (!handle) throw std::runtime_error(name_ + ": topic '" + topic + "': " + errstr);
    RdKafka::Metadata* raw = nullptr;
    RdKafka::ErrorCode err = consumer_->metadata(false, handle.get(), &raw, timeout);
    std::unique_ptr<RdKafka::Metadata> metadata(raw);
    if (err != RdKafka::ERR_NO_ERROR) {
      throw std::runtime_error(name_ + ": bounded: cannot read the metadata of topic '" + topic +
                               "' from " + options_.bootstrap_servers + ": " +
                               RdKafka::err2str(err));
    }
    for (const RdKafka::TopicMetadata* t : *metadata->topics()) {
      if (t->topic() != topic) continue;
      if (t->err() != RdKafka::ERR_NO_ERROR) {
        throw std::runtime_error(name_ + ": bounded: topic '" + topic +
                                 "': " + RdKafka::err2str(t->err()));
      }
      for (const RdKafka::PartitionMetadata* p : *t->partitions()) {
        std::int64_t low = 0, high = 0;
        err = consumer_->query_watermark_offsets(topic, p->id(), &low, &high, timeout);
        if (err != RdKafka::ERR_NO_ERROR) {
          throw std::runtime_error(name_ + ": bounded: cannot read the end offset of " + topic +
                                   "/" + std::to_string(p->id()) + ": " + RdKafka::err2str(err));
        }
        tracker_.SetEndOffset({topic, p->id()}, high);
      }
    }
  }
}

void KafkaSpout::OnAssign(std::vector<TopicPartition> partitions, bool incremental) {
  if (!incremental) {
    // An eager assignment replaces the previous one.
    std::set<TopicPartition> keep(partitions.begin(), partitions.end());
    for (const TopicPartition& tp : tracker_.Assigned()) {
      if (keep.count(tp) == 0) tracker_.Revoke(tp);
    }
  }
  tracker_.MarkAssignmentSeen();
  awaiting_assignment_ = false;
  for (const TopicPartition& tp : partitions) tracker_.Assign(tp);
}

void KafkaSpout::OnRevoke(const std::vector<TopicPartition>& partitions, bool incremental) {
  // Best effort: the acked prefix is committed so the next owner does not
  // replay it. During a rebalance the coordinator may refuse the commit.
  std::vector<TopicPartition> revoked = incremental ? partitions : tracker_.Assigned();
  Commit(/*sync=*/true, &revoked);
  for (const TopicPartition& tp : revoked) tracker_.Revoke(tp);
  // An assignment (possibly empty) follows; until then the task is not done.
  awaiting_assignment_ = true;
}

void KafkaSpout::OnCommitResult(const TopicPartition& tp, std::int64_t offset, bool ok,
                                const std::string& error) {
  if (ok) {
    tracker_.MarkCommitted(tp, offset);
  } else if (!error.empty()) {
    ReportConsumerError("commit of " + tp.ToString() + "@" + std::to_string(offset) +
                        " failed: " + error + " (retried with the next commit)");
  }
}

void KafkaSpout::Commit(bool sync, const std::vector<TopicPartition>* only) {
  if (!consumer_) return;
  std::vector<RecordTracker::Commit> commits = tracker_.Committable(only);
  if (commits.empty()) return;
  if (sync) {
    CommitAndWait(commits, kSyncCommitTimeoutMs);
    return;
  }
  std::vector<RdKafka::TopicPartition*> list;
  list.reserve(commits.size());
  for (const auto& c : commits) {
    list.push_back(RdKafka::TopicPartition::create(c.tp.topic, c.tp.partition, c.offset));
  }
  if (RdKafka::ErrorCode err = consumer_->commitAsync(list); err != RdKafka::ERR_NO_ERROR) {
    ReportConsumerError("cannot start an offset commit: " + RdKafka::err2str(err));
  }
  RdKafka::TopicPartition::destroy(list);
}

void KafkaSpout::CommitAndWait(const std::vector<RecordTracker::Commit>& commits, int timeout_ms) {
  // librdkafka's own synchronous commit waits without limit for an
  // unavailable coordinator; this one gives up after timeout_ms and leaves
  // the offsets for the next commit.
  rd_kafka_t* rk = consumer_->c_ptr();
  rd_kafka_topic_partition_list_t* list =
      rd_kafka_topic_partition_list_new(static_cast<int>(commits.size()));
  for (const auto& c : commits) {
    rd_kafka_topic_partition_list_add(list, c.tp.topic.c_str(), c.tp.partition)->offset = c.offset;
  }
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk);
  rd_kafka_resp_err_t err = rd_kafka_commit_queue(rk, list, queue, nullptr, nullptr);
  rd_kafka_topic_partition_list_destroy(list);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    ReportConsumerError(std::string("cannot start an offset commit: ") + rd_kafka_err2str(err));
    rd_kafka_queue_destroy(queue);
    return;
  }
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  bool done = false;
  while (!done) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) break;
    rd_kafka_event_t* event = rd_kafka_queue_poll(queue, static_cast<int>(left.count()));
    if (event == nullptr) continue;
    if (rd_kafka_event_type(event) == RD_KAFKA_EVENT_OFFSET_COMMIT) {
      done = true;
      rd_kafka_resp_err_t all = rd_kafka_event_error(event);
      const rd_kafka_topic_partition_list_t* result = rd_kafka_event_topic_partition_list(event);
      for (int i = 0; result != nullptr && i < result->cnt; ++i) {
        const rd_kafka_topic_partition_t& p = result->elems[i];
        rd_kafka_resp_err_t e = all != RD_KAFKA_RESP_ERR_NO_ERROR ? all : p.err;
        OnCommitResult({p.topic, p.partition}, p.offset, e == RD_KAFKA_RESP_ERR_NO_ERROR,
                       IsRebalanceError(static_cast<RdKafka::ErrorCode>(e))
                           ? ""
                           : std::string(rd_kafka_err2str(e)));
      }
    }
    rd_kafka_event_destroy(event);
  }
  rd_kafka_queue_destroy(queue);
  commit_stuck_ = !done;
  if (!done) {
    ReportConsumerError("offset commit did not complete within " + std::to_string(timeout_ms) +
                        " ms (coordinator unavailable?); retried with the next commit");
  }
}

Values KafkaSpout::Translate(const std::string& topic, std::int32_t partition, std::int64_t offset,
                             const void* key, std::size_t key_len, const void* value,
                             std::size_t value_len) const {
  auto field = [this](const void* data, std::size_t len) -> Value {
    if (data == nullptr) return std::monostate{};
    const auto* bytes = static_cast<const std::uint8_t*>(data);
    if (options_.bytes) return Bytes(bytes, bytes + len);
    return std::string(static_cast<const char*>(data), len);
  };
  if (options_.translator == Translator::kValue) return Values{field(value, value_len)};
  return Values{topic, static_cast<std::int64_t>(partition), offset, field(key, key_len),
                field(value, value_len)};
}

bool KafkaSpout::Finishing() const {
  if (awaiting_assignment_ || stashed_) return false;
  const bool all_emitted = LimitReached() && tracker_.in_flight() == 0;
  return all_emitted || (options_.bounded && tracker_.AllAssignedDone());
}

void KafkaSpout::NextTuple() {
  const Clock::time_point now = Clock::now();
  if (now >= next_commit_) {
    Commit(/*sync=*/false);
    next_commit_ = now + std::chrono::milliseconds(options_.commit_period_ms);
  }
  if (now >= next_final_commit_ && Finishing()) {
    // Exhausted() waits for this commit, so a bounded run ends committed.
    Commit(/*sync=*/true);
    next_final_commit_ = now + kFinalCommitRetry;
  }
  MessageId id = 0;
  if (const RecordTracker::Record* r = tracker_.NextReplay(&id)) {
    collector_->Emit(r->values, id);
    return;
  }
  if (stashed_) {
    std::unique_ptr<RdKafka::Message> msg = std::move(stashed_);
    if (LimitReached()) {
      // Not emitted, so never committed past: paused, it is read again by a
      // later run.
      Pause({{msg->topic_name(), msg->partition()}});
    } else if (EmitRecord(*msg)) {
      return;
    }
  }
  if (LimitReached()) return;
  // Consuming also serves rebalances and commit results.
  Poll(static_cast<int>(options_.poll_timeout_ms), /*emit=*/true);
}

bool KafkaSpout::Poll(int timeout_ms, bool emit) {
  for (int i = 0; i < kMaxEventsPerCall; ++i) {
    std::unique_ptr<RdKafka::Message> msg(consumer_->consume(i == 0 ? timeout_ms : 0));
    switch (msg->err()) {
      case RdKafka::ERR_NO_ERROR:
        if (!emit) {
          stashed_ = std::move(msg);
          return true;
        }
        if (EmitRecord(*msg)) return true;
        continue;  // from a partition revoked meanwhile
      case RdKafka::ERR__TIMED_OUT: return false;
      case RdKafka::ERR__PARTITION_EOF: {
        TopicPartition tp{msg->topic_name(), msg->partition()};
        tracker_.ObserveEnd(tp, msg->offset());
        if (options_.bounded && tracker_.ReachedEnd(tp)) Pause({tp});
        continue;
      }
      default: ReportConsumerError("consumer error: " + msg->errstr()); return false;
    }
  }
  return false;
}

bool KafkaSpout::EmitRecord(const RdKafka::Message& msg) {
  TopicPartition tp{msg.topic_name(), msg.partition()};
  Values values = Translate(tp.topic, tp.partition, msg.offset(), msg.key_pointer(), msg.key_len(),
                            msg.payload(), msg.len());
  std::optional<MessageId> added = tracker_.Add(tp, msg.offset(), values);
  if (!added) return false;
  ++emitted_;
  collector_->Emit(std::move(values), *added);
  // A bounded spout stops fetching what it does not need.
  if (LimitReached()) {
    Pause(tracker_.Assigned());
  } else if (options_.bounded && tracker_.ReachedEnd(tp)) {
    Pause({tp});
  }
  return true;
}

bool KafkaSpout::LimitReached() const {
  return options_.max_records >= 0 && emitted_ >= options_.max_records;
}

void KafkaSpout::Pause(const std::vector<TopicPartition>& partitions) {
  if (partitions.empty()) return;
  std::vector<RdKafka::TopicPartition*> list;
  list.reserve(partitions.size());
  for (const TopicPartition& tp : partitions) {
    list.push_back(RdKafka::TopicPartition::create(tp.topic, tp.partition));
  }
  consumer_->pause(list);
  RdKafka::TopicPartition::destroy(list);
}

void KafkaSpout::ServeWhileExhausted() {
  const Clock::time_point now = Clock::now();
  if (!consumer_ || now < next_idle_poll_) return;
  next_idle_poll_ = now + kIdlePollInterval;
  // A record that arrives now (from a new assignment) waits in stashed_ for
  // the next NextTuple. Finished partitions are paused, so no new data.
  Poll(0, /*emit=*/false);
}

void KafkaSpout::Ack(MessageId id) { tracker_.Ack(id); }

void KafkaSpout::Fail(MessageId id) {
  const RecordTracker::Record* r = tracker_.Find(id);
  if (r == nullptr) return;
  const std::string where = r->tp.ToString() + "@" + std::to_string(r->offset);
  if (tracker_.Fail(id, options_.max_retries) == RecordTracker::FailOutcome::kGiveUp) {
    ++given_up_;
    // One line per record at most once per interval: a poison batch must
    // not flood the log (the count stays exact in given_up_).
    if (auto text = given_up_throttle_.Admit(
            std::string(kKafkaSpout) + ": record " + where + " failed after " +
            std::to_string(options_.max_retries) +
            " replays (max.retries); giving up on it and committing past it (" +
            std::to_string(given_up_) + " given up so far)")) {
      collector_->ReportError(*text);
    }
  }
}

void KafkaSpout::Deactivate() { Commit(/*sync=*/true); }

void KafkaSpout::Close() {
  if (!consumer_) return;
  stashed_.reset();  // never emitted, so never committed
  // After a commit that timed out the coordinator is unreachable; waiting
  // again would only delay the shutdown.
  if (!commit_stuck_) Commit(/*sync=*/true);
  // Leaves the group (the revoke callback commits again if needed). With an
  // unreachable coordinator librdkafka waits up to session.timeout.ms for
  // the commits it still holds.
  consumer_->close();
  consumer_.reset();
}

bool KafkaSpout::Exhausted() const {
  // Done reading, everything acked, and the commits went through.
  if (!Finishing() || !tracker_.Committable().empty()) return false;
  // The executor stops calling NextTuple from here on, but the consumer must
  // still serve rebalances (another member may rejoin the group) and may get
  // new partitions. The spout object itself is never const, so this is safe.
  const_cast<KafkaSpout*>(this)->ServeWhileExhausted();
  return Finishing() && tracker_.Committable().empty();
}

void KafkaSpout::DeclareOutputFields(OutputFieldsDeclarer& declarer) const {
  declarer.Declare(TranslatorFields(TranslatorFromConfig(declarer.config())));
}

void KafkaSpout::ReportConsumerError(const std::string& message) {
  if (collector_ == nullptr) return;
  if (auto text = error_throttle_.Admit(std::string(kKafkaSpout) + " (" + name_ + "): " + message)) {
    collector_->ReportError(*text);
  }
}

GALE_REGISTER_SPOUT(KafkaSpout);

}  // namespace gale::kafka

extern "C" void gale_link_kafka_spout() {}
