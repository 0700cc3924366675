// The stream manager's heartbeat worker against a directory state manager in
// a private temporary directory. The worker is a thread: each test waits for
// its outcome with a deadline.

#include "stmgr/heartbeat_worker.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "metrics/report.h"
#include "state/state_manager.h"

namespace gale::stmgr {
namespace {

class HeartbeatWorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gale-heartbeat-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    sm_ = state::MakeStateManager(root_);
    ASSERT_TRUE(sm_->Create("t").ok());
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  static HeartbeatInput Input(int container, std::uint64_t routed) {
    HeartbeatInput in;
    in.stmgr.container = container;
    in.stmgr.pid = static_cast<int>(getpid());
    in.stmgr.endpoint = "tcp://127.0.0.1:7001";
    in.stmgr.routed_batches = routed;
    for (int task : {1, 3}) {
      metrics::TaskSnapshot t;
      t.task = task;
      t.component = task == 1 ? "spout" : "bolt";
      t.kind = task == 1 ? "spout" : "bolt";
      t.container = container;
      t.queue_depth = 10 * task;
      t.complete_latency.Record(1'500'000);
      in.tasks.push_back(t);
    }
    return in;
  }

  static HeartbeatOutput Await(HeartbeatWorker& worker) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      if (auto out = worker.Take()) return std::move(*out);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ADD_FAILURE() << "the worker finished no heartbeat within 10 s";
    return {};
  }

  std::string root_;
  std::unique_ptr<state::StateManager> sm_;
};

TEST_F(HeartbeatWorkerTest, EncodesReportsWritesTheRecordAndMeasuresTheProcess) {
  HeartbeatWorker worker(sm_.get(), "t", 2);
  EXPECT_FALSE(worker.Take().has_value());
  worker.Post(Input(2, 41));
  HeartbeatOutput out = Await(worker);
  EXPECT_FALSE(worker.Take().has_value()) << "an outcome is taken once";

  ASSERT_EQ(out.reports.size(), 1u);
  auto report = metrics::DecodeReport(out.reports[0]);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->stmgr.container, 2);
  EXPECT_EQ(report->stmgr.routed_batches, 41u);
  EXPECT_GT(report->stmgr.rss_kb, 0u) << "the worker measures the process";
  EXPECT_GT(report->stmgr.peak_rss_kb, 0u);
  ASSERT_EQ(report->tasks.size(), 2u);
  EXPECT_EQ(report->tasks[0].task, 1);
  EXPECT_EQ(report->tasks[0].queue_depth, 10);
  EXPECT_EQ(report->tasks[0].complete_latency.Count(), 1u);
  EXPECT_EQ(report->tasks[1].queue_depth, 30);

  auto text = sm_->Read("t", "metrics/stmgr-2");
  ASSERT_TRUE(text.ok()) << text.status().message();
  metrics::StmgrSnapshot recorded;
  ASSERT_TRUE(metrics::Decode(*text, &recorded).ok());
  EXPECT_EQ(recorded.routed_batches, 41u);
  EXPECT_GT(recorded.rss_kb, 0u);
}

TEST_F(HeartbeatWorkerTest, ReadsWhereTheMasterIs) {
  HeartbeatWorker worker(sm_.get(), "t", 1);
  worker.Post(Input(1, 1));
  EXPECT_EQ(Await(worker).master_endpoint, "") << "no live master yet";
  EXPECT_EQ(ReadMasterEndpoint(*sm_, "t"), "");

  records::MasterLocation master;
  master.pid = static_cast<std::int32_t>(getpid());
  master.endpoint = "tcp://127.0.0.1:7100";
  auto entry = sm_->PublishAlive("t", "tmaster", records::Encode(master));
  ASSERT_TRUE(entry.ok()) << entry.status().message();
  worker.Post(Input(1, 2));
  EXPECT_EQ(Await(worker).master_endpoint, "tcp://127.0.0.1:7100");
  EXPECT_EQ(ReadMasterEndpoint(*sm_, "t"), "tcp://127.0.0.1:7100");

  entry->reset();  // the master is gone
  worker.Post(Input(1, 3));
  EXPECT_EQ(Await(worker).master_endpoint, "");
}

TEST_F(HeartbeatWorkerTest, LaterHeartbeatsReplaceOnesNotStartedAndStopJoins) {
  auto worker = std::make_unique<HeartbeatWorker>(sm_.get(), "t", 1);
  for (std::uint64_t i = 1; i <= 50; ++i) worker->Post(Input(1, i));
  // The last one posted is done last, whatever was skipped before it.
  std::uint64_t routed = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (routed != 50 && std::chrono::steady_clock::now() < deadline) {
    if (auto out = worker->Take()) {
      auto report = metrics::DecodeReport(out->reports.at(0));
      ASSERT_TRUE(report.ok());
      EXPECT_GT(report->stmgr.routed_batches, routed) << "heartbeats are done in order";
      routed = report->stmgr.routed_batches;
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  EXPECT_EQ(routed, 50u);
  // With one posted and maybe not started: the destructor returns.
  worker->Post(Input(1, 51));
  worker.reset();
}

}  // namespace
}  // namespace gale::stmgr
