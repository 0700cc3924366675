#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "gale/component.h"
#include "common/rate_limited_log.h"
#include "task/emitter.h"
#include "task/executor.h"
#include "task/random.h"

namespace gale::task {

// Runs one bolt task: decodes each arriving batch into tuples, calls Execute,
// sends tick tuples when configured, and turns Ack/Fail into ack records for
// the spout tasks that own the trees.
class BoltExecutor : public Executor, private OutputCollector {
 public:
  explicit BoltExecutor(const ExecutorOptions& options);
  Status Start() override;
  void Run() override;

 private:
  void DoEmit(std::string_view stream, const Tuple* const* anchors, std::size_t anchor_count,
              const Values& values, int direct_task) override;
  void Ack(const Tuple& tuple) override;
  void Fail(const Tuple& tuple) override;
  void ResetTimeout(const Tuple& tuple) override;
  void ReportError(std::string_view message) override;
  void ReportDropped(std::uint64_t count) override;

  void ProcessBatch(const std::string& batch);
  // What is wrong with a record from the wire (a stream, source task or
  // anchor's spout task this topology does not have), or null.
  const char* CheckRecord(const wire::DataRecord& record) const;
  void Execute(Tuple& tuple);
  void SendTick();
  bool CheckSettle(const Tuple& tuple, const char* what);
  void Misuse(const std::string& message);
  void LogUserError(const std::string& message);

  ExecutorOptions options_;
  const plan::ComponentInfo& component_;
  std::unique_ptr<Bolt> bolt_;
  std::unique_ptr<TopologyContext> context_;
  Emitter emitter_;
  Random64 random_;
  bool acking_;
  std::chrono::nanoseconds tick_period_{0};
  Tuple tuple_;  // reused for every arriving record
  wire::DataRecord record_;
  std::vector<internal::Anchor> out_anchors_;
  std::vector<bool> odd_paths_;
  std::uint64_t executed_ = 0;
  RateLimiter user_error_log_;
  RateLimiter misuse_log_;
  RateLimiter bad_input_log_;
  RateLimiter dropped_log_;
};

}  // namespace gale::task
