#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include "acking/xor_tracker.h"
#include "common/rate_limited_log.h"
#include "gale/component.h"
#include "task/emitter.h"
#include "task/executor.h"
#include "task/random.h"

namespace gale::task {

// Runs one spout task: calls NextTuple while the topology is active, no
// backpressure holds and fewer than topology.max.spout.pending trees are in
// flight; owns the task's XOR tracker, so acks for its trees come here.
class SpoutExecutor : public Executor, private SpoutOutputCollector {
 public:
  // Buffered tuples of a busy spout go out at least this often. At half the
  // saturated rate of the submitted word count, 0.5 ms against 1 ms halved
  // the mean complete latency (1.5 to 0.85 ms) for about 0.2 more cores;
  // 0.25 ms cost 0.3 more and gained nothing (docs/architecture.md,
  // "Batching and flushing").
  static constexpr std::int64_t kLingerNs = 500'000;

  explicit SpoutExecutor(const ExecutorOptions& options);
  Status Start() override;
  void Run() override;

 private:
  void DoEmit(std::string_view stream, const Values& values, std::optional<MessageId> id,
              int direct_task) override;
  void ReportError(std::string_view message) override;
  void ReportDropped(std::uint64_t count) override;

  void HandleInput(std::vector<std::string>& batches);
  void Complete(const acking::TreeOutcome& outcome);
  void CompleteUntracked();
  // drained() and quiesced() as of now.
  void PublishState(bool exhausted);
  bool CanEmit();
  std::int64_t RefillQuantum() const;
  // How long to wait for input when this round did nothing; `asked`: NextTuple
  // was called and emitted nothing.
  std::chrono::nanoseconds IdleWait(bool asked, std::int64_t now);
  void SetActive(bool active);
  void TrackThrottle(std::int64_t now);
  std::int64_t NowNs() const;
  void LogUserError(const char* where, const std::exception& e);

  ExecutorOptions options_;
  const plan::ComponentInfo& component_;
  std::unique_ptr<Spout> spout_;
  std::unique_ptr<TopologyContext> context_;
  Emitter emitter_;
  Random64 random_;
  bool acking_;
  std::int64_t max_pending_;
  std::optional<acking::XorTracker> tracker_;
  bool active_ = false;  // Activate() is called once the topology is active
  std::uint64_t emits_in_call_ = 0;
  int empty_calls_ = 0;
  std::size_t unreported_batches_ = 0;  // consumed input not reported yet
  bool refilling_ = false;  // NextTuple calls in a row that emitted nothing
  std::vector<MessageId> untracked_;  // ids to ack at once (acking off)
  std::vector<internal::Anchor> anchors_;
  std::vector<acking::TreeOutcome> expired_;
  RateLimiter user_error_log_;
  bool throttled_ = false;
  std::int64_t throttled_since_ns_ = 0;
  RateLimiter bad_input_log_;
};

}  // namespace gale::task
