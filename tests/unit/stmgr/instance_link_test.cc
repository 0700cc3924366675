#include "stmgr/instance_link.h"

#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/clock.h"
#include "metrics/report.h"
#include "records/control.h"
#include "transport/frame_socket.h"
#include "transport/gatekeeper.h"
#include "transport/zmq_util.h"
#include "unix_client.h"

namespace gale::stmgr {
namespace {

using testing::ClosedByPeer;
using transport::FrameSocket;

// Tasks 1 and 3 are local; task 2 and 4 run elsewhere.
class InstanceLinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/instance_link_testXXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    path_ = dir_ + "/stmgr-0";
    ASSERT_TRUE(link_.Bind(path_).ok());
  }
  void TearDown() override {
    unlink(path_.c_str());
    rmdir(dir_.c_str());
  }

  std::unique_ptr<FrameSocket> Connect() { return testing::ConnectTo(path_); }

  // One round of the stream manager's loop.
  InstanceInput Round(int timeout_ms = 200) {
    std::vector<zmq::pollitem_t> items;
    link_.AddPollItems(&items);
    transport::PollDescriptors(items.data(), items.size(),
                               std::chrono::milliseconds(timeout_ms));
    InstanceInput in;
    link_.Service(items.data(), &in);
    return in;
  }

  // Rounds until `n` items arrived or a few seconds passed.
  InstanceInput Collect(std::size_t n) {
    InstanceInput all;
    for (int i = 0; i < 50 && all.size() < n; ++i) {
      for (auto& item : Round()) all.push_back(std::move(item));
    }
    return all;
  }

  std::string dir_;
  std::string path_;
  InstanceLink link_{{1, 3}, 4};
};

TEST_F(InstanceLinkTest, HelloNamesTheTaskAndFramesFollowInOrder) {
  auto client = Connect();
  ASSERT_TRUE(client->Send({records::Encode(records::Hello{3}), "batch-1",
                            records::Encode(records::Consumed{2}), "batch-2"}));
  InstanceInput in = Collect(4);
  ASSERT_EQ(in.size(), 4u);
  ASSERT_TRUE(std::holds_alternative<InstanceReport>(in[0]));
  EXPECT_EQ(std::get<InstanceReport>(in[0]).kind, InstanceReport::Kind::kHello);
  EXPECT_EQ(std::get<InstanceReport>(in[0]).task, 3);
  EXPECT_EQ(std::get<std::string>(in[1]), "batch-1");
  EXPECT_EQ(std::get<InstanceReport>(in[2]).kind, InstanceReport::Kind::kConsumed);
  EXPECT_EQ(std::get<InstanceReport>(in[2]).batches, 2u);
  EXPECT_EQ(std::get<std::string>(in[3]), "batch-2");

  // And back: batches and commands reach the task's connection.
  EXPECT_TRUE(link_.SendBatches(3, {"to-3"}));
  EXPECT_TRUE(link_.SendCommand(3, SpoutCommand::kActivate));
  EXPECT_FALSE(link_.SendBatches(1, {"to-1"}));  // task 1 has no connection
  std::vector<std::string> frames;
  for (int i = 0; i < 50 && frames.size() < 2; ++i) {
    pollfd p{client->fd(), POLLIN, 0};
    poll(&p, 1, 20);
    ASSERT_TRUE(client->Receive(&frames));
  }
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0], "to-3");
  EXPECT_EQ(frames[1], records::Encode(records::Activate{}));
  EXPECT_EQ(link_.refused_connections(), 0u);
}

TEST_F(InstanceLinkTest, ANewHelloForATaskReplacesTheOlderConnection) {
  auto first = Connect();
  ASSERT_TRUE(first->Send({records::Encode(records::Hello{1})}));
  ASSERT_EQ(Collect(1).size(), 1u);
  auto second = Connect();
  ASSERT_TRUE(second->Send({records::Encode(records::Hello{1})}));
  ASSERT_EQ(Collect(1).size(), 1u);
  Round(0);  // the replaced connection goes
  EXPECT_TRUE(ClosedByPeer(*first));
  EXPECT_TRUE(link_.SendBatches(1, {"x"}));
  std::vector<std::string> frames;
  for (int i = 0; i < 50 && frames.empty(); ++i) {
    pollfd p{second->fd(), POLLIN, 0};
    poll(&p, 1, 20);
    ASSERT_TRUE(second->Receive(&frames));
  }
  EXPECT_EQ(frames, std::vector<std::string>{"x"});
}

TEST_F(InstanceLinkTest, ConnectionsThatBreakTheRulesAreClosedAndCounted) {
  // Data before any Hello.
  auto no_hello = Connect();
  ASSERT_TRUE(no_hello->Send({"a forged batch"}));
  // A Hello for a task of another container, and for one that does not exist.
  auto foreign = Connect();
  ASSERT_TRUE(foreign->Send({records::Encode(records::Hello{2})}));
  auto unknown = Connect();
  ASSERT_TRUE(unknown->Send({records::Encode(records::Hello{99})}));
  // Garbage that is not even a frame: a length over the limit.
  auto garbage = Connect();
  ASSERT_TRUE(garbage->Send({std::string(64, '\xff')}));
  int raw = dup(garbage->fd());
  ASSERT_EQ(write(raw, "\xff\xff\xff\xff", 4), 4);
  close(raw);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(Round(50).empty());
  EXPECT_TRUE(ClosedByPeer(*no_hello));
  EXPECT_TRUE(ClosedByPeer(*foreign));
  EXPECT_TRUE(ClosedByPeer(*unknown));
  EXPECT_TRUE(ClosedByPeer(*garbage));
  EXPECT_GE(link_.refused_connections(), 3u);
  EXPECT_FALSE(link_.SendBatches(1, {"x"}));
  EXPECT_FALSE(link_.SendBatches(3, {"x"}));

  // Metrics claiming another task are refused; the connection stays.
  auto task1 = Connect();
  metrics::TaskSnapshot s;
  s.task = 3;
  s.component = "sink";
  ASSERT_TRUE(task1->Send({records::Encode(records::Hello{1}), metrics::EncodeTaskMessage(s)}));
  InstanceInput in = Collect(1);
  in = Round(100);
  EXPECT_TRUE(in.empty());
  EXPECT_EQ(link_.malformed_metrics(), 1u);
  EXPECT_TRUE(link_.SendBatches(1, {"x"}));
}

TEST_F(InstanceLinkTest, SilentAndSurplusConnectionsAreClosed) {
  auto silent = Connect();
  Round(50);
  link_.Expire(Clock::System()->NowNs());  // in time
  EXPECT_FALSE(ClosedByPeer(*silent));
  const auto later = std::chrono::duration_cast<std::chrono::nanoseconds>(
                         transport::kHandshakeTimeout + std::chrono::seconds(1))
                         .count();
  link_.Expire(Clock::System()->NowNs() + later);
  Round(0);
  EXPECT_TRUE(ClosedByPeer(*silent));

  // Two local tasks + the slack, then the bound.
  std::vector<std::unique_ptr<FrameSocket>> clients;
  const std::size_t bound = 2 + transport::kConnectionSlack;
  for (std::size_t i = 0; i < bound + 3; ++i) {
    clients.push_back(Connect());
    Round(0);  // accepts (the listen backlog is smaller than the bound)
  }
  std::size_t closed = 0;
  std::vector<std::string> frames;
  for (auto& c : clients) closed += c->Receive(&frames) ? 0 : 1;  // EOF waits at once
  EXPECT_EQ(closed, 3u);
}

}  // namespace
}  // namespace gale::stmgr
