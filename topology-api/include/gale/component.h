#pragma once

#include <map>
#include <string>
#include <string_view>

#include "gale/collector.h"
#include "gale/config.h"
#include "gale/context.h"
#include "gale/fields.h"
#include "gale/tuple.h"
#include "gale/value.h"

namespace gale {

// Collects the output streams a component declares.
class OutputFieldsDeclarer {
 public:
  OutputFieldsDeclarer() = default;
  // `config` is the component's layered configuration (see Config), for
  // components whose output fields depend on their properties.
  explicit OutputFieldsDeclarer(const Config* config) : config_(config) {}

  const Config& config() const {
    static const Config kEmpty;
    return config_ != nullptr ? *config_ : kEmpty;
  }

  // The default stream.
  void Declare(Fields fields) { DeclareStream(std::string(kDefaultStream), std::move(fields)); }
  // A named stream. Declaring the same stream twice keeps the last fields.
  void DeclareStream(std::string stream, Fields fields) {
    streams_[std::move(stream)] = std::move(fields);
  }
  const std::map<std::string, Fields, std::less<>>& streams() const { return streams_; }

 private:
  const Config* config_ = nullptr;
  std::map<std::string, Fields, std::less<>> streams_;
};

// A source of tuples. One executor thread calls every method of one task, in
// order: Open, then any mix of NextTuple/Ack/Fail/Activate/Deactivate, then
// Close. The object is created per task with its default constructor.
// Methods may throw: Open failing stops the task from starting; the runtime
// logs exceptions from the others and keeps going.
class Spout {
 public:
  virtual ~Spout() = default;
  virtual void Open(const Config& /*config*/, const TopologyContext& /*context*/,
                    SpoutOutputCollector& /*collector*/) {}
  // Emit zero or more tuples. Must not block for long; emitting nothing makes
  // the runtime back off briefly.
  virtual void NextTuple() = 0;
  virtual void Ack(MessageId /*id*/) {}
  virtual void Fail(MessageId /*id*/) {}
  virtual void Activate() {}
  virtual void Deactivate() {}
  virtual void Close() {}
  // Bounded sources return true once everything was emitted and nothing is
  // waiting for replay; `gale local` stops when every spout is exhausted and
  // every tree has completed.
  virtual bool Exhausted() const { return false; }
  virtual void DeclareOutputFields(OutputFieldsDeclarer& declarer) const = 0;
};

// A processing step. One executor thread calls Prepare, Execute for each
// input tuple, then Cleanup. Created per task with its default constructor.
// An exception thrown by Execute is logged and fails the tuple.
class Bolt {
 public:
  virtual ~Bolt() = default;
  virtual void Prepare(const Config& /*config*/, const TopologyContext& /*context*/,
                       OutputCollector& /*collector*/) {}
  virtual void Execute(const Tuple& tuple) = 0;
  virtual void Cleanup() {}
  virtual void DeclareOutputFields(OutputFieldsDeclarer& /*declarer*/) const {}
};

}  // namespace gale
