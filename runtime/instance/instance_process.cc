#include "instance/instance_process.h"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <variant>

#include "common/clock.h"
#include "common/log.h"
#include "common/stop_signal.h"
#include "common/process.h"
#include "task/executor.h"
#include "launch/role_log.h"
#include "launch/topology_source.h"
#include "metrics/report.h"
#include "metrics/snapshot.h"
#include "records/control.h"
#include "records/refused.h"
#include "state/record_writer.h"
#include "state/state_manager.h"
#include "transport/frame_socket.h"

namespace gale::instance {
namespace {

using task::Executor;
using task::ExecutorOptions;
using task::Inbox;
using task::MakeExecutor;
using task::Outbox;
using task::Signals;
using task::TaskMetrics;

const std::atomic<bool>* g_stop = nullptr;  // set by InstallStopSignalHandlers

// Sends batches to the stream manager and receives batches and control
// messages from it, over the container's Unix socket
// (transport/frame_socket.h). Used only on the executor thread.
class StmgrLink : public Outbox, public Inbox {
 public:
  StmgrLink(std::string path, int task_id, Signals* signals)
      : path_(std::move(path)), task_id_(task_id), signals_(signals) {
    Connect();
  }

  // Batches wait in out_ until Commit sends them as one write.
  void Send(std::int32_t, std::string batch) override { out_.push_back(std::move(batch)); }

  void Commit() override {
    SendMetrics();
    if (out_.empty()) return;
    frames_.clear();
    for (const std::string& b : out_) frames_.push_back(b);
    SendBlocking(frames_);
    out_.clear();
  }

  void Receive(std::vector<std::string>* out, std::chrono::nanoseconds timeout) override {
    if (g_stop->load()) signals_->stop.store(true);
    if (socket_ == nullptr && !Connect()) {
      // The stream manager is not (yet, or no longer) there: try again
      // after the wait, at most kReconnectWait later.
      SleepFor(std::min<std::chrono::nanoseconds>(timeout, kReconnectWait));
      return;
    }
    // A look without a wait is a system call: a busy spout looks after
    // every empty NextTuple, so after an empty look the next one waits
    // kEmptyLookGap (what arrives meanwhile stays in the socket).
    const bool look = timeout.count() == 0;
    std::chrono::steady_clock::time_point now;
    if (look) {
      now = std::chrono::steady_clock::now();
      if (now < next_look_) {
        SendMetrics();
        return;
      }
    } else {
      // To the nanosecond: a spout's linger ends well within a millisecond.
      pollfd p{socket_->fd(), POLLIN, 0};
      const timespec ts = ToTimespec(timeout);
      if (ppoll(&p, 1, &ts, nullptr) <= 0) {
        SendMetrics();
        return;
      }
    }
    SendMetrics();
    in_.clear();
    if (!socket_->Receive(&in_)) Disconnected("closed the connection");
    if (look && in_.empty()) next_look_ = now + kEmptyLookGap;
    for (std::string& frame : in_) {
      if (records::IsControl(frame)) {
        HandleControl(frame);
      } else {
        out->push_back(std::move(frame));
      }
    }
  }

  // Credit for the stream manager, which keeps at most a few batches in
  // flight towards this task (see stmgr.h).
  // Goes with the next Commit, together with what the batches caused.
  void Done(std::size_t n) override { out_.push_back(records::Encode(records::Consumed{n})); }

  // Activation and throttling arrive as messages on this socket, except for
  // the process's own stop signal (a wait ends within kBlockedWait).
  bool wakes_on_signals() const override { return true; }

  // Any thread: the metrics message the executor thread sends with its next
  // Receive or Commit (a newer one replaces one not sent yet).
  void PostMetrics(std::string message) {
    std::lock_guard<std::mutex> lock(metrics_mu_);
    metrics_ = std::move(message);
    metrics_posted_.store(true, std::memory_order_release);
  }

 private:
  // Metrics are worth a try, never a wait: while earlier output waits for
  // the socket they are dropped and the next second's snapshot replaces
  // them.
  void SendMetrics() {
    if (!metrics_posted_.load(std::memory_order_acquire)) return;
    std::string message;
    {
      std::lock_guard<std::mutex> lock(metrics_mu_);
      message.swap(metrics_);
      metrics_posted_.store(false, std::memory_order_relaxed);
    }
    if (socket_ == nullptr || socket_->wants_write()) return;
    if (!socket_->Send({message})) Disconnected("closed the connection");
  }

  // A connection opens with the Hello that names this task: the stream
  // manager then resets its count of batches in flight here and sends the
  // spout state. What an earlier connection held is lost and replayed by
  // acking.
  bool Connect() {
    socket_.reset();
    auto fd = transport::ConnectUnix(path_);
    if (!fd.ok()) return false;
    socket_ = std::make_unique<transport::FrameSocket>(*fd);
    if (!socket_->Send({records::Encode(records::Hello{task_id_})})) {
      socket_.reset();
      return false;
    }
    return true;
  }

  void Disconnected(const char* what) {
    Logger("instance")->info("task {}: the stream manager {}; reconnecting", task_id_, what);
    socket_.reset();
  }

  static void SleepFor(std::chrono::nanoseconds d) {
    if (d.count() <= 0) return;
    // poll(2) without descriptors: a signal (stop) ends it early.
    poll(nullptr, 0, static_cast<int>(std::max<std::int64_t>(
                         std::chrono::duration_cast<std::chrono::milliseconds>(d).count(), 1)));
  }

  // The stream manager always reads, so the socket takes output soon. One
  // that takes nothing for kStuckAfter, or a connection that breaks, is
  // replaced by a fresh one.
  void SendBlocking(const std::vector<std::string_view>& frames) {
    auto blocked_since = std::chrono::steady_clock::now();
    bool queued = false;
    for (;;) {
      if (socket_ == nullptr && !Connect()) {
        if (g_stop->load() || signals_->stop.load()) return;
        SleepFor(kReconnectWait);
        continue;
      }
      if (!queued) {
        if (!socket_->Send(frames)) {
          Disconnected("closed the connection");
          continue;
        }
        queued = true;
      }
      if (!socket_->wants_write()) return;
      if (g_stop->load() || signals_->stop.load()) return;
      pollfd p{socket_->fd(), POLLOUT, 0};
      poll(&p, 1, 50);
      if (!socket_->FlushOut()) {
        Disconnected("closed the connection");
        queued = false;  // the new connection gets the frames again
        continue;
      }
      if (socket_->wants_write() &&
          std::chrono::steady_clock::now() - blocked_since > kStuckAfter) {
        Logger("instance")->warn("task {}: stream manager took nothing for {} ms; reconnecting",
                                 task_id_, kStuckAfter.count());
        socket_.reset();
        queued = false;
        blocked_since = std::chrono::steady_clock::now();
      }
    }
  }

  void HandleControl(const std::string& bytes) {
    auto m = records::DecodeControl(bytes);
    if (!m.ok()) {
      records::Refuse("instance", "control message from the stream manager", m.status());
      return;
    }
    if (std::holds_alternative<records::Activate>(*m)) {
      signals_->active.store(true);
    } else if (std::holds_alternative<records::Deactivate>(*m)) {
      signals_->active.store(false);
    } else if (std::holds_alternative<records::ThrottleOn>(*m)) {
      signals_->backpressure.store(1);
    } else if (std::holds_alternative<records::ThrottleOff>(*m)) {
      signals_->backpressure.store(0);
    } else {
      records::Refuse("instance", "control message from the stream manager",
                      ProtocolError("unexpected type " +
                                    std::to_string(static_cast<int>(records::TypeOf(*m)))));
    }
  }

  static constexpr std::chrono::microseconds kEmptyLookGap{50};
  static constexpr std::chrono::milliseconds kStuckAfter{2000};
  static constexpr std::chrono::milliseconds kReconnectWait{100};

  std::string path_;
  int task_id_;
  Signals* signals_;
  std::unique_ptr<transport::FrameSocket> socket_;  // null while disconnected
  std::vector<std::string> out_;         // sent by the next Commit
  std::vector<std::string_view> frames_;  // reused by Commit
  std::vector<std::string> in_;          // reused by Receive
  std::chrono::steady_clock::time_point next_look_;  // after an empty look
  std::mutex metrics_mu_;
  std::string metrics_;                   // guarded by metrics_mu_
  std::atomic<bool> metrics_posted_{false};
};

std::string MetricsKey(int task_id) { return "metrics/task-" + std::to_string(task_id); }

// What earlier processes of this task counted, from the metrics file the last
// one left: its cumulative counters become this process's base. A missing
// or malformed file (or one of another component) starts afresh.
struct Carried {
  metrics::TaskCounters base;
  metrics::TaskSnapshot streams;  // only its per-stream counts
  std::uint64_t incarnation = 1;
};

Carried ReadCarried(const state::StateManager& sm, const std::string& topology, int task_id,
                    const std::string& component) {
  Carried carried;
  auto text = sm.Read(topology, MetricsKey(task_id));
  if (!text.ok()) return carried;
  metrics::TaskSnapshot previous;
  if (!metrics::Decode(*text, &previous).ok() || previous.task != task_id ||
      previous.component != component) {
    Logger("instance")->warn("task {}: ignoring unreadable previous metrics", task_id);
    return carried;
  }
  carried.base = previous.counters;
  carried.streams.outputs = std::move(previous.outputs);
  carried.streams.inputs = std::move(previous.inputs);
  carried.incarnation = previous.incarnation + 1;
  return carried;
}

// Writes metrics/task-N. `final` once the executor stopped: then the
// histogram is the executor's own, else the copy it last published.
void WriteMetrics(state::RecordWriter& sm, StmgrLink& link, int task_id,
                  const plan::TopologyPlan& plan, const TaskMetrics& m, const Executor& executor,
                  const Signals& signals, const Carried& carried, bool final) {
  const plan::ComponentInfo& c = plan.component_of(task_id);
  metrics::TaskSnapshot s;
  s.task = task_id;
  s.component = c.id;
  s.kind = c.kind == ComponentKind::kSpout ? "spout" : "bolt";
  s.container = plan.container_of(task_id);
  s.pid = static_cast<int>(getpid());
  s.base = carried.base;
  s.counters = task::CountersOf(m).Plus(carried.base);
  s.incarnation = carried.incarnation;
  s.pending = m.pending.load(std::memory_order_relaxed);
  s.drained = executor.drained();
  s.active = signals.active.load();
  s.throttled = signals.backpressure.load() > 0;
  s.peak_rss_kb = PeakRssKb();
  s.rss_kb = RssKb();
  s.cpu_ms = CpuMs();
  s.errors = m.recent_errors.Get();
  task::StreamsOf(plan, task_id, m, &s);
  task::AddStreams(carried.streams, &s);
  if (final) {
    s.complete_latency.Merge(m.complete_latency);
  } else {
    s.complete_latency = m.complete_latency_published.Get();
  }
  // Rewritten every second: a failed write (a full disk) is logged, at most
  // once per 10 s, and the next one tries again.
  (void)sm.WriteOnce(MetricsKey(task_id), metrics::Encode(s));
  // And over the instance link towards the topology master.
  if (!final) link.PostMetrics(metrics::EncodeTaskMessage(s));
}

}  // namespace

Status RunInstanceProcess(const InstanceProcessOptions& options) {
  g_stop = &InstallStopSignalHandlers();
  auto log = Logger("instance");
  auto sm_owner = state::OpenStateManager(options.state);
  if (!sm_owner.ok()) {
    log->error("{}", sm_owner.status().message());
    return sm_owner.status();
  }
  state::StateManager& sm = **sm_owner;
  // Metrics and the socket are host-local: once started, a task needs
  // nothing else and lets go of the shared state (with ZooKeeper its
  // session, so that a host's tasks do not each hold a connection).
  auto host = state::MakeStateManager(options.state.root);
  const std::string error_key = "errors/task-" + std::to_string(options.task_id);
  // Why the task could not start goes to its log, then to errors/task-N,
  // where submit and status find it. In that order: submit kills the
  // topology, this process included, as soon as it sees the record.
  auto fail_start = [&](const std::string& message) {
    Status failed(ErrorCode::kFailedPrecondition,
                  "task " + std::to_string(options.task_id) + " cannot start: " + message);
    log->error("{}", failed.message());
    Status recorded = sm.WriteRecord(options.topology, error_key, records::TaskError{message});
    if (!recorded.ok()) log->error("the reason was not recorded: {}", recorded.message());
    return failed;
  };

  auto loaded = launch::LoadSubmittedTopology(sm, options.topology);
  if (!loaded.ok()) return fail_start(loaded.status().message());
  auto plan = loaded->plan;
  if (options.task_id < 1 || options.task_id > plan->max_task_id()) {
    return fail_start("task " + std::to_string(options.task_id) + " does not exist");
  }

  Signals signals;
  // Spouts start inactive until the stream manager says otherwise, so a
  // deactivated topology stays quiet across restarts.
  signals.active.store(false);
  TaskMetrics metrics;
  metrics.InitStreams(*plan);
  const Carried carried = ReadCarried(*host, options.topology, options.task_id,
                                      plan->component_of(options.task_id).id);
  StmgrLink link(transport::StmgrLocalSocket(host->TopologyDir(options.topology),
                                             plan->container_of(options.task_id)),
                 options.task_id, &signals);
  ExecutorOptions eo;
  eo.task_id = options.task_id;
  eo.plan = plan;
  eo.outbox = &link;
  eo.inbox = &link;
  eo.signals = &signals;
  eo.metrics = &metrics;
  eo.container = plan->container_of(options.task_id);
  eo.linger_when_idle = true;
  auto executor = MakeExecutor(eo);
  Status started = executor->Start();
  if (!started.ok()) return fail_start(started.message());
  (void)sm.Remove(options.topology, error_key);
  sm_owner->reset();
  log->info("task {} ({}) started, pid {}", options.task_id,
            plan->component_of(options.task_id).id, getpid());

  // Writes the metrics once a second until the executor stops, and keeps
  // this process's log under its cap (the executor thread's user code
  // prints to the same file).
  state::RecordWriter writer(host.get(), options.topology, "instance");
  LogRotation rotation(launch::RoleLogRotation(*host, options.topology,
                                               "task-" + std::to_string(options.task_id), *plan,
                                               std::chrono::milliseconds(0)));  // 1 s loop
  std::mutex reporter_mu;
  std::condition_variable reporter_cv;
  bool done = false;
  std::thread reporter([&] {
    std::unique_lock<std::mutex> lock(reporter_mu);
    while (!done) {
      lock.unlock();
      WriteMetrics(writer, link, options.task_id, *plan, metrics, *executor, signals, carried, false);
      rotation.MaybeRotate();
      lock.lock();
      reporter_cv.wait_for(lock, std::chrono::seconds(1), [&] { return done; });
    }
  });
  executor->Run();
  {
    std::lock_guard<std::mutex> lock(reporter_mu);
    done = true;
  }
  reporter_cv.notify_one();
  reporter.join();
  WriteMetrics(writer, link, options.task_id, *plan, metrics, *executor, signals, carried, true);
  log->info("task {} stopped", options.task_id);
  return Status::Ok();
}

}  // namespace gale::instance
