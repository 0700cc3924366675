// Runs topologies built with TopologyBuilder in this process through
// RunLocal, with small spouts and bolts defined here that record what they
// see in a journal, and checks groupings, streams, tick tuples, context,
// configuration layering, acking, timeouts, lifecycle, stopping, spout flush
// latency and cycles end to end.
//
// Every component reads the journal it writes to from the topology config key
// "journal" (set per test to the test's name), so results of different tests
// never mix. Spouts are bounded: each run ends by itself once the spouts are
// exhausted and every tuple tree is done; LocalOptions::duration_secs is only
// a safety net (a run that needs it fails the test).

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "bolts/builtins.h"
#include "gale/gale.h"
#include "local/local_runner.h"
#include "plan/plan.h"
#include "spouts/builtins.h"
#include "topology/validate.h"

namespace gale {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// ---------------------------------------------------------------------------
// Journal: what the components saw, per test.

// One observation of one task. Which fields are set depends on `what`.
struct Event {
  std::string what;          // "exec", "tick", "ack", "fail", "open", "prepare", ...
  std::string component;     // the recording component
  int task = 0;              // its task id
  std::int64_t n = -1;       // tuple number or message id
  std::string text;          // tuple key, config key, error message, ...
  std::string value;         // config value; all values of a tuple
  std::string stream;        // source stream of a tuple
  std::string source;        // source component of a tuple
  int source_task = -1;      // source task of a tuple
  std::string fields;        // fields of a tuple, "[n, key]"
  std::vector<int> tasks;    // task ids (context events)
  std::int64_t extra = 0;    // event-specific number
  double secs = 0;           // event-specific duration
  double at = 0;             // when it was recorded (steady clock, seconds)
};

// Events by journal name; safe to use from every task thread.
class Journal {
 public:
  static void Add(const std::string& journal, Event event) {
    std::lock_guard<std::mutex> lock(mu());
    entries()[journal].push_back(std::move(event));
  }
  static void Clear(const std::string& journal) {
    std::lock_guard<std::mutex> lock(mu());
    entries().erase(journal);
  }
  // Events named `what`, of `component` when not empty, in recording order.
  static std::vector<Event> Get(const std::string& journal, std::string_view what,
                                std::string_view component = "") {
    std::lock_guard<std::mutex> lock(mu());
    std::vector<Event> out;
    for (const Event& e : entries()[journal]) {
      if (e.what == what && (component.empty() || e.component == component)) out.push_back(e);
    }
    return out;
  }

 private:
  static std::mutex& mu() {
    static std::mutex m;
    return m;
  }
  static std::map<std::string, std::vector<Event>>& entries() {
    static std::map<std::string, std::vector<Event>> e;
    return e;
  }
};

// Writes events of one task to the journal named by config key "journal".
class Recorder {
 public:
  Recorder() = default;
  Recorder(const Config& config, const TopologyContext& context)
      : journal_(config.GetString("journal")),
        component_(context.ComponentId()),
        task_(context.TaskId()) {}

  Event Make(std::string what) const {
    Event e;
    e.what = std::move(what);
    e.component = component_;
    e.task = task_;
    e.at = std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
    return e;
  }
  void Add(Event e) const { Journal::Add(journal_, std::move(e)); }
  void Add(std::string what, std::int64_t n = -1, std::string text = "") const {
    Event e = Make(std::move(what));
    e.n = n;
    e.text = std::move(text);
    Add(std::move(e));
  }

 private:
  std::string journal_;
  std::string component_;
  int task_ = 0;
};

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// Records the value of every key listed in config key "probe" (comma
// separated) as a "config" event: text = key, value = the value as text.
void RecordConfig(const Config& config, const Recorder& rec) {
  for (const std::string& key : SplitList(config.GetString("probe", ""))) {
    Event e = rec.Make("config");
    e.text = key;
    e.value = config.GetString(key, "<missing>");
    rec.Add(std::move(e));
  }
}

// Records what the TopologyContext says: one "context" event (n = task
// index, extra = parallelism, text = topology name, tasks = own component's
// tasks, value = component id), one "peer" event per component of the
// topology (text = its id, tasks = its tasks) and one "unknown" event whose
// extra is the task count reported for a component that does not exist.
void RecordContext(const TopologyContext& context, const Recorder& rec) {
  Event e = rec.Make("context");
  e.n = context.TaskIndex();
  e.extra = context.ComponentParallelism();
  e.text = context.TopologyName();
  e.value = context.ComponentId();
  e.tasks = context.ComponentTasks(context.ComponentId());
  rec.Add(std::move(e));
  for (const std::string& id : context.ComponentIds()) {
    Event peer = rec.Make("peer");
    peer.text = id;
    peer.tasks = context.ComponentTasks(id);
    rec.Add(std::move(peer));
  }
  Event unknown = rec.Make("unknown");
  unknown.extra = static_cast<std::int64_t>(context.ComponentTasks("no-such-component").size());
  rec.Add(std::move(unknown));
}

std::string JoinValues(const Tuple& tuple) {
  std::string out;
  for (std::size_t i = 0; i < tuple.size(); ++i) {
    if (i > 0) out += ",";
    out += ValueToString(tuple[i]);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Components.

// Emits [n, key] with key "k<n % keys>" for n = 0..count-1; task i of p emits
// n = i, i+p, ... so the tasks together emit each n once. With "reliable"
// (default true) n is also the message id. Records "open", "sent" (n) after
// each emit, "ack"/"fail" (n = message id, secs = time since the emit, extra =
// NextTuple calls between the emit and the callback), "close" and
// "max.in.flight" (extra = the largest number of trees it ever had in flight).
//
// Properties:
//   count, keys (default 10), reliable
//   direct.to       component id: EmitDirect each n to its task n % parallelism
//   bad.direct.to   component id: once, EmitDirect a tuple to its first task
//                   and record "direct.error" if that throws invalid_argument
//                   (then rethrow) or "direct.accepted" if it does not
//   bad.direct.task task id: the same with this task id instead
//   throw.every     throw from every k-th NextTuple call
//   throw.in.open   throw from Open
//   min.run.secs    stay not exhausted for this long after Open
//   busy.ms         after each emit, stay inside NextTuple this long (a
//                   spout polling a source with a timeout)
class RunnerSpout : public Spout {
 public:
  void Open(const Config& config, const TopologyContext& context,
            SpoutOutputCollector& collector) override {
    rec_ = Recorder(config, context);
    collector_ = &collector;
    count_ = config.GetInt("count", 0);
    keys_ = config.GetInt("keys", 10);
    reliable_ = config.GetBool("reliable", true);
    throw_every_ = config.GetInt("throw.every", 0);
    min_run_secs_ = config.GetDouble("min.run.secs", 0);
    busy_ms_ = config.GetInt("busy.ms", 0);
    next_ = context.TaskIndex();
    stride_ = context.ComponentParallelism();
    std::string direct = config.GetString("direct.to", "");
    if (!direct.empty()) direct_tasks_ = context.ComponentTasks(direct);
    std::string bad_direct = config.GetString("bad.direct.to", "");
    if (!bad_direct.empty()) bad_direct_task_ = context.ComponentTasks(bad_direct).at(0);
    if (config.Has("bad.direct.task")) {
      bad_direct_task_ = static_cast<int>(config.GetInt("bad.direct.task"));
    }
    bad_direct_pending_ = config.Has("bad.direct.to") || config.Has("bad.direct.task");
    if (config.GetBool("throw.in.open", false)) throw std::runtime_error("open failure injected");
    opened_ = Clock::now();
    rec_.Add("open");
    RecordConfig(config, rec_);
    RecordContext(context, rec_);
  }

  void NextTuple() override {
    ++calls_;
    NoteInFlight();
    if (throw_every_ > 0 && calls_ % throw_every_ == 0) {
      throw std::runtime_error("NextTuple failure injected");
    }
    if (bad_direct_pending_) {
      bad_direct_pending_ = false;
      try {
        collector_->EmitDirect(bad_direct_task_, Values{std::int64_t{-1}, std::string("bad")});
      } catch (const std::invalid_argument& e) {
        rec_.Add("direct.error", bad_direct_task_, e.what());
        throw;
      }
      rec_.Add("direct.accepted", bad_direct_task_);
      return;
    }
    if (next_ >= count_) return;
    const std::int64_t n = next_;
    next_ += stride_;
    Values values{n, "k" + std::to_string(n % keys_)};
    const auto id = static_cast<MessageId>(n);
    if (reliable_) pending_[n] = {Clock::now(), calls_};
    if (!direct_tasks_.empty()) {
      int task = direct_tasks_[static_cast<std::size_t>(n) % direct_tasks_.size()];
      if (reliable_) {
        collector_->EmitDirect(task, std::move(values), id);
      } else {
        collector_->EmitDirect(task, std::move(values));
      }
    } else if (reliable_) {
      collector_->Emit(std::move(values), id);
    } else {
      collector_->Emit(std::move(values));
    }
    NoteInFlight();
    rec_.Add("sent", n);
    if (busy_ms_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(busy_ms_));
  }

  void Ack(MessageId id) override { Settle("ack", id); }
  void Fail(MessageId id) override { Settle("fail", id); }

  bool Exhausted() const override {
    return next_ >= count_ && !bad_direct_pending_ && pending_.empty() &&
           SecondsSince(opened_) >= min_run_secs_;
  }

  void Close() override {
    rec_.Add("close");
    Event e = rec_.Make("max.in.flight");
    e.extra = max_in_flight_;
    rec_.Add(std::move(e));
  }

  void DeclareOutputFields(OutputFieldsDeclarer& declarer) const override {
    declarer.Declare(Fields{"n", "key"});
  }

 private:
  struct Pending {
    Clock::time_point emitted;
    std::int64_t call = 0;
  };

  void NoteInFlight() {
    max_in_flight_ = std::max(max_in_flight_, static_cast<std::int64_t>(pending_.size()));
  }

  void Settle(const char* what, MessageId id) {
    const auto n = static_cast<std::int64_t>(id);
    auto it = pending_.find(n);
    Event e = rec_.Make(it == pending_.end() ? std::string(what) + ".unknown" : what);
    e.n = n;
    if (it != pending_.end()) {
      e.secs = SecondsSince(it->second.emitted);
      e.extra = calls_ - it->second.call;
      pending_.erase(it);
    }
    rec_.Add(std::move(e));
  }

  Recorder rec_;
  SpoutOutputCollector* collector_ = nullptr;
  std::int64_t count_ = 0;
  std::int64_t keys_ = 10;
  bool reliable_ = true;
  std::int64_t throw_every_ = 0;
  double min_run_secs_ = 0;
  std::int64_t busy_ms_ = 0;
  std::int64_t next_ = 0;
  std::int64_t stride_ = 1;
  std::vector<int> direct_tasks_;
  int bad_direct_task_ = 0;
  bool bad_direct_pending_ = false;
  Clock::time_point opened_ = Clock::now();
  std::int64_t calls_ = 0;
  std::int64_t max_in_flight_ = 0;
  std::map<std::int64_t, Pending> pending_;
};
GALE_REGISTER_SPOUT(RunnerSpout);

// Records every tuple ("exec": n = field "n" (or the field named by property
// "n.field"), text = field "key" when present, value = all values, plus the
// source stream, component, task and fields) and every tick tuple ("tick"),
// then settles the tuple as property "mode" says:
//   ack (default), fail, fail.odd (fail odd n, ack the others), throw (throw
//   from Execute), double.ack, none (never settle), forward (emit [n, key]
//   anchored, then ack), report.error (ReportError, then ack).
// Ticks are acked. Records "prepare" (with config and context) and "cleanup";
// throws from Prepare on the task whose index is "throw.in.prepare.index".
class RunnerBolt : public Bolt {
 public:
  void Prepare(const Config& config, const TopologyContext& context,
               OutputCollector& collector) override {
    rec_ = Recorder(config, context);
    collector_ = &collector;
    mode_ = config.GetString("mode", "ack");
    n_field_ = config.GetString("n.field", "n");
    if (context.TaskIndex() == config.GetInt("throw.in.prepare.index", -1)) {
      throw std::runtime_error("prepare failure injected");
    }
    rec_.Add("prepare");
    RecordConfig(config, rec_);
    RecordContext(context, rec_);
  }

  void Execute(const Tuple& tuple) override {
    if (tuple.IsTick()) {
      Event e = rec_.Make("tick");
      e.source = tuple.SourceComponent();
      e.stream = tuple.SourceStream();
      e.source_task = tuple.SourceTask();
      e.extra = static_cast<std::int64_t>(tuple.size());
      rec_.Add(std::move(e));
      collector_->Ack(tuple);
      return;
    }
    Event e = rec_.Make("exec");
    if (tuple.Fields().Contains(n_field_)) e.n = tuple.GetInt(n_field_);
    if (tuple.Fields().Contains("key")) e.text = tuple.GetString("key");
    e.value = JoinValues(tuple);
    e.stream = tuple.SourceStream();
    e.source = tuple.SourceComponent();
    e.source_task = tuple.SourceTask();
    e.fields = tuple.Fields().ToString();
    const std::int64_t n = e.n;
    const std::string key = e.text;
    rec_.Add(std::move(e));
    if (mode_ == "ack") {
      collector_->Ack(tuple);
    } else if (mode_ == "fail") {
      collector_->Fail(tuple);
    } else if (mode_ == "fail.odd") {
      if (n % 2 != 0) {
        collector_->Fail(tuple);
      } else {
        collector_->Ack(tuple);
      }
    } else if (mode_ == "throw") {
      throw std::runtime_error("execute failure injected");
    } else if (mode_ == "double.ack") {
      collector_->Ack(tuple);
      collector_->Ack(tuple);
    } else if (mode_ == "forward") {
      collector_->Emit(tuple, {n, key});
      collector_->Ack(tuple);
    } else if (mode_ == "report.error") {
      collector_->ReportError("reported for " + std::to_string(n));
      collector_->Ack(tuple);
    } else if (mode_ != "none") {
      throw std::invalid_argument("unknown mode " + mode_);
    }
  }

  void Cleanup() override { rec_.Add("cleanup"); }

  void DeclareOutputFields(OutputFieldsDeclarer& declarer) const override {
    declarer.Declare(Fields{"n", "key"});
  }

 private:
  Recorder rec_;
  OutputCollector* collector_ = nullptr;
  std::string mode_;
  std::string n_field_;
};
GALE_REGISTER_BOLT(RunnerBolt);

// Emits one tuple per input, anchored, then acks the input; property "mode":
//   direct             EmitDirect [n, key] to task n % p of component "target"
//   bad.direct         EmitDirect [n, key] to the first task of "target"
//   undeclared.stream  Emit [n, key] on stream "nope", which it does not declare
//   wrong.arity        Emit [n] on the default stream, which has two fields
// An emit that throws std::invalid_argument is recorded ("emit.error", text =
// message) and the exception rethrown.
class RunnerEmitBolt : public Bolt {
 public:
  void Prepare(const Config& config, const TopologyContext& context,
               OutputCollector& collector) override {
    rec_ = Recorder(config, context);
    collector_ = &collector;
    mode_ = config.GetString("mode");
    std::string target = config.GetString("target", "");
    if (!target.empty()) targets_ = context.ComponentTasks(target);
  }

  void Execute(const Tuple& tuple) override {
    const std::int64_t n = tuple.GetInt("n");
    const std::string& key = tuple.GetString("key");
    try {
      if (mode_ == "direct") {
        collector_->EmitDirect(targets_.at(static_cast<std::size_t>(n) % targets_.size()), tuple,
                               {n, key});
      } else if (mode_ == "bad.direct") {
        collector_->EmitDirect(targets_.at(0), tuple, {n, key});
      } else if (mode_ == "undeclared.stream") {
        collector_->Emit("nope", tuple, {n, key});
      } else if (mode_ == "wrong.arity") {
        collector_->Emit(tuple, {n});
      } else {
        throw std::logic_error("unknown mode " + mode_);
      }
    } catch (const std::invalid_argument& e) {
      rec_.Add("emit.error", n, e.what());
      throw;
    }
    collector_->Ack(tuple);
  }

  void DeclareOutputFields(OutputFieldsDeclarer& declarer) const override {
    declarer.Declare(Fields{"n", "key"});
  }

 private:
  Recorder rec_;
  OutputCollector* collector_ = nullptr;
  std::string mode_;
  std::vector<int> targets_;
};
GALE_REGISTER_BOLT(RunnerEmitBolt);

// Splits [n, key] into two named streams: even n as ["even", n] on "even"
// (fields [parity, n]: n deliberately second), odd n as [n, key] on "odd".
// Declares no default stream.
class RunnerSplitBolt : public Bolt {
 public:
  void Prepare(const Config&, const TopologyContext&, OutputCollector& collector) override {
    collector_ = &collector;
  }
  void Execute(const Tuple& tuple) override {
    const std::int64_t n = tuple.GetInt("n");
    if (n % 2 == 0) {
      collector_->Emit("even", tuple, {std::string("even"), n});
    } else {
      collector_->Emit("odd", tuple, {n, tuple.GetString("key")});
    }
    collector_->Ack(tuple);
  }
  void DeclareOutputFields(OutputFieldsDeclarer& declarer) const override {
    declarer.DeclareStream("even", Fields{"parity", "n"});
    declarer.DeclareStream("odd", Fields{"n", "key"});
  }

 private:
  OutputCollector* collector_ = nullptr;
};
GALE_REGISTER_BOLT(RunnerSplitBolt);

// Holds every input tuple and acks it on the first tick at least "hold.secs"
// after it arrived ("release", secs = how long it was held); with "reset"
// it calls ResetTimeout on every held tuple at every earlier tick. With
// "release.after" it also holds until that component has recorded a
// "release". Records "cleanup" with extra = ResetTimeout calls. Needs tick
// tuples.
class RunnerHoldBolt : public Bolt {
 public:
  void Prepare(const Config& config, const TopologyContext& context,
               OutputCollector& collector) override {
    rec_ = Recorder(config, context);
    collector_ = &collector;
    hold_secs_ = config.GetDouble("hold.secs");
    reset_ = config.GetBool("reset", false);
    journal_ = config.GetString("journal");
    release_after_ = config.GetString("release.after", "");
  }
  void Execute(const Tuple& tuple) override {
    if (!tuple.IsTick()) {
      held_.push_back({tuple, Clock::now()});
      return;
    }
    const bool other_released =
        release_after_.empty() || !Journal::Get(journal_, "release", release_after_).empty();
    for (auto it = held_.begin(); it != held_.end();) {
      double age = SecondsSince(it->since);
      if (age >= hold_secs_ && other_released) {
        collector_->Ack(it->tuple);
        Event e = rec_.Make("release");
        e.n = it->tuple.GetInt("n");
        e.secs = age;
        rec_.Add(std::move(e));
        it = held_.erase(it);
        continue;
      }
      if (reset_) {
        collector_->ResetTimeout(it->tuple);
        ++resets_;
      }
      ++it;
    }
  }
  void Cleanup() override {
    Event e = rec_.Make("cleanup");
    e.extra = resets_;
    rec_.Add(std::move(e));
  }
  void DeclareOutputFields(OutputFieldsDeclarer&) const override {}

 private:
  struct Held {
    Tuple tuple;
    Clock::time_point since;
  };
  Recorder rec_;
  OutputCollector* collector_ = nullptr;
  double hold_secs_ = 0;
  bool reset_ = false;
  std::string journal_;
  std::string release_after_;
  std::int64_t resets_ = 0;
  std::vector<Held> held_;
};
GALE_REGISTER_BOLT(RunnerHoldBolt);

// One step of a cycle: [n, hops] (hops 0 when the input has no such field)
// goes on as [n, hops + 1], anchored, until hops reaches "max.hops"; then it
// is recorded ("done", n, extra = hops) and only acked. Records every input
// ("hop", n, extra = hops).
class RunnerHopBolt : public Bolt {
 public:
  void Prepare(const Config& config, const TopologyContext& context,
               OutputCollector& collector) override {
    rec_ = Recorder(config, context);
    collector_ = &collector;
    max_hops_ = config.GetInt("max.hops");
  }
  void Execute(const Tuple& tuple) override {
    const std::int64_t n = tuple.GetInt("n");
    const std::int64_t hops = tuple.Fields().Contains("hops") ? tuple.GetInt("hops") : 0;
    Event e = rec_.Make(hops >= max_hops_ ? "done" : "hop");
    e.n = n;
    e.extra = hops;
    rec_.Add(std::move(e));
    if (hops < max_hops_) collector_->Emit(tuple, {n, hops + 1});
    collector_->Ack(tuple);
  }
  void DeclareOutputFields(OutputFieldsDeclarer& declarer) const override {
    declarer.Declare(Fields{"n", "hops"});
  }

 private:
  Recorder rec_;
  OutputCollector* collector_ = nullptr;
  std::int64_t max_hops_ = 0;
};
GALE_REGISTER_BOLT(RunnerHopBolt);

// Sends a tuple whose first value is n to target task n % modulus (in the
// order of the subscriber's tasks). Args: [modulus, journal]. Records
// "grouping.prepare" (text = source component, stream = stream, tasks =
// target tasks) in that journal.
class RunnerModGrouping : public CustomGrouping {
 public:
  void Prepare(const std::string& source_component, const std::string& stream,
               const std::vector<int>& target_tasks, const Config& args) override {
    targets_ = target_tasks;
    std::vector<Value> list = args.GetList("args");
    modulus_ = std::get<std::int64_t>(list.at(0));
    Event e;
    e.what = "grouping.prepare";
    e.text = source_component;
    e.stream = stream;
    e.tasks = target_tasks;
    Journal::Add(std::get<std::string>(list.at(1)), std::move(e));
  }
  std::vector<int> ChooseTasks(int source_task, const Values& values) override {
    const auto n = std::get<std::int64_t>(values.at(0));
    return {targets_.at(static_cast<std::size_t>(n % modulus_))};
  }

 private:
  std::vector<int> targets_;
  std::int64_t modulus_ = 1;
};
GALE_REGISTER_GROUPING(RunnerModGrouping);

// ---------------------------------------------------------------------------
// Test fixture.

Value Int(std::int64_t v) { return v; }
Value Str(std::string v) { return v; }

std::map<std::int64_t, int> CountByN(const std::vector<Event>& events) {
  std::map<std::int64_t, int> out;
  for (const Event& e : events) ++out[e.n];
  return out;
}

// Each of 0..count-1 exactly once.
std::map<std::int64_t, int> EachOnce(std::int64_t count) {
  std::map<std::int64_t, int> out;
  for (std::int64_t n = 0; n < count; ++n) out[n] = 1;
  return out;
}

std::map<std::int64_t, int> EachOnceIf(std::int64_t count, bool (*keep)(std::int64_t)) {
  std::map<std::int64_t, int> out;
  for (std::int64_t n = 0; n < count; ++n) {
    if (keep(n)) out[n] = 1;
  }
  return out;
}

bool IsEven(std::int64_t n) { return n % 2 == 0; }
bool IsOdd(std::int64_t n) { return n % 2 != 0; }

std::map<int, int> CountByTask(const std::vector<Event>& events) {
  std::map<int, int> out;
  for (const Event& e : events) ++out[e.task];
  return out;
}

class RunnerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    gale_link_builtin_spouts();
    gale_link_builtin_bolts();
  }

  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    journal_ = std::string(info->test_suite_name()) + "." + info->name();
    Journal::Clear(journal_);
  }

  // A builder whose topology config names this test's journal.
  TopologyBuilder Builder() {
    TopologyBuilder b("runner-test");
    b.config().Set("journal", journal_);
    return b;
  }

  // Validates and plans the topology; the plan is kept for TasksOf.
  std::shared_ptr<const plan::TopologyPlan> Plan(const TopologyBuilder& builder) {
    TopologySpec spec = builder.Build();
    Status valid = topology::ValidateTopology(spec, Registry::Global());
    EXPECT_TRUE(valid.ok()) << valid.message();
    auto built = plan::TopologyPlan::Build(spec, Registry::Global());
    EXPECT_TRUE(built.ok()) << built.status().message();
    plan_ = built.ok() ? built.value() : nullptr;
    return plan_;
  }

  static local::LocalOptions Options() {
    local::LocalOptions o;
    o.progress = false;
    o.summary = false;
    o.duration_secs = 10;  // safety net only
    o.drain_timeout_secs = 2;
    return o;
  }

  // Runs the topology until it completes by itself.
  local::RunReport Run(const TopologyBuilder& builder) {
    auto plan = Plan(builder);
    if (plan == nullptr) return {};
    auto report = local::RunLocal(plan, Options());
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    if (!report.ok()) return {};
    EXPECT_TRUE(report->completed) << "the run only stopped at the safety deadline after "
                                   << report->elapsed_secs << " s";
    return report.value();
  }

  // Runs a topology that must fail to start; returns the status.
  Status RunExpectingFailure(const TopologyBuilder& builder) {
    auto plan = Plan(builder);
    if (plan == nullptr) return InternalError("no plan");
    auto report = local::RunLocal(plan, Options());
    EXPECT_FALSE(report.ok()) << "the run was expected to fail";
    return report.ok() ? Status::Ok() : report.status();
  }

  static const local::ComponentTotals& Totals(const local::RunReport& report,
                                              const std::string& id) {
    for (const auto& c : report.components) {
      if (c.id == id) return c;
    }
    static const local::ComponentTotals kNone;
    ADD_FAILURE() << "no totals for component " << id;
    return kNone;
  }

  std::vector<int> TasksOf(const std::string& component) const {
    const plan::ComponentInfo* c = plan_ != nullptr ? plan_->FindComponent(component) : nullptr;
    if (c == nullptr) {
      ADD_FAILURE() << "no component " << component;
      return {};
    }
    return {c->tasks.begin(), c->tasks.end()};
  }

  std::vector<Event> Events(std::string_view what, std::string_view component = "") const {
    return Journal::Get(journal_, what, component);
  }

  std::string journal_;
  std::shared_ptr<const plan::TopologyPlan> plan_;
};

// ---------------------------------------------------------------------------
// Groupings.

TEST_F(RunnerTest, ShuffleSpreadsOverAllTasks) {
  auto b = Builder();
  b.SetSpout("src", "RunnerSpout").SetProperty("count", Int(120));
  b.SetBolt("sink", "RunnerBolt", 4).ShuffleGrouping("src");
  auto report = Run(b);

  auto exec = Events("exec", "sink");
  EXPECT_EQ(CountByN(exec), EachOnce(120));
  auto per_task = CountByTask(exec);
  ASSERT_EQ(per_task.size(), 4u);
  for (int task : TasksOf("sink")) EXPECT_GE(per_task[task], 10) << "task " << task;
  EXPECT_EQ(Totals(report, "src").acked, 120u);
  EXPECT_EQ(Totals(report, "sink").executed, 120u);
}

TEST_F(RunnerTest, FieldsSendsEachKeyToExactlyOneTask) {
  auto b = Builder();
  b.SetSpout("src", "RunnerSpout", 2).SetProperty("count", Int(96)).SetProperty("keys", Int(24));
  b.SetBolt("sink", "RunnerBolt", 3).FieldsGrouping("src", Fields{"key"});
  auto report = Run(b);

  auto exec = Events("exec", "sink");
  EXPECT_EQ(CountByN(exec), EachOnce(96));
  std::map<std::string, std::set<int>> tasks_by_key;
  std::set<int> used;
  for (const Event& e : exec) {
    tasks_by_key[e.text].insert(e.task);
    used.insert(e.task);
  }
  EXPECT_EQ(tasks_by_key.size(), 24u);
  for (const auto& [key, tasks] : tasks_by_key) {
    EXPECT_EQ(tasks.size(), 1u) << "key " << key << " went to several tasks";
  }
  EXPECT_GE(used.size(), 2u) << "24 keys all hashed to one of 3 tasks";
  EXPECT_EQ(Totals(report, "src").acked, 96u);
}

TEST_F(RunnerTest, AllDeliversEachTupleToEveryTask) {
  auto b = Builder();
  b.SetSpout("src", "RunnerSpout").SetProperty("count", Int(20));
  b.SetBolt("sink", "RunnerBolt", 3).AllGrouping("src");
  auto report = Run(b);

  std::map<int, std::map<std::int64_t, int>> by_task;
  for (const Event& e : Events("exec", "sink")) ++by_task[e.task][e.n];
  ASSERT_EQ(by_task.size(), 3u);
  for (int task : TasksOf("sink")) EXPECT_EQ(by_task[task], EachOnce(20)) << "task " << task;
  EXPECT_EQ(Totals(report, "src").transferred, 60u);
  EXPECT_EQ(Totals(report, "src").acked, 20u);
  EXPECT_EQ(Totals(report, "sink").acked, 60u);
}

TEST_F(RunnerTest, GlobalDeliversOnlyToTheLowestTask) {
  auto b = Builder();
  b.SetSpout("src", "RunnerSpout", 2).SetProperty("count", Int(30));
  b.SetBolt("sink", "RunnerBolt", 3).GlobalGrouping("src");
  auto report = Run(b);

  auto exec = Events("exec", "sink");
  EXPECT_EQ(CountByN(exec), EachOnce(30));
  std::vector<int> tasks = TasksOf("sink");
  ASSERT_FALSE(tasks.empty());
  const int lowest = *std::min_element(tasks.begin(), tasks.end());
  EXPECT_EQ(CountByTask(exec), (std::map<int, int>{{lowest, 30}}));
  EXPECT_EQ(Totals(report, "src").acked, 30u);
}

TEST_F(RunnerTest, NoneGroupingDeliversEachTupleOnce) {
  auto b = Builder();
  b.SetSpout("src", "RunnerSpout").SetProperty("count", Int(30));
  b.SetBolt("sink", "RunnerBolt", 2).NoneGrouping("src");
  auto report = Run(b);

  EXPECT_EQ(CountByN(Events("exec", "sink")), EachOnce(30));
  EXPECT_EQ(Totals(report, "src").acked, 30u);
}

TEST_F(RunnerTest, LocalOrShuffleSpreadsOverAllTasksInOneProcess) {
  auto b = Builder();
  b.SetSpout("src", "RunnerSpout").SetProperty("count", Int(60));
  b.SetBolt("sink", "RunnerBolt", 3).LocalOrShuffleGrouping("src");
  auto report = Run(b);

  auto exec = Events("exec", "sink");
  EXPECT_EQ(CountByN(exec), EachOnce(60));
  EXPECT_EQ(CountByTask(exec).size(), 3u);
  EXPECT_EQ(Totals(report, "src").acked, 60u);
}

TEST_F(RunnerTest, CustomGroupingChoosesTheTasks) {
  auto b = Builder();
  b.SetSpout("src", "RunnerSpout", 2).SetProperty("count", Int(40));
  b.SetBolt("sink", "RunnerBolt", 3)
      .CustomGrouping("src", "default", "RunnerModGrouping", {Int(2), Str(journal_)});
  auto report = Run(b);

  std::vector<int> tasks = TasksOf("sink");
  ASSERT_EQ(tasks.size(), 3u);
  std::map<std::int64_t, int> at_first, at_second;
  for (const Event& e : Events("exec", "sink")) {
    if (e.task == tasks[0]) {
      ++at_first[e.n];
    } else if (e.task == tasks[1]) {
      ++at_second[e.n];
    } else {
      ADD_FAILURE() << "n " << e.n << " reached task " << e.task;
    }
  }
  EXPECT_EQ(at_first, EachOnceIf(40, IsEven));
  EXPECT_EQ(at_second, EachOnceIf(40, IsOdd));
  // One grouping object per emitting task.
  auto prepared = Events("grouping.prepare");
  ASSERT_EQ(prepared.size(), 2u);
  for (const Event& e : prepared) {
    EXPECT_EQ(e.text, "src");
    EXPECT_EQ(e.stream, "default");
    EXPECT_EQ(e.tasks, tasks);
  }
  EXPECT_EQ(Totals(report, "src").acked, 40u);
}

TEST_F(RunnerTest, DirectFromSpoutReachesTheChosenTask) {
  auto b = Builder();
  b.SetSpout("src", "RunnerSpout")
      .SetProperty("count", Int(30))
      .SetProperty("direct.to", Str("sink"));
  b.SetBolt("sink", "RunnerBolt", 3).DirectGrouping("src");
  auto report = Run(b);

  std::vector<int> tasks = TasksOf("sink");
  ASSERT_EQ(tasks.size(), 3u);
  auto exec = Events("exec", "sink");
  EXPECT_EQ(CountByN(exec), EachOnce(30));
  for (const Event& e : exec) EXPECT_EQ(e.task, tasks[static_cast<std::size_t>(e.n) % 3]) << e.n;
  EXPECT_EQ(Totals(report, "src").acked, 30u);
  EXPECT_EQ(Totals(report, "src").user_errors, 0u);
}

TEST_F(RunnerTest, DirectFromBoltReachesTheChosenTask) {
  auto b = Builder();
  b.SetSpout("src", "RunnerSpout").SetProperty("count", Int(30));
  b.SetBolt("relay", "RunnerEmitBolt", 2)
      .ShuffleGrouping("src")
      .SetProperty("mode", Str("direct"))
      .SetProperty("target", Str("sink"));
  b.SetBolt("sink", "RunnerBolt", 3).DirectGrouping("relay");
  auto report = Run(b);

  std::vector<int> tasks = TasksOf("sink");
  ASSERT_EQ(tasks.size(), 3u);
  auto exec = Events("exec", "sink");
  EXPECT_EQ(CountByN(exec), EachOnce(30));
  std::set<int> relay_tasks;
  for (int t : TasksOf("relay")) relay_tasks.insert(t);
  for (const Event& e : exec) {
    EXPECT_EQ(e.task, tasks[static_cast<std::size_t>(e.n) % 3]) << e.n;
    EXPECT_EQ(e.source, "relay");
    EXPECT_TRUE(relay_tasks.count(e.source_task)) << e.source_task;
  }
  EXPECT_EQ(Totals(report, "src").acked, 30u);
  EXPECT_EQ(Totals(report, "relay").user_errors, 0u);
}

TEST_F(RunnerTest, DirectEmitFromSpoutToNonDirectSubscriberThrows) {
  auto b = Builder();
  b.SetSpout("src", "RunnerSpout")
      .SetProperty("count", Int(10))
      .SetProperty("bad.direct.to", Str("sink"));
  b.SetBolt("sink", "RunnerBolt", 2).ShuffleGrouping("src");
  auto report = Run(b);

  auto errors = Events("direct.error", "src");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].text.find("DIRECT"), std::string::npos) << errors[0].text;
  EXPECT_TRUE(Events("direct.accepted").empty());
  EXPECT_EQ(Totals(report, "src").user_errors, 1u);
  // The spout keeps running: its regular emits all arrive.
  EXPECT_EQ(CountByN(Events("exec", "sink")), EachOnce(10));
  EXPECT_EQ(Totals(report, "src").acked, 10u);
}

TEST_F(RunnerTest, DirectEmitFromBoltToNonDirectSubscriberFailsTheTuple) {
  auto b = Builder();
  b.SetSpout("src", "RunnerSpout").SetProperty("count", Int(10));
  b.SetBolt("relay", "RunnerEmitBolt")
      .ShuffleGrouping("src")
      .SetProperty("mode", Str("bad.direct"))
      .SetProperty("target", Str("sink"));
  b.SetBolt("sink", "RunnerBolt", 2).ShuffleGrouping("relay");
  auto report = Run(b);

  EXPECT_EQ(CountByN(Events("emit.error", "relay")), EachOnce(10));
  EXPECT_TRUE(Events("exec", "sink").empty());
  EXPECT_EQ(Totals(report, "relay").user_errors, 10u);
  EXPECT_EQ(CountByN(Events("fail", "src")), EachOnce(10));
  EXPECT_TRUE(Events("ack", "src").empty());
  EXPECT_EQ(Totals(report, "src").failed, 10u);
}

// A direct emit names one task of a DIRECT subscriber. With no subscriber at
// all on the stream there is no such task, so the emit must throw just as it
// does when the stream has only non-direct subscribers.
TEST_F(RunnerTest, DirectEmitOnStreamWithoutSubscribersThrows) {
  auto b = Builder();
  b.SetSpout("src", "RunnerSpout").SetProperty("bad.direct.to", Str("idle"));
  b.SetBolt("idle", "RunnerBolt");  // subscribes to nothing
  auto report = Run(b);

  EXPECT_EQ(Events("direct.error", "src").size(), 1u);
  EXPECT_TRUE(Events("direct.accepted").empty()) << "EmitDirect to a non-subscriber was accepted";
  EXPECT_EQ(Totals(report, "src").user_errors, 1u);
}

// EmitDirect names a task; a negative task id is no task and must not turn
// the direct emit into an ordinary emit routed by the stream's groupings.
TEST_F(RunnerTest, DirectEmitToNegativeTaskThrows) {
  auto b = Builder();
  b.SetSpout("src", "RunnerSpout").SetProperty("bad.direct.task", Int(-1));
  b.SetBolt("sink", "RunnerBolt", 2).ShuffleGrouping("src");
  auto report = Run(b);

  EXPECT_EQ(Events("direct.error", "src").size(), 1u);
  EXPECT_TRUE(Events("direct.accepted").empty()) << "EmitDirect(-1, ...) was accepted";
  EXPECT_TRUE(Events("exec", "sink").empty()) << "EmitDirect(-1, ...) was routed by SHUFFLE";
  EXPECT_EQ(Totals(report, "src").user_errors, 1u);
}

// ---------------------------------------------------------------------------
// Streams and tuples.

TEST_F(RunnerTest, NamedStreamsReachOnlyTheirSubscribers) {
  auto b = Builder();
  b.SetSpout("src", "RunnerSpout").SetProperty("count", Int(40));
  b.SetBolt("split", "RunnerSplitBolt", 2).ShuffleGrouping("src");
  b.SetBolt("evens", "RunnerBolt", 2).ShuffleGrouping("split", "even");
  b.SetBolt("odds", "RunnerBolt", 2).ShuffleGrouping("split", "odd");
  b.SetBolt("both", "RunnerBolt")
      .ShuffleGrouping("split", "even")
      .FieldsGrouping("split", "odd", Fields{"key"});
  auto report = Run(b);

  std::set<int> split_tasks;
  for (int t : TasksOf("split")) split_tasks.insert(t);
  auto evens = Events("exec", "evens");
  EXPECT_EQ(CountByN(evens), EachOnceIf(40, IsEven));
  for (const Event& e : evens) {
    EXPECT_EQ(e.stream, "even");
    EXPECT_EQ(e.source, "split");
    EXPECT_TRUE(split_tasks.count(e.source_task)) << e.source_task;
    EXPECT_EQ(e.fields, "[parity, n]");
    EXPECT_EQ(e.value, "even," + std::to_string(e.n));  // GetInt("n") read position 1
  }
  auto odds = Events("exec", "odds");
  EXPECT_EQ(CountByN(odds), EachOnceIf(40, IsOdd));
  for (const Event& e : odds) {
    EXPECT_EQ(e.stream, "odd");
    EXPECT_EQ(e.source, "split");
    EXPECT_TRUE(split_tasks.count(e.source_task)) << e.source_task;
    EXPECT_EQ(e.fields, "[n, key]");
    EXPECT_EQ(e.text, "k" + std::to_string(e.n % 10));  // GetString("key")
  }
  auto both = Events("exec", "both");
  EXPECT_EQ(CountByN(both), EachOnce(40));
  for (const Event& e : both) EXPECT_EQ(e.stream, e.n % 2 == 0 ? "even" : "odd") << e.n;
  EXPECT_EQ(Totals(report, "src").acked, 40u);
  EXPECT_EQ(Totals(report, "split").emitted, 40u);
  EXPECT_EQ(Totals(report, "split").transferred, 80u);
}

TEST_F(RunnerTest, TupleFromSpoutCarriesItsSource) {
  auto b = Builder();
  b.SetSpout("src", "RunnerSpout", 2).SetProperty("count", Int(10));
  b.SetBolt("sink", "RunnerBolt").ShuffleGrouping("src");
  Run(b);

  std::vector<int> spout_tasks = TasksOf("src");
  ASSERT_EQ(spout_tasks.size(), 2u);
  auto exec = Events("exec", "sink");
  EXPECT_EQ(CountByN(exec), EachOnce(10));
  for (const Event& e : exec) {
    EXPECT_EQ(e.source, "src");
    EXPECT_EQ(e.stream, "default");
    EXPECT_EQ(e.fields, "[n, key]");
    // Spout task i emits n = i, i + 2, ...
    EXPECT_EQ(e.source_task, spout_tasks[static_cast<std::size_t>(e.n % 2)]) << e.n;
    EXPECT_EQ(e.value, std::to_string(e.n) + ",k" + std::to_string(e.n % 10));
  }
}

TEST_F(RunnerTest, EmitOnUndeclaredStreamFailsTheInput) {
  auto b = Builder();
  b.SetSpout("src", "RunnerSpout").SetProperty("count", Int(10));
  b.SetBolt("bad", "RunnerEmitBolt").ShuffleGrouping("src").SetProperty("mode",
                                                                         Str("undeclared.stream"));
  b.SetBolt("sink", "RunnerBolt").ShuffleGrouping("bad");
  auto report = Run(b);

  auto errors = Events("emit.error", "bad");
  EXPECT_EQ(CountByN(errors), EachOnce(10));
  for (const Event& e : errors) EXPECT_NE(e.text.find("'nope'"), std::string::npos) << e.text;
  EXPECT_EQ(Totals(report, "bad").user_errors, 10u);
  EXPECT_EQ(Totals(report, "bad").emitted, 0u);
  EXPECT_TRUE(Events("exec", "sink").empty());
  EXPECT_EQ(CountByN(Events("fail", "src")), EachOnce(10));
  EXPECT_TRUE(Events("ack", "src").empty());
  EXPECT_EQ(Totals(report, "src").failed, 10u);
  EXPECT_EQ(Totals(report, "src").timed_out, 0u);
}

TEST_F(RunnerTest, EmitWithWrongNumberOfValuesFailsTheInput) {
  auto b = Builder();
  b.SetSpout("src", "RunnerSpout").SetProperty("count", Int(10));
  b.SetBolt("bad", "RunnerEmitBolt").ShuffleGrouping("src").SetProperty("mode",
                                                                         Str("wrong.arity"));
  b.SetBolt("sink", "RunnerBolt").ShuffleGrouping("bad");
  auto report = Run(b);

  auto errors = Events("emit.error", "bad");
  EXPECT_EQ(CountByN(errors), EachOnce(10));
  for (const Event& e : errors) {
    EXPECT_NE(e.text.find("1 values"), std::string::npos) << e.text;
    EXPECT_NE(e.text.find("2 fields"), std::string::npos) << e.text;
  }
  EXPECT_EQ(Totals(report, "bad").user_errors, 10u);
  EXPECT_TRUE(Events("exec", "sink").empty());
  EXPECT_EQ(CountByN(Events("fail", "src")), EachOnce(10));
  EXPECT_TRUE(Events("ack", "src").empty());
  EXPECT_EQ(Totals(report, "src").failed, 10u);
}

TEST_F(RunnerTest, ReportErrorIsCountedAndTheBoltKeepsRunning) {
  auto b = Builder();
  b.SetSpout("src", "RunnerSpout").SetProperty("count", Int(10));
  b.SetBolt("sink", "RunnerBolt").ShuffleGrouping("src").SetProperty("mode", Str("report.error"));
  auto report = Run(b);

  EXPECT_EQ(Totals(report, "sink").user_errors, 10u);
  EXPECT_EQ(CountByN(Events("ack", "src")), EachOnce(10));
}

TEST_F(RunnerTest, ValidationRejectsBadBuilderTopologies) {
  auto b = Builder();
  b.SetSpout("src", "RunnerSpout");
  b.SetBolt("split", "RunnerSplitBolt").ShuffleGrouping("src");
  b.SetBolt("x", "RunnerBolt")
      .FieldsGrouping("src", Fields{"nokey"})  // undeclared field
      .ShuffleGrouping("split")                // split declares no default stream
      .ShuffleGrouping("nowhere")              // undeclared component
      .CustomGrouping("split", "even", "NoSuchGrouping");
  b.SetBolt("y", "NoSuchBolt").ShuffleGrouping("src");
  Status status = topology::ValidateTopology(b.Build(), Registry::Global());
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  for (const char* needle : {"'nokey'", "does not declare stream 'default'", "'nowhere'",
                             "'NoSuchGrouping'", "'NoSuchBolt'"}) {
    EXPECT_NE(status.message().find(needle), std::string::npos)
        << "no mention of " << needle << " in:\n"
        << status.message();
  }
}

// ---------------------------------------------------------------------------
// Tick tuples.

void ExpectTicks(const std::vector<Event>& ticks, const std::vector<int>& tasks) {
  auto per_task = CountByTask(ticks);
  for (int task : tasks) {
    // 0.2 s ticks over ~1.2 s: about 6 per task.
    EXPECT_GE(per_task[task], 3) << "task " << task;
    EXPECT_LE(per_task[task], 8) << "task " << task;
  }
  for (const Event& e : ticks) {
    EXPECT_EQ(e.source, "__system");
    EXPECT_EQ(e.stream, "__tick");
    EXPECT_EQ(e.extra, 0) << "tick tuples carry no values";
  }
}

TEST_F(RunnerTest, ComponentTickFrequencyTicksOnlyThatBolt) {
  auto b = Builder();
  b.SetSpout("src", "RunnerSpout").SetProperty("min.run.secs", 1.2);
  b.SetBolt("ticked", "RunnerBolt", 2)
      .ShuffleGrouping("src")
      .AddConfiguration("topology.tick.tuple.freq.secs", 0.2);
  b.SetBolt("quiet", "RunnerBolt").ShuffleGrouping("src");
  auto report = Run(b);

  ExpectTicks(Events("tick", "ticked"), TasksOf("ticked"));
  EXPECT_TRUE(Events("tick", "quiet").empty());
  EXPECT_TRUE(Events("exec").empty()) << "a tick tuple was not flagged IsTick()";
  EXPECT_EQ(Totals(report, "ticked").misuse, 0u) << "acking a tick tuple counted as misuse";
}

TEST_F(RunnerTest, TopologyTickFrequencyTicksEveryBolt) {
  auto b = Builder();
  b.config().Set("topology.tick.tuple.freq.secs", 0.2);
  b.SetSpout("src", "RunnerSpout").SetProperty("min.run.secs", 1.2);
  b.SetBolt("a", "RunnerBolt").ShuffleGrouping("src");
  b.SetBolt("b", "RunnerBolt", 2).ShuffleGrouping("a");
  Run(b);

  ExpectTicks(Events("tick", "a"), TasksOf("a"));
  ExpectTicks(Events("tick", "b"), TasksOf("b"));
  EXPECT_TRUE(Events("exec").empty());
}

// ---------------------------------------------------------------------------
// Latency.

// Buffered spout output goes out within a short linger after the NextTuple
// call that emitted it, also when every call emits and takes a while (a
// spout polling its source with a timeout).
TEST_F(RunnerTest, SpoutOutputIsFlushedAfterEachSlowNextTuple) {
  auto b = Builder();
  b.SetSpout("src", "RunnerSpout")
      .SetProperty("count", Int(20))
      .SetProperty("reliable", false)
      .SetProperty("busy.ms", Int(10));
  b.SetBolt("sink", "RunnerBolt").ShuffleGrouping("src");
  Run(b);

  std::map<std::int64_t, double> sent;
  for (const Event& e : Events("sent", "src")) sent[e.n] = e.at;
  auto exec = Events("exec", "sink");
  ASSERT_EQ(CountByN(exec), EachOnce(20));
  double worst = 0;
  for (const Event& e : exec) worst = std::max(worst, e.at - sent[e.n]);
  // 10 ms inside NextTuple after the emit, plus the linger and the hop.
  EXPECT_LT(worst, 0.08) << "a tuple waited " << worst << " s in the spout's buffer";
}

// ---------------------------------------------------------------------------
// Context and configuration.

TEST_F(RunnerTest, TopologyContextDescribesTheTasks) {
  auto b = Builder();
  b.SetSpout("src", "RunnerSpout", 2).SetProperty("count", Int(4));
  b.SetBolt("a", "RunnerBolt", 3).ShuffleGrouping("src");
  b.SetBolt("b", "RunnerBolt", 2).ShuffleGrouping("a");
  Run(b);

  const std::map<std::string, int> parallelism = {{"src", 2}, {"a", 3}, {"b", 2}};
  auto contexts = Events("context");
  ASSERT_EQ(contexts.size(), 7u);
  std::set<int> ids;
  std::map<std::string, std::set<std::int64_t>> indexes;
  for (const Event& e : contexts) {
    EXPECT_TRUE(ids.insert(e.task).second) << "task id " << e.task << " seen twice";
    EXPECT_EQ(e.text, "runner-test");
    EXPECT_EQ(e.value, e.component);
    EXPECT_EQ(e.extra, parallelism.at(e.component)) << e.component;
    EXPECT_EQ(e.tasks, TasksOf(e.component));
    ASSERT_GE(e.n, 0);
    ASSERT_LT(e.n, static_cast<std::int64_t>(e.tasks.size()));
    EXPECT_EQ(e.tasks[static_cast<std::size_t>(e.n)], e.task) << "index order follows task ids";
    indexes[e.component].insert(e.n);
  }
  for (const auto& [component, p] : parallelism) {
    std::set<std::int64_t> expected;
    for (int i = 0; i < p; ++i) expected.insert(i);
    EXPECT_EQ(indexes[component], expected) << component;
  }
  // Every task sees every component's tasks, and none for an unknown one.
  auto peers = Events("peer");
  EXPECT_EQ(peers.size(), 7u * 3u);
  for (const Event& e : peers) EXPECT_EQ(e.tasks, TasksOf(e.text)) << e.text;
  for (const Event& e : Events("unknown")) EXPECT_EQ(e.extra, 0);
}

TEST_F(RunnerTest, ConfigLayersPropertyOverComponentOverTopologyOverDefaults) {
  auto b = Builder();
  b.config().Set("probe",
                 std::string("layer.all,layer.cc,layer.topo,topology.message.timeout.secs,"
                             "topology.workers,layer.none"));
  b.config().Set("layer.all", std::string("topology"));
  b.config().Set("layer.cc", std::string("topology"));
  b.config().Set("layer.topo", std::string("topology"));
  b.config().Set("topology.message.timeout.secs", Int(12));
  b.SetSpout("src", "RunnerSpout")
      .SetProperty("count", Int(1))
      .AddConfiguration("layer.cc", std::string("spout-component"));
  b.SetBolt("layered", "RunnerBolt")
      .ShuffleGrouping("src")
      .AddConfiguration("layer.all", std::string("component"))
      .AddConfiguration("layer.cc", std::string("component"))
      .SetProperty("layer.all", std::string("property"));
  b.SetBolt("plain", "RunnerBolt").ShuffleGrouping("src");
  Run(b);

  auto seen = [&](const std::string& component) {
    std::map<std::string, std::string> out;
    for (const Event& e : Events("config", component)) out[e.text] = e.value;
    return out;
  };
  EXPECT_EQ(seen("layered"), (std::map<std::string, std::string>{
                                 {"layer.all", "property"},
                                 {"layer.cc", "component"},
                                 {"layer.topo", "topology"},
                                 {"topology.message.timeout.secs", "12"},
                                 {"topology.workers", "1"},  // default
                                 {"layer.none", "<missing>"},
                             }));
  EXPECT_EQ(seen("plain"), (std::map<std::string, std::string>{
                               {"layer.all", "topology"},
                               {"layer.cc", "topology"},
                               {"layer.topo", "topology"},
                               {"topology.message.timeout.secs", "12"},
                               {"topology.workers", "1"},
                               {"layer.none", "<missing>"},
                           }));
  EXPECT_EQ(seen("src"), (std::map<std::string, std::string>{
                             {"layer.all", "topology"},
                             {"layer.cc", "spout-component"},
                             {"layer.topo", "topology"},
                             {"topology.message.timeout.secs", "12"},
                             {"topology.workers", "1"},
                             {"layer.none", "<missing>"},
                         }));
}

// ---------------------------------------------------------------------------
// Acking.

TEST_F(RunnerTest, SpoutAckCalledOncePerMessageId) {
  auto b = Builder();
  b.SetSpout("src", "RunnerSpout").SetProperty("count", Int(40));
  b.SetBolt("fwd", "RunnerBolt", 2).ShuffleGrouping("src").SetProperty("mode", Str("forward"));
  b.SetBolt("sink", "RunnerBolt", 2).ShuffleGrouping("fwd");
  auto report = Run(b);

  EXPECT_EQ(CountByN(Events("ack", "src")), EachOnce(40));
  EXPECT_TRUE(Events("fail", "src").empty());
  EXPECT_TRUE(Events("ack.unknown", "src").empty());
  EXPECT_EQ(CountByN(Events("exec", "sink")), EachOnce(40));
  const auto& src = Totals(report, "src");
  EXPECT_EQ(src.acked, 40u);
  EXPECT_EQ(src.failed, 0u);
  EXPECT_EQ(src.timed_out, 0u);
  EXPECT_EQ(Totals(report, "fwd").acked, 40u);
  EXPECT_EQ(Totals(report, "sink").acked, 40u);
}

TEST_F(RunnerTest, SpoutFailCalledWhenBoltFails) {
  auto b = Builder();
  b.SetSpout("src", "RunnerSpout").SetProperty("count", Int(40));
  b.SetBolt("fwd", "RunnerBolt").ShuffleGrouping("src").SetProperty("mode", Str("forward"));
  b.SetBolt("sink", "RunnerBolt", 2).ShuffleGrouping("fwd").SetProperty("mode", Str("fail.odd"));
  auto report = Run(b);

  EXPECT_EQ(CountByN(Events("ack", "src")), EachOnceIf(40, IsEven));
  EXPECT_EQ(CountByN(Events("fail", "src")), EachOnceIf(40, IsOdd));
  const auto& src = Totals(report, "src");
  EXPECT_EQ(src.acked, 20u);
  EXPECT_EQ(src.failed, 20u);
  EXPECT_EQ(src.timed_out, 0u);
  EXPECT_EQ(Totals(report, "sink").failed, 20u);
}

TEST_F(RunnerTest, ExecuteThatThrowsFailsTheTuple) {
  auto b = Builder();
  b.SetSpout("src", "RunnerSpout").SetProperty("count", Int(10));
  b.SetBolt("sink", "RunnerBolt").ShuffleGrouping("src").SetProperty("mode", Str("throw"));
  auto report = Run(b);

  EXPECT_EQ(CountByN(Events("fail", "src")), EachOnce(10));
  EXPECT_TRUE(Events("ack", "src").empty());
  EXPECT_EQ(Totals(report, "sink").user_errors, 10u);
  EXPECT_EQ(Totals(report, "src").failed, 10u);
  EXPECT_EQ(Totals(report, "src").timed_out, 0u);
}

TEST_F(RunnerTest, DoubleAckCountsMisuseAndCompletesTheTreeOnce) {
  auto b = Builder();
  b.SetSpout("src", "RunnerSpout").SetProperty("count", Int(20));
  b.SetBolt("fwd", "RunnerBolt").ShuffleGrouping("src").SetProperty("mode", Str("double.ack"));
  auto report = Run(b);

  EXPECT_EQ(CountByN(Events("ack", "src")), EachOnce(20));
  EXPECT_TRUE(Events("ack.unknown", "src").empty());
  EXPECT_TRUE(Events("fail", "src").empty());
  EXPECT_EQ(Totals(report, "fwd").misuse, 20u);
  EXPECT_EQ(Totals(report, "fwd").acked, 20u);
  EXPECT_EQ(Totals(report, "src").acked, 20u);
}

TEST_F(RunnerTest, AckingOffAcksEmitsAtOnceAndNeverFails) {
  auto b = Builder();
  b.config().Set("topology.acking", false);
  b.SetSpout("src", "RunnerSpout").SetProperty("count", Int(20));
  b.SetBolt("sink", "RunnerBolt").ShuffleGrouping("src").SetProperty("mode", Str("fail"));
  auto report = Run(b);

  auto acks = Events("ack", "src");
  EXPECT_EQ(CountByN(acks), EachOnce(20));
  for (const Event& e : acks) EXPECT_EQ(e.extra, 0) << "ack of " << e.n << " came late";
  EXPECT_TRUE(Events("fail", "src").empty());
  EXPECT_EQ(CountByN(Events("exec", "sink")), EachOnce(20));
  EXPECT_EQ(Totals(report, "src").acked, 20u);
  EXPECT_EQ(Totals(report, "src").failed, 0u);
}

TEST_F(RunnerTest, AtMostOnceModeAcksEmitsAtOnce) {
  auto b = Builder();
  b.config().Set("topology.reliability.mode", std::string("ATMOST_ONCE"));
  b.SetSpout("src", "RunnerSpout").SetProperty("count", Int(20));
  // Never acks: with trees tracked the run could not complete.
  b.SetBolt("sink", "RunnerBolt").ShuffleGrouping("src").SetProperty("mode", Str("none"));
  auto report = Run(b);

  auto acks = Events("ack", "src");
  EXPECT_EQ(CountByN(acks), EachOnce(20));
  for (const Event& e : acks) EXPECT_EQ(e.extra, 0) << "ack of " << e.n << " came late";
  EXPECT_TRUE(Events("fail", "src").empty());
  EXPECT_EQ(CountByN(Events("exec", "sink")), EachOnce(20));
  EXPECT_EQ(Totals(report, "src").timed_out, 0u);
}

TEST_F(RunnerTest, MaxSpoutPendingOneKeepsOneTreeInFlight) {
  auto b = Builder();
  b.config().Set("topology.max.spout.pending", Int(1));
  b.SetSpout("src", "RunnerSpout").SetProperty("count", Int(30));
  b.SetBolt("fwd", "RunnerBolt", 2).ShuffleGrouping("src").SetProperty("mode", Str("forward"));
  b.SetBolt("sink", "RunnerBolt", 2).ShuffleGrouping("fwd");
  auto report = Run(b);

  auto max = Events("max.in.flight", "src");
  ASSERT_EQ(max.size(), 1u);
  EXPECT_EQ(max[0].extra, 1);
  EXPECT_EQ(CountByN(Events("ack", "src")), EachOnce(30));
  EXPECT_EQ(Totals(report, "src").acked, 30u);
}

// Whether trees are tracked is a property of the whole topology: the spout
// tracks a tree and every bolt must pass its anchors on and ack. A bolt whose
// own config says topology.acking false must therefore either be rejected by
// validation or still take part in acking; it must not make every tree time
// out.
TEST_F(RunnerTest, ComponentLevelAckingOverrideDoesNotBreakTrees) {
  auto b = Builder();
  b.config().Set("topology.message.timeout.secs", Int(1));
  b.SetSpout("src", "RunnerSpout").SetProperty("count", Int(5));
  b.SetBolt("fwd", "RunnerBolt")
      .ShuffleGrouping("src")
      .SetProperty("mode", Str("forward"))
      .AddConfiguration("topology.acking", false);
  b.SetBolt("sink", "RunnerBolt").ShuffleGrouping("fwd");
  Status valid = topology::ValidateTopology(b.Build(), Registry::Global());
  if (!valid.ok()) {
    EXPECT_NE(valid.message().find("topology.acking"), std::string::npos) << valid.message();
    return;
  }
  auto report = Run(b);
  EXPECT_EQ(CountByN(Events("ack", "src")), EachOnce(5));
  EXPECT_TRUE(Events("fail", "src").empty());
  EXPECT_EQ(Totals(report, "src").timed_out, 0u);
}

// ---------------------------------------------------------------------------
// Timeouts.

TEST_F(RunnerTest, TreeThatIsNeverAckedTimesOut) {
  auto b = Builder();
  b.config().Set("topology.message.timeout.secs", Int(1));
  b.SetSpout("src", "RunnerSpout").SetProperty("count", Int(2));
  b.SetBolt("sink", "RunnerBolt").ShuffleGrouping("src").SetProperty("mode", Str("none"));
  auto report = Run(b);

  auto fails = Events("fail", "src");
  EXPECT_EQ(CountByN(fails), EachOnce(2));
  for (const Event& e : fails) {
    EXPECT_GE(e.secs, 1.0) << e.n;
    EXPECT_LT(e.secs, 3.0) << e.n;
  }
  EXPECT_TRUE(Events("ack", "src").empty());
  EXPECT_EQ(Totals(report, "src").timed_out, 2u);
  EXPECT_EQ(Totals(report, "src").failed, 0u);
}

TEST_F(RunnerTest, ResetTimeoutKeepsTreeAlivePastTheTimeout) {
  auto b = Builder();
  b.config().Set("topology.message.timeout.secs", Int(2));
  // Both bolts hold their tuple for 5 s, well past the latest timeout (3 s:
  // a loaded machine may rotate the spout's buckets late); only "keeper"
  // resets the timeout meanwhile (every 0.2 s, so a loaded machine delaying
  // a tick by over a second still passes). The keeper's ack ends the run, so
  // it waits for the sleeper's release: otherwise a late sleeper tick could
  // fall after the end.
  b.SetSpout("src", "RunnerSpout").SetProperty("count", Int(1));
  b.SetSpout("src2", "RunnerSpout").SetProperty("count", Int(1));
  b.SetBolt("keeper", "RunnerHoldBolt")
      .ShuffleGrouping("src")
      .SetProperty("hold.secs", 5.0)
      .SetProperty("reset", true)
      .SetProperty("release.after", "sleeper")
      .AddConfiguration("topology.tick.tuple.freq.secs", 0.2);
  b.SetBolt("sleeper", "RunnerHoldBolt")
      .ShuffleGrouping("src2")
      .SetProperty("hold.secs", 5.0)
      .AddConfiguration("topology.tick.tuple.freq.secs", 0.2);
  auto report = Run(b);

  auto acks = Events("ack", "src");
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_GE(acks[0].secs, 5.0);
  EXPECT_TRUE(Events("fail", "src").empty());
  EXPECT_EQ(Totals(report, "src").timed_out, 0u);
  auto cleanup = Events("cleanup", "keeper");
  ASSERT_EQ(cleanup.size(), 1u);
  EXPECT_GE(cleanup[0].extra, 4) << "ResetTimeout calls";

  // Without resets the tree timed out, and the late ack was ignored.
  EXPECT_TRUE(Events("ack", "src2").empty());
  EXPECT_EQ(Events("fail", "src2").size(), 1u);
  EXPECT_EQ(Totals(report, "src2").timed_out, 1u);
  EXPECT_EQ(Events("release", "sleeper").size(), 1u);
}

// ---------------------------------------------------------------------------
// Lifecycle.

TEST_F(RunnerTest, OpenPrepareCloseCleanupCalledOncePerTask) {
  auto b = Builder();
  b.SetSpout("src", "RunnerSpout", 2).SetProperty("count", Int(10));
  b.SetBolt("sink", "RunnerBolt", 3).ShuffleGrouping("src");
  Run(b);

  auto tasks = [](const std::vector<Event>& events) {
    std::multiset<int> out;
    for (const Event& e : events) out.insert(e.task);
    return out;
  };
  std::vector<int> src = TasksOf("src");
  std::vector<int> sink = TasksOf("sink");
  const std::multiset<int> src_tasks(src.begin(), src.end());
  const std::multiset<int> sink_tasks(sink.begin(), sink.end());
  EXPECT_EQ(tasks(Events("open", "src")), src_tasks);
  EXPECT_EQ(tasks(Events("close", "src")), src_tasks);
  EXPECT_EQ(tasks(Events("prepare", "sink")), sink_tasks);
  EXPECT_EQ(tasks(Events("cleanup", "sink")), sink_tasks);
  EXPECT_EQ(CountByN(Events("exec", "sink")), EachOnce(10));
}

TEST_F(RunnerTest, PrepareThatThrowsStopsTheRunNamingTheTask) {
  auto b = Builder();
  b.SetSpout("src", "RunnerSpout").SetProperty("count", Int(10));
  b.SetBolt("fragile", "RunnerBolt", 2)
      .ShuffleGrouping("src")
      .SetProperty("throw.in.prepare.index", Int(1));
  Status status = RunExpectingFailure(b);

  std::vector<int> tasks = TasksOf("fragile");
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(status.code(), ErrorCode::kUserCode);
  const std::string expected = "component 'fragile' task " + std::to_string(tasks[1]);
  EXPECT_NE(status.message().find(expected), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("prepare failure injected"), std::string::npos)
      << status.message();
  EXPECT_TRUE(Events("exec").empty()) << "tuples flowed although a task failed to start";
}

TEST_F(RunnerTest, OpenThatThrowsStopsTheRunNamingTheTask) {
  auto b = Builder();
  b.SetSpout("src", "RunnerSpout").SetProperty("count", Int(10)).SetProperty("throw.in.open", true);
  b.SetBolt("sink", "RunnerBolt").ShuffleGrouping("src");
  Status status = RunExpectingFailure(b);

  std::vector<int> tasks = TasksOf("src");
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(status.code(), ErrorCode::kUserCode);
  const std::string expected = "component 'src' task " + std::to_string(tasks[0]);
  EXPECT_NE(status.message().find(expected), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("open failure injected"), std::string::npos)
      << status.message();
}

TEST_F(RunnerTest, DurationStopsAnUnboundedTopology) {
  auto b = Builder();
  b.config().Set("topology.max.spout.pending", Int(10));
  b.SetSpout("src", "RunnerSpout").SetProperty("count", Int(std::int64_t{1} << 40));
  b.SetBolt("sink", "RunnerBolt", 2).ShuffleGrouping("src");
  auto plan = Plan(b);
  ASSERT_NE(plan, nullptr);
  local::LocalOptions options = Options();
  options.duration_secs = 0.3;
  auto report = local::RunLocal(plan, options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();

  EXPECT_FALSE(report->completed);
  EXPECT_GE(report->elapsed_secs, 0.3);
  EXPECT_LT(report->elapsed_secs, 3.0);
  EXPECT_GT(Totals(report.value(), "src").acked, 0u);
  EXPECT_EQ(Events("open", "src").size(), 1u);
  EXPECT_EQ(Events("close", "src").size(), 1u);
  EXPECT_EQ(Events("cleanup", "sink").size(), 2u);
}

// A graceful stop lets in-flight tuples drain: every tuple the spout emitted
// before the stop reaches the bolt, and every tree completes.
TEST_F(RunnerTest, DurationStopDeliversEveryEmittedTuple) {
  auto b = Builder();
  b.SetSpout("src", "RunnerSpout")
      .SetProperty("count", Int(1000))
      .SetProperty("busy.ms", Int(10));
  b.SetBolt("sink", "RunnerBolt").ShuffleGrouping("src");
  auto plan = Plan(b);
  ASSERT_NE(plan, nullptr);
  local::LocalOptions options = Options();
  options.duration_secs = 0.3;
  auto report = local::RunLocal(plan, options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();

  const auto& src = Totals(report.value(), "src");
  EXPECT_GT(src.emitted, 0u);
  EXPECT_EQ(Totals(report.value(), "sink").executed, src.emitted)
      << "tuples emitted before the stop were never delivered";
  EXPECT_EQ(src.acked + src.failed + src.timed_out, src.emitted)
      << "trees still in flight after the stop";
}

TEST_F(RunnerTest, NextTupleThatThrowsIsCountedAndTheSpoutKeepsRunning) {
  auto b = Builder();
  // Calls 1, 3, ..., 19 emit n = 0..9; calls 2, 4, ..., 18 throw.
  b.SetSpout("src", "RunnerSpout")
      .SetProperty("count", Int(10))
      .SetProperty("reliable", false)
      .SetProperty("throw.every", Int(2));
  b.SetBolt("sink", "RunnerBolt").ShuffleGrouping("src");
  auto report = Run(b);

  EXPECT_EQ(Totals(report, "src").user_errors, 9u);
  EXPECT_EQ(Totals(report, "src").emitted, 10u);
  EXPECT_EQ(CountByN(Events("exec", "sink")), EachOnce(10));
}

// ---------------------------------------------------------------------------
// Cycles and built-in components.

TEST_F(RunnerTest, CyclicTopologyCompletesWithoutDeadlock) {
  constexpr std::int64_t kHops = 7;
  auto b = Builder();
  b.SetSpout("src", "RunnerSpout").SetProperty("count", Int(50));
  b.SetBolt("b", "RunnerHopBolt", 2)
      .ShuffleGrouping("src")
      .ShuffleGrouping("a")
      .SetProperty("max.hops", Int(kHops));
  b.SetBolt("a", "RunnerHopBolt", 2).ShuffleGrouping("b").SetProperty("max.hops", Int(kHops));
  auto report = Run(b);

  auto done = Events("done");
  EXPECT_EQ(CountByN(done), EachOnce(50));
  for (const Event& e : done) {
    EXPECT_EQ(e.extra, kHops);
    // Hop counts alternate: b sees even ones, a odd ones.
    EXPECT_EQ(e.component, kHops % 2 == 0 ? "b" : "a");
  }
  EXPECT_EQ(Totals(report, "a").executed + Totals(report, "b").executed,
            static_cast<std::uint64_t>(50 * (kHops + 1)));
  EXPECT_EQ(CountByN(Events("ack", "src")), EachOnce(50));
  EXPECT_EQ(Totals(report, "src").timed_out, 0u);
}

TEST_F(RunnerTest, BuiltinSequenceSpoutReplaysFailedTuples) {
  auto b = Builder();
  b.SetSpout("seq", "SequenceSpout").SetProperty("count", Int(40));
  b.SetBolt("flaky", "FailingBolt", 2)
      .ShuffleGrouping("seq")
      .SetProperty("fail.fraction", 0.3)
      .SetProperty("seed", Int(5));
  b.SetBolt("sink", "RunnerBolt").ShuffleGrouping("flaky").SetProperty("n.field", Str("id"));
  auto report = Run(b);

  // Every id 1..40 got through at least once; replays may duplicate.
  std::set<std::int64_t> seen;
  for (const Event& e : Events("exec", "sink")) seen.insert(e.n);
  std::set<std::int64_t> expected;
  for (std::int64_t id = 1; id <= 40; ++id) expected.insert(id);
  EXPECT_EQ(seen, expected);
  const auto& seq = Totals(report, "seq");
  EXPECT_EQ(seq.acked, 40u);
  EXPECT_GT(seq.failed, 0u);
  EXPECT_EQ(seq.failed, Totals(report, "flaky").failed);
  EXPECT_EQ(seq.emitted, 40u + seq.failed);
}

}  // namespace
}  // namespace gale
