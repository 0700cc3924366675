#include "task/bolt_executor.h"

#include "task/spout_executor.h"

#include <stdexcept>

#include "task/bad_input_log.h"

#include "common/log.h"
#include "gale/internal/tuple_access.h"
#include "gale/registry.h"

namespace gale::task {
namespace {

using internal::TupleAccess;
// Execute latency is measured on one tuple in this many.
constexpr std::uint64_t kLatencySampleEvery = 64;
constexpr auto kMaxWait = std::chrono::milliseconds(50);

}  // namespace

BoltExecutor::BoltExecutor(const ExecutorOptions& options)
    : options_(options),
      component_(options.plan->component_of(options.task_id)),
      emitter_(options.plan, options.task_id, options.outbox, options.metrics,
               EmitterOptions{.container = options.container},
               options.seed != 0 ? options.seed : Random64::FreshSeed()),
      random_(options.seed),
      acking_(component_.acking) {
  if (component_.tick_freq_secs > 0) {
    tick_period_ = std::chrono::nanoseconds(
        static_cast<std::int64_t>(component_.tick_freq_secs * 1e9));
  }
}

Status BoltExecutor::Start() {
  const std::string name = TaskName(*options_.plan, options_.task_id);
  GALE_RETURN_IF_ERROR(emitter_.Init());
  bolt_ = Registry::Global().NewBolt(component_.class_name);
  if (!bolt_) return NotFound(name + ": bolt class '" + component_.class_name + "' not found");
  const plan::TaskInfo& task = options_.plan->task(options_.task_id);
  context_ = std::make_unique<TopologyContext>(options_.plan->layout(), component_.id,
                                               options_.task_id, task.task_index);
  try {
    bolt_->Prepare(component_.config, *context_, *this);
  } catch (const std::exception& e) {
    return Status(ErrorCode::kUserCode, name + ": Prepare failed: " + e.what());
  }
  drained_.store(true, std::memory_order_release);
  quiesced_.store(true, std::memory_order_release);
  return Status::Ok();
}

void BoltExecutor::LogUserError(const std::string& message) {
  options_.metrics->user_errors.Add();
  options_.metrics->recent_errors.Add(message);
  LogLimited(user_error_log_, options_.clock->NowNs(), spdlog::level::err,
             TaskName(*options_.plan, options_.task_id), message);
}

void BoltExecutor::Misuse(const std::string& message) {
  options_.metrics->misuse.Add();
  LogLimited(misuse_log_, options_.clock->NowNs(), spdlog::level::warn,
             TaskName(*options_.plan, options_.task_id), message + " (counted in 'misuse')");
}

void BoltExecutor::ReportError(std::string_view message) {
  LogUserError("reported error: " + std::string(message));
}

void BoltExecutor::ReportDropped(std::uint64_t count) { options_.metrics->dropped.Add(count); }

void BoltExecutor::DoEmit(std::string_view stream, const Tuple* const* anchors,
                          std::size_t anchor_count, const Values& values, int direct_task) {
  const auto& targets = emitter_.Prepare(stream, values, direct_task);
  options_.metrics->emitted.Add();
  emitter_.CountEmit();
  bool tracked = false;
  if (acking_) {
    for (std::size_t i = 0; i < anchor_count && !tracked; ++i) {
      tracked = !TupleAccess::anchors(*anchors[i]).empty();
    }
  }
  if (!tracked) {
    for (std::int32_t t : targets) emitter_.Append(t, nullptr, 0);
    return;
  }
  // The roots of every anchor, each once. Storm XOR-merges the edge of a root
  // reached through several anchors: with an even number of paths the child
  // carries 0 for that root, since each anchor's ack already XORs the edge in.
  out_anchors_.clear();
  odd_paths_.clear();
  for (std::size_t i = 0; i < anchor_count; ++i) {
    for (const internal::Anchor& a : TupleAccess::anchors(*anchors[i])) {
      std::size_t j = 0;
      while (j < out_anchors_.size() && out_anchors_[j].root != a.root) ++j;
      if (j == out_anchors_.size()) {
        out_anchors_.push_back({a.spout_task, a.root, 0});
        odd_paths_.push_back(true);
      } else {
        odd_paths_[j] = !odd_paths_[j];
      }
    }
  }
  if (out_anchors_.size() > wire::kMaxAnchorsPerTuple) {
    // A receiver refuses such a record; refuse the emit instead, before any
    // target got it.
    throw std::invalid_argument("a tuple anchored to " + std::to_string(out_anchors_.size()) +
                                " tuple trees, over the limit of " +
                                std::to_string(wire::kMaxAnchorsPerTuple) +
                                "; anchor it to fewer input tuples");
  }
  for (std::int32_t t : targets) {
    std::uint64_t edge = random_.NextNonZero();
    for (std::size_t j = 0; j < out_anchors_.size(); ++j) {
      out_anchors_[j].edge = odd_paths_[j] ? edge : 0;
    }
    for (std::size_t i = 0; i < anchor_count; ++i) {
      if (!TupleAccess::anchors(*anchors[i]).empty()) TupleAccess::out_xor(*anchors[i]) ^= edge;
    }
    emitter_.Append(t, out_anchors_.data(), out_anchors_.size());
  }
}

bool BoltExecutor::CheckSettle(const Tuple& tuple, const char* what) {
  if (tuple.IsTick()) return false;
  if (TupleAccess::dest_task(tuple) != options_.task_id) {
    Misuse(std::string(what) + " of a tuple this task did not receive (" + tuple.ToString() +
           ")");
    return false;
  }
  if (TupleAccess::settled(tuple)) {
    Misuse(std::string(what) + " of a tuple that was already acked or failed (" +
           tuple.ToString() + ")");
    return false;
  }
  TupleAccess::settled(tuple) = true;
  return true;
}

void BoltExecutor::Ack(const Tuple& tuple) {
  if (!CheckSettle(tuple, "ack")) return;
  options_.metrics->acked.Add();
  if (StreamMetrics* sm = options_.metrics->stream(TupleAccess::stream_index(tuple))) {
    sm->acked.Add();
  }
  // A tuple emitted anchored to this one and still buffered carries the ack
  // to the spout when its own receiver acks it (see Emitter::FoldAck).
  for (const internal::Anchor& a : TupleAccess::anchors(tuple)) {
    std::uint64_t value = a.edge ^ TupleAccess::out_xor(tuple);
    if (emitter_.FoldAck(a.spout_task, a.root, value)) continue;
    emitter_.SendAck(a.spout_task, {a.root, value, wire::AckKind::kAck});
  }
}

void BoltExecutor::Fail(const Tuple& tuple) {
  if (!CheckSettle(tuple, "fail")) return;
  options_.metrics->failed.Add();
  if (StreamMetrics* sm = options_.metrics->stream(TupleAccess::stream_index(tuple))) {
    sm->failed.Add();
  }
  if (TupleAccess::anchors(tuple).empty()) {
    // No tuple tree: no spout hears of the failure, nothing replays it.
    options_.metrics->dropped.Add();
    LogBadInput(dropped_log_, TaskName(*options_.plan, options_.task_id),
                "failed a tuple that no spout will replay (acking off or unanchored input); "
                "it is dropped and counted in 'dropped'");
    return;
  }
  for (const internal::Anchor& a : TupleAccess::anchors(tuple)) {
    emitter_.SendAck(a.spout_task, {a.root, 0, wire::AckKind::kFail});
  }
}

void BoltExecutor::ResetTimeout(const Tuple& tuple) {
  for (const internal::Anchor& a : TupleAccess::anchors(tuple)) {
    emitter_.SendAck(a.spout_task, {a.root, 0, wire::AckKind::kResetTimeout});
  }
}

void BoltExecutor::Execute(Tuple& tuple) {
  TaskMetrics& m = *options_.metrics;
  m.executed.Add();
  if (StreamMetrics* sm = tuple.IsTick() ? &m.tick : m.stream(TupleAccess::stream_index(tuple))) {
    sm->executed.Add();
  }
  bool sample = (++executed_ % kLatencySampleEvery) == 0;
  std::int64_t start_ns = 0;
  if (sample) start_ns = options_.clock->NowNs();
  try {
    bolt_->Execute(tuple);
  } catch (const std::exception& e) {
    LogUserError("Execute threw on " + tuple.ToString() + ": " + e.what());
    if (!TupleAccess::settled(tuple)) Fail(tuple);
  }
  if (sample) {
    std::int64_t ns = options_.clock->NowNs() - start_ns;
    m.execute_ns.Add(static_cast<std::uint64_t>(ns));
    m.execute_samples.Add();
    m.execute_latency.Record(ns);
  }
}

const char* BoltExecutor::CheckRecord(const wire::DataRecord& record) const {
  const plan::TopologyPlan& plan = *options_.plan;
  if (record.stream >= plan.streams().size()) return "an unknown stream";
  if (record.source_task < 1 || record.source_task > plan.max_task_id()) {
    return "an unknown source task";
  }
  for (const internal::Anchor& a : record.anchors) {
    if (a.spout_task < 1 || a.spout_task > plan.max_task_id() ||
        plan.component_of(a.spout_task).kind != ComponentKind::kSpout) {
      return "a tuple tree of a task that is not a spout";
    }
  }
  return nullptr;
}

void BoltExecutor::ProcessBatch(const std::string& batch) {
  auto reader = wire::BatchReader::Open(batch);
  if (!reader.ok()) {
    options_.metrics->malformed.Add();
    LogBadInput(bad_input_log_, TaskName(*options_.plan, options_.task_id),
                "dropped malformed batch: " + reader.status().message());
    return;
  }
  const auto& streams = options_.plan->streams();
  while (reader->NextData(&record_)) {
    if (const char* bad = CheckRecord(record_)) {
      // Not from this topology: nothing to execute, and no spout to fail it
      // to. Counted; logged once per 10 s at most.
      options_.metrics->malformed.Add();
      LogBadInput(bad_input_log_, TaskName(*options_.plan, options_.task_id),
                  std::string("dropped a tuple that names ") + bad);
      continue;
    }
    TupleAccess::ResetState(tuple_);
    TupleAccess::SetSource(tuple_, &streams[record_.stream].meta, record_.source_task,
                           options_.task_id);
    Status s = wire::DecodeValues(record_.values, &TupleAccess::values(tuple_));
    if (!s.ok()) {
      LogBadInput(bad_input_log_, TaskName(*options_.plan, options_.task_id),
                  "undecodable tuple: " + s.message());
      // Still fail it so its tree replays instead of waiting for the timeout.
    }
    if (acking_) TupleAccess::anchors(tuple_).assign(record_.anchors.begin(), record_.anchors.end());
    if (!s.ok()) {
      Fail(tuple_);
      continue;
    }
    Execute(tuple_);
  }
  if (!reader->status().ok()) {
    options_.metrics->malformed.Add();
    LogBadInput(bad_input_log_, TaskName(*options_.plan, options_.task_id),
                "malformed batch: " + reader->status().message());
  }
}

void BoltExecutor::SendTick() {
  Tuple tick;
  TupleAccess::SetSource(tick, &options_.plan->tick_meta(), 0, options_.task_id);
  TupleAccess::SetTick(tick, true);
  Execute(tick);
}

void BoltExecutor::Run() {
  std::vector<std::string> input;
  const std::int64_t period_ns = tick_period_.count();
  std::int64_t next_tick_ns = options_.clock->NowNs() + period_ns;
  while (!options_.signals->stop.load(std::memory_order_relaxed)) {
    auto wait = std::chrono::nanoseconds(kMaxWait);
    if (period_ns > 0) {
      std::int64_t now = options_.clock->NowNs();
      if (now >= next_tick_ns) {
        SendTick();
        next_tick_ns += period_ns;
        if (next_tick_ns < now) next_tick_ns = now + period_ns;
        emitter_.Flush();
      }
      wait = std::min<std::chrono::nanoseconds>(
          wait, std::chrono::nanoseconds(next_tick_ns - options_.clock->NowNs()));
      if (wait.count() < 0) wait = std::chrono::nanoseconds(0);
    }
    input.clear();
    options_.inbox->Receive(&input, wait);
    if (input.empty()) continue;
    for (const std::string& batch : input) ProcessBatch(batch);
    // What the batches caused and the report that they are done leave
    // together.
    emitter_.Flush(/*commit=*/false);
    options_.inbox->Done(input.size());
    options_.outbox->Commit();
  }
  // Whatever arrived before the stop was processed; now clean up.
  emitter_.Flush();
  try {
    bolt_->Cleanup();
  } catch (const std::exception& e) {
    LogUserError(std::string("Cleanup threw: ") + e.what());
  }
  emitter_.Flush();
}

std::unique_ptr<Executor> MakeExecutor(const ExecutorOptions& options) {
  if (options.plan->component_of(options.task_id).kind == ComponentKind::kSpout) {
    return std::make_unique<SpoutExecutor>(options);
  }
  return std::make_unique<BoltExecutor>(options);
}

std::string TaskName(const plan::TopologyPlan& plan, std::int32_t task_id) {
  return "component '" + plan.component_of(task_id).id + "' task " + std::to_string(task_id);
}

}  // namespace gale::task
