#include "task/spout_executor.h"

#include <algorithm>

#include "common/log.h"
#include "task/bad_input_log.h"
#include "gale/registry.h"

namespace gale::task {
namespace {

constexpr int kTimeoutBuckets = 3;
// A busy spout looks for acks and control messages once per this many
// NextTuple calls (looking costs a system call on a socket inbox).
constexpr std::uint32_t kInputCheckEvery = 32;
// A spout whose NextTuple emitted nothing tries again at once this many
// times, then waits 1, 2, 4 ... up to kMaxIdleWait (acks and control
// messages end a wait early). Storm's progressive wait strategy, without
// the spinning: on a host with more tasks than cores a spinning task takes
// the core from the one that has work.
constexpr int kImmediateRetries = 2;
constexpr auto kMaxIdleWait = std::chrono::milliseconds(8);
// A spout that may not emit (inactive, throttled, max.spout.pending reached,
// exhausted) waits for input until its next timeout rotation, at most this
// long, when the inbox wakes it for every signal change (both inboxes of the
// runtime do) ...
constexpr auto kBlockedWait = std::chrono::milliseconds(100);
// ... and otherwise re-checks the signals this often: soon after a throttle
// lifts, so the pipeline does not run dry.
constexpr auto kThrottledPollWait = std::chrono::microseconds(100);
constexpr auto kBlockedPollWait = std::chrono::milliseconds(1);
// A spout that reached topology.max.spout.pending emits again once this
// fraction of the limit completed, not after every completed tree: it then
// emits in bursts that fill batches instead of a few tuples per batch, and
// every batch costs wake-ups in every process on its way. Measured on 2
// cores, 2 containers, pending 2000: 1.2 M words/s and 16 ms mean complete
// latency refilling tree by tree, 1.6-2.0 M and 9-12 ms refilling by
// quarters (thirds, sixths and eighths did no better).
constexpr std::int64_t kRefillDivisor = 4;
// The complete-latency histogram is published for live readers this often.
constexpr std::int64_t kPublishLatencyNs = 1'000'000'000;
// In a task process, consumed ack batches are reported with the spout's next
// message, or on their own once this many wait: half the credit window the
// stream manager keeps towards a task (stmgr/delivery_queue.h).
constexpr std::size_t kReportConsumedEvery = 4;

}  // namespace

SpoutExecutor::SpoutExecutor(const ExecutorOptions& options)
    : options_(options),
      component_(options.plan->component_of(options.task_id)),
      emitter_(options.plan, options.task_id, options.outbox, options.metrics,
               EmitterOptions{.container = options.container},
               options.seed != 0 ? options.seed : Random64::FreshSeed()),
      random_(options.seed),
      acking_(component_.acking),
      max_pending_(component_.config.GetInt("topology.max.spout.pending", 0)) {}

std::int64_t SpoutExecutor::NowNs() const { return options_.clock->NowNs(); }

Status SpoutExecutor::Start() {
  const std::string name = TaskName(*options_.plan, options_.task_id);
  GALE_RETURN_IF_ERROR(emitter_.Init());
  spout_ = Registry::Global().NewSpout(component_.class_name);
  if (!spout_) return NotFound(name + ": spout class '" + component_.class_name + "' not found");
  const plan::TaskInfo& task = options_.plan->task(options_.task_id);
  context_ = std::make_unique<TopologyContext>(options_.plan->layout(), component_.id,
                                               options_.task_id, task.task_index);
  if (acking_) {
    std::int64_t timeout_s = component_.config.GetInt("topology.message.timeout.secs", 30);
    tracker_.emplace(timeout_s * 1'000'000'000, kTimeoutBuckets, NowNs());
  }
  try {
    spout_->Open(component_.config, *context_, *this);
  } catch (const std::exception& e) {
    return Status(ErrorCode::kUserCode, name + ": Open failed: " + e.what());
  }
  return Status::Ok();
}

void SpoutExecutor::LogUserError(const char* where, const std::exception& e) {
  options_.metrics->user_errors.Add();
  options_.metrics->recent_errors.Add(std::string(where) + " threw: " + e.what());
  LogLimited(user_error_log_, options_.clock->NowNs(), spdlog::level::err,
             TaskName(*options_.plan, options_.task_id), std::string(where) + " threw: " + e.what());
}

void SpoutExecutor::ReportError(std::string_view message) {
  options_.metrics->user_errors.Add();
  options_.metrics->recent_errors.Add("reported error: " + std::string(message));
  LogLimited(user_error_log_, options_.clock->NowNs(), spdlog::level::err,
             TaskName(*options_.plan, options_.task_id),
             "reported error: " + std::string(message));
}

void SpoutExecutor::ReportDropped(std::uint64_t count) { options_.metrics->dropped.Add(count); }

void SpoutExecutor::DoEmit(std::string_view stream, const Values& values, std::optional<MessageId> id,
                           int direct_task) {
  const auto& targets = emitter_.Prepare(stream, values, direct_task);
  ++emits_in_call_;
  options_.metrics->emitted.Add();
  emitter_.CountEmit();
  if (!id || !acking_) {
    for (std::int32_t t : targets) emitter_.Append(t, nullptr, 0);
    if (id) untracked_.push_back(*id);
    return;
  }
  std::uint64_t root = random_.Next();
  std::uint64_t xor_all = 0;
  internal::Anchor anchor{options_.task_id, root, 0};
  for (std::int32_t t : targets) {
    anchor.edge = random_.NextNonZero();
    xor_all ^= anchor.edge;
    emitter_.Append(t, &anchor, 1);
  }
  if (auto done = tracker_->Start(root, *id, xor_all, NowNs())) Complete(*done);
  options_.metrics->pending.store(static_cast<std::int64_t>(tracker_->pending()),
                                  std::memory_order_relaxed);
}

void SpoutExecutor::Complete(const acking::TreeOutcome& outcome) {
  TaskMetrics& m = *options_.metrics;
  try {
    switch (outcome.kind) {
      case acking::TreeOutcome::Kind::kAcked:
        m.acked.Add();
        m.complete_ns.Add(static_cast<std::uint64_t>(outcome.latency_ns));
        m.complete_latency.Record(outcome.latency_ns);
        spout_->Ack(outcome.msg_id);
        break;
      case acking::TreeOutcome::Kind::kFailed:
        m.failed.Add();
        spout_->Fail(outcome.msg_id);
        break;
      case acking::TreeOutcome::Kind::kTimedOut:
        m.timed_out.Add();
        spout_->Fail(outcome.msg_id);
        break;
    }
  } catch (const std::exception& e) {
    LogUserError(outcome.kind == acking::TreeOutcome::Kind::kAcked ? "Ack" : "Fail", e);
  }
}

void SpoutExecutor::CompleteUntracked() {
  // Storm's behaviour with acking off: a message id is acked at once.
  for (std::size_t i = 0; i < untracked_.size(); ++i) {
    options_.metrics->acked.Add();
    try {
      spout_->Ack(untracked_[i]);
    } catch (const std::exception& e) {
      LogUserError("Ack", e);
    }
  }
  untracked_.clear();
}

void SpoutExecutor::HandleInput(std::vector<std::string>& batches) {
  std::int64_t now = NowNs();
  for (const std::string& batch : batches) {
    auto reader = wire::BatchReader::Open(batch);
    if (!reader.ok()) {
      LogBadInput(bad_input_log_, TaskName(*options_.plan, options_.task_id),
                  "dropped malformed batch: " + reader.status().message());
      continue;
    }
    wire::AckRecord ack;
    while (reader->NextAck(&ack)) {
      if (!tracker_) continue;
      std::optional<acking::TreeOutcome> done;
      switch (ack.kind) {
        case wire::AckKind::kAck: done = tracker_->Ack(ack.root, ack.value, now); break;
        case wire::AckKind::kFail: done = tracker_->Fail(ack.root, now); break;
        case wire::AckKind::kResetTimeout: tracker_->ResetTimeout(ack.root, now); break;
      }
      if (done) Complete(*done);
    }
    if (!reader->status().ok()) {
      LogBadInput(bad_input_log_, TaskName(*options_.plan, options_.task_id),
                  "malformed ack batch: " + reader->status().message());
    }
  }
  if (tracker_) {
    options_.metrics->pending.store(static_cast<std::int64_t>(tracker_->pending()),
                                    std::memory_order_relaxed);
  }
}

bool SpoutExecutor::CanEmit() {
  if (!active_) return false;
  if (options_.signals->backpressure.load(std::memory_order_relaxed) > 0) return false;
  if (tracker_ && max_pending_ > 0) {
    auto pending = static_cast<std::int64_t>(tracker_->pending());
    if (pending >= max_pending_) refilling_ = true;
    if (refilling_ && pending > max_pending_ - RefillQuantum()) return false;
    refilling_ = false;
  }
  return true;
}

std::int64_t SpoutExecutor::RefillQuantum() const {
  return std::max<std::int64_t>(max_pending_ / kRefillDivisor, 1);
}

void SpoutExecutor::SetActive(bool active) {
  if (active == active_) return;
  active_ = active;
  try {
    if (active) {
      spout_->Activate();
    } else {
      spout_->Deactivate();
    }
  } catch (const std::exception& e) {
    LogUserError(active ? "Activate" : "Deactivate", e);
  }
}

void SpoutExecutor::TrackThrottle(std::int64_t now) {
  bool throttled = options_.signals->backpressure.load(std::memory_order_relaxed) > 0;
  if (throttled && !throttled_) {
    throttled_since_ns_ = now;
    options_.metrics->throttle_episodes.Add();
  } else if (!throttled && throttled_) {
    options_.metrics->throttled_ns.Add(static_cast<std::uint64_t>(now - throttled_since_ns_));
  }
  throttled_ = throttled;
}

std::chrono::nanoseconds SpoutExecutor::IdleWait(bool asked, std::int64_t now) {
  std::chrono::nanoseconds wait;
  if (asked) {
    // NextTuple had nothing: back off progressively.
    if (++empty_calls_ <= kImmediateRetries) return std::chrono::nanoseconds(0);
    int step = std::min(empty_calls_ - kImmediateRetries - 1, 3);
    wait = std::min<std::chrono::nanoseconds>(std::chrono::milliseconds(1) * (1 << step),
                                              kMaxIdleWait);
  } else if (options_.inbox->wakes_on_signals()) {
    wait = kBlockedWait;
  } else {
    bool throttled = options_.signals->backpressure.load(std::memory_order_relaxed) > 0;
    wait = throttled ? std::chrono::nanoseconds(kThrottledPollWait)
                     : std::chrono::nanoseconds(kBlockedPollWait);
  }
  // Wake for the next rotation of the timeout buckets.
  if (tracker_ && tracker_->pending() > 0) {
    auto until = std::chrono::nanoseconds(std::max<std::int64_t>(
        tracker_->NextRotationNs() - now, 0));
    wait = std::min(wait, until);
  }
  return wait;
}

void SpoutExecutor::PublishState(bool exhausted) {
  bool none_pending = !tracker_ || tracker_->pending() == 0;
  drained_.store(exhausted && none_pending && !emitter_.HasBuffered(), std::memory_order_release);
  quiesced_.store(!active_ && !emitter_.HasBuffered(), std::memory_order_release);
}

void SpoutExecutor::Run() {
  std::vector<std::string> input;
  std::int64_t last_flush = NowNs();
  std::int64_t next_publish_ns = last_flush + kPublishLatencyNs;
  std::uint32_t calls = 0;
  while (!options_.signals->stop.load(std::memory_order_relaxed)) {
    SetActive(options_.signals->active.load(std::memory_order_relaxed));
    input.clear();
    bool exhausted = false;
    try {
      exhausted = spout_->Exhausted();
    } catch (const std::exception& e) {
      LogUserError("Exhausted", e);
    }
    bool asked = false;
    bool emitted = false;
    if (!exhausted && CanEmit()) {
      asked = true;
      emits_in_call_ = 0;
      try {
        spout_->NextTuple();
      } catch (const std::exception& e) {
        LogUserError("NextTuple", e);
      }
      if (!untracked_.empty()) CompleteUntracked();
      emitted = emits_in_call_ > 0;
    }
    ++calls;
    if (emitted) {
      empty_calls_ = 0;
      // Acks, fails and control messages, now and then while busy.
      if (calls % kInputCheckEvery == 0) {
        options_.inbox->Receive(&input, std::chrono::nanoseconds(0));
      }
    } else {
      options_.inbox->Receive(&input, std::chrono::nanoseconds(0));
      if (input.empty()) {
        // Nothing to do. Held back, the spout sends what is buffered at
        // once (nothing more is coming); a source with nothing right now
        // (a rate, a quiet queue) keeps it until the linger ends, so a
        // trickle of tuples still travels in batches. Then sleep until input
        // arrives or it is time to try again.
        std::int64_t now = NowNs();
        if (emitter_.HasBuffered() && (!asked || !options_.linger_when_idle ||
                                       now - last_flush >= kLingerNs)) {
          emitter_.Flush();
          last_flush = now;
          unreported_batches_ = 0;
        }
        auto wait = IdleWait(asked, now);
        if (emitter_.HasBuffered()) {
          wait = std::min<std::chrono::nanoseconds>(
              wait, std::chrono::nanoseconds(last_flush + kLingerNs - now));
        }
        if (wait.count() > 0) {
          // Whoever waits for this spout to drain or go quiet learns it
          // now, not after the wait (up to kBlockedWait).
          PublishState(exhausted);
          options_.inbox->Receive(&input, wait);
        }
      }
    }
    if (!input.empty()) {
      HandleInput(input);
      options_.inbox->Done(input.size());
      if (!options_.linger_when_idle) {
        options_.outbox->Commit();
      } else {
        // In a task process the report of the consumed batches is a
        // message to the stream manager of its own unless it goes with the
        // spout's tuples: it waits for their next flush, up to half the
        // credit window the stream manager keeps towards this task, so the
        // stream manager never runs out of credit while the spout sleeps.
        unreported_batches_ += input.size();
        if (unreported_batches_ >= kReportConsumedEvery) {
          options_.outbox->Commit();
          unreported_batches_ = 0;
        }
      }
    }
    if (calls % 16 == 0 || !emitted) {
      std::int64_t now = NowNs();
      TrackThrottle(now);
      if (tracker_ && now >= tracker_->NextRotationNs()) {
        expired_.clear();
        tracker_->Advance(now, &expired_);
        for (const auto& outcome : expired_) Complete(outcome);
        options_.metrics->pending.store(static_cast<std::int64_t>(tracker_->pending()),
                                        std::memory_order_relaxed);
      }
      if (tracker_ && now >= next_publish_ns) {
        options_.metrics->complete_latency_published.Publish(
            options_.metrics->complete_latency);
        next_publish_ns = now + kPublishLatencyNs;
      }
    }
    // Buffered tuples leave within the linger time even when each NextTuple
    // call takes long.
    if (emitter_.HasBuffered()) {
      std::int64_t now = NowNs();
      if (now - last_flush >= kLingerNs) {
        emitter_.Flush();
        last_flush = now;
        unreported_batches_ = 0;
      }
    }
    PublishState(exhausted);
  }
  emitter_.Flush();
  try {
    spout_->Close();
  } catch (const std::exception& e) {
    LogUserError("Close", e);
  }
}

}  // namespace gale::task
