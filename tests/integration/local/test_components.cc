// Components used only by the local-mode integration tests, loaded as a
// plugin with --lib like any user plugin.

#include <cstdio>
#include <deque>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "gale/gale.h"

namespace {

// Emits ids 1..count (field `id`) with message ids, optionally replays
// failures, and on Close writes one line per id to `out`:
// "<id>\t<acks>\t<fails>\t<emits>".
class RecordingSpout : public gale::Spout {
 public:
  void Open(const gale::Config& config, const gale::TopologyContext& context,
            gale::SpoutOutputCollector& collector) override {
    collector_ = &collector;
    count_ = config.GetInt("count");
    replay_ = config.GetBool("replay", true);
    out_ = config.GetString("out");
    stats_.resize(static_cast<std::size_t>(count_) + 1);
  }
  void NextTuple() override {
    gale::MessageId id;
    if (!replays_.empty()) {
      id = replays_.front();
      replays_.pop_front();
    } else if (next_ <= count_) {
      id = static_cast<gale::MessageId>(next_++);
    } else {
      return;
    }
    ++stats_[id].emits;
    ++in_flight_;
    collector_->Emit({static_cast<std::int64_t>(id)}, id);
  }
  void Ack(gale::MessageId id) override {
    ++stats_[id].acks;
    --in_flight_;
  }
  void Fail(gale::MessageId id) override {
    ++stats_[id].fails;
    --in_flight_;
    if (replay_) replays_.push_back(id);
  }
  bool Exhausted() const override {
    return next_ > count_ && replays_.empty() && in_flight_ == 0;
  }
  void Close() override {
    std::FILE* f = std::fopen(out_.c_str(), "w");
    if (f == nullptr) return;
    for (std::size_t id = 1; id < stats_.size(); ++id) {
      std::fprintf(f, "%zu\t%d\t%d\t%d\n", id, stats_[id].acks, stats_[id].fails,
                   stats_[id].emits);
    }
    std::fclose(f);
  }
  void DeclareOutputFields(gale::OutputFieldsDeclarer& d) const override {
    d.Declare(gale::Fields{"id"});
  }

 private:
  struct Stat {
    int acks = 0, fails = 0, emits = 0;
  };
  gale::SpoutOutputCollector* collector_ = nullptr;
  std::int64_t count_ = 0;
  std::int64_t next_ = 1;
  std::int64_t in_flight_ = 0;
  bool replay_ = true;
  std::string out_;
  std::vector<Stat> stats_;
  std::deque<gale::MessageId> replays_;
};
GALE_REGISTER_SPOUT(RecordingSpout);

// Passes tuples on anchored; never acks tuples whose id is even.
class DropEvenBolt : public gale::Bolt {
 public:
  void Prepare(const gale::Config&, const gale::TopologyContext&,
               gale::OutputCollector& collector) override {
    collector_ = &collector;
  }
  void Execute(const gale::Tuple& t) override {
    collector_->Emit(t, {t.GetInt("id")});
    if (t.GetInt("id") % 2 != 0) collector_->Ack(t);
  }
  void DeclareOutputFields(gale::OutputFieldsDeclarer& d) const override {
    d.Declare(gale::Fields{"id"});
  }

 private:
  gale::OutputCollector* collector_ = nullptr;
};
GALE_REGISTER_BOLT(DropEvenBolt);

// Passes tuples on anchored and acks them.
class RelayBolt : public gale::Bolt {
 public:
  void Prepare(const gale::Config&, const gale::TopologyContext&,
               gale::OutputCollector& collector) override {
    collector_ = &collector;
  }
  void Execute(const gale::Tuple& t) override {
    collector_->Emit(t, {t.GetInt("id")});
    collector_->Ack(t);
  }
  void DeclareOutputFields(gale::OutputFieldsDeclarer& d) const override {
    d.Declare(gale::Fields{"id"});
  }

 private:
  gale::OutputCollector* collector_ = nullptr;
};
GALE_REGISTER_BOLT(RelayBolt);

// Writes "noisy <id> " and `bytes` filler characters to stderr for every
// tuple, as user code printing diagnostics would; acks it.
class StderrBolt : public gale::Bolt {
 public:
  void Prepare(const gale::Config& config, const gale::TopologyContext&,
               gale::OutputCollector& collector) override {
    collector_ = &collector;
    filler_.assign(static_cast<std::size_t>(config.GetInt("bytes", 100)), 'x');
  }
  void Execute(const gale::Tuple& t) override {
    std::fprintf(stderr, "noisy %lld %s\n", static_cast<long long>(t.GetInt("id")),
                 filler_.c_str());
    collector_->Ack(t);
  }
  void DeclareOutputFields(gale::OutputFieldsDeclarer&) const override {}

 private:
  gale::OutputCollector* collector_ = nullptr;
  std::string filler_;
};
GALE_REGISTER_BOLT(StderrBolt);

// Waits for `expect` tuples with the same id (fields-grouped on id), then
// emits one tuple anchored to all of them and acks them.
class JoinBolt : public gale::Bolt {
 public:
  void Prepare(const gale::Config& config, const gale::TopologyContext&,
               gale::OutputCollector& collector) override {
    collector_ = &collector;
    expect_ = static_cast<std::size_t>(config.GetInt("expect"));
  }
  void Execute(const gale::Tuple& t) override {
    auto& held = pending_[t.GetInt("id")];
    held.push_back(t);
    if (held.size() < expect_) return;
    gale::OutputCollector::Anchors anchors;
    for (const gale::Tuple& h : held) anchors.push_back(&h);
    collector_->Emit(anchors, {t.GetInt("id")});
    for (const gale::Tuple& h : held) collector_->Ack(h);
    pending_.erase(t.GetInt("id"));
  }
  void DeclareOutputFields(gale::OutputFieldsDeclarer& d) const override {
    d.Declare(gale::Fields{"id"});
  }

 private:
  gale::OutputCollector* collector_ = nullptr;
  std::size_t expect_ = 2;
  std::unordered_map<std::int64_t, std::vector<gale::Tuple>> pending_;
};
GALE_REGISTER_BOLT(JoinBolt);

// Part of a cycle: receives (id[, hops]), emits (id, hops + 1) on stream
// "loop" until hops reaches `hops` (property), then on stream "done".
class LoopBolt : public gale::Bolt {
 public:
  void Prepare(const gale::Config& config, const gale::TopologyContext&,
               gale::OutputCollector& collector) override {
    collector_ = &collector;
    max_hops_ = config.GetInt("hops");
  }
  void Execute(const gale::Tuple& t) override {
    std::int64_t hops = t.Fields().Contains("hops") ? t.GetInt("hops") : 0;
    collector_->Emit(hops + 1 < max_hops_ ? "loop" : "done", t, {t.GetInt("id"), hops + 1});
    collector_->Ack(t);
  }
  void DeclareOutputFields(gale::OutputFieldsDeclarer& d) const override {
    d.DeclareStream("loop", gale::Fields{"id", "hops"});
    d.DeclareStream("done", gale::Fields{"id", "hops"});
  }

 private:
  gale::OutputCollector* collector_ = nullptr;
  std::int64_t max_hops_ = 1;
};
GALE_REGISTER_BOLT(LoopBolt);

// Routes by parity: an even `id` goes on the default stream, an odd one on
// stream "odd" (both anchored, then acked). For per-stream metrics.
class OddEvenBolt : public gale::Bolt {
 public:
  void Prepare(const gale::Config&, const gale::TopologyContext&,
               gale::OutputCollector& collector) override {
    collector_ = &collector;
  }
  void Execute(const gale::Tuple& t) override {
    std::int64_t id = t.GetInt("id");
    if (id % 2 == 0) {
      collector_->Emit(t, {id});
    } else {
      collector_->Emit("odd", t, {id});
    }
    collector_->Ack(t);
  }
  void DeclareOutputFields(gale::OutputFieldsDeclarer& d) const override {
    d.Declare(gale::Fields{"id"});
    d.DeclareStream("odd", gale::Fields{"id"});
  }

 private:
  gale::OutputCollector* collector_ = nullptr;
};
GALE_REGISTER_BOLT(OddEvenBolt);

// A topology built in C++, run with `--topology cpp-sequence`: ids 1..1000
// through two relays into a FileSinkBolt whose `path` comes from the
// topology config (`-c path=...`).
gale::TopologySpec CppSequence() {
  gale::TopologyBuilder b("cpp-sequence");
  b.SetSpout("ids", "SequenceSpout").SetProperty("count", std::int64_t{1000});
  b.SetBolt("relay", "RelayBolt", 2).ShuffleGrouping("ids");
  b.SetBolt("sink", "FileSinkBolt").FieldsGrouping("relay", gale::Fields{"id"});
  return b.Build();
}
GALE_REGISTER_TOPOLOGY("cpp-sequence", CppSequence);

}  // namespace
