#include "stmgr/peer_mesh.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/clock.h"
#include "records/control.h"
#include "transport/frame_socket.h"
#include "transport/gatekeeper.h"
#include "transport/zmq_util.h"
#include "unix_client.h"

namespace gale::stmgr {
namespace {

using testing::ClosedByPeer;
using transport::FrameSocket;

constexpr int kWorkers = 3;

// Two stream managers of one host (containers 0 and 1) in a scratch
// topology directory, both on loopback.
class PeerMeshTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/peer_mesh_testXXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    ASSERT_EQ(mkdir((dir_ + "/sock").c_str(), 0700), 0);
    a_ = Mesh(0);
    b_ = Mesh(1);
  }
  void TearDown() override {
    a_.reset();
    b_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<PeerMesh> Mesh(int container, bool local = true) {
    auto m = std::make_unique<PeerMesh>(container, std::nullopt, kWorkers);
    EXPECT_TRUE(m->Bind(transport::NetworkAddress{}).ok());
    if (local) {
      EXPECT_TRUE(m->BindLocal(transport::StmgrPeerSocket(dir_, container), dir_).ok());
    }
    return m;
  }

  // One round of the stream manager's loop on `m`: what its peers sent.
  static std::vector<std::string> Round(PeerMesh& m, int timeout_ms = 200) {
    std::vector<zmq::pollitem_t> items;
    m.AddLocalPollItems(&items);
    std::vector<std::string> frames;
    if (items.empty()) return frames;
    transport::PollDescriptors(items.data(), items.size(),
                               std::chrono::milliseconds(timeout_ms));
    m.ServiceLocal(items.data(), &frames);
    return frames;
  }

  // Rounds until `n` frames arrived or a few seconds passed.
  static std::vector<std::string> Collect(PeerMesh& m, std::size_t n) {
    std::vector<std::string> all;
    for (int i = 0; i < 50 && all.size() < n; ++i) {
      for (auto& f : Round(m)) all.push_back(std::move(f));
    }
    return all;
  }

  std::unique_ptr<FrameSocket> RawClient(int container) {
    return testing::ConnectTo(transport::StmgrPeerSocket(dir_, container));
  }

  std::string dir_;
  std::unique_ptr<PeerMesh> a_;
  std::unique_ptr<PeerMesh> b_;
};

TEST_F(PeerMeshTest, APeerOfThisHostGetsTheOpenerThenTheBatchesInOrder) {
  ASSERT_TRUE(a_->Connect(1, b_->endpoint()));
  EXPECT_FALSE(a_->Connect(1, b_->endpoint()));  // already there
  ASSERT_TRUE(a_->Send(1, {"batch-1", "batch-2"}));
  a_->Announce(1, true, "count");
  ASSERT_TRUE(a_->Send(1, {"batch-3"}));

  std::vector<std::string> got = Collect(*b_, 5);
  ASSERT_EQ(got.size(), 5u);
  // The opener: container 0 holds no backpressure.
  auto opener = records::DecodeControl(got[0]);
  ASSERT_TRUE(opener.ok());
  ASSERT_NE(std::get_if<records::BackpressureOff>(&*opener), nullptr);
  EXPECT_EQ(std::get<records::BackpressureOff>(*opener).container, 0);
  EXPECT_EQ(got[1], "batch-1");
  EXPECT_EQ(got[2], "batch-2");
  b_->HandleControl(got[3]);
  EXPECT_EQ(b_->RemoteCulprits(), "count");
  EXPECT_EQ(got[4], "batch-3");
  EXPECT_EQ(b_->refused_connections(), 0u);
}

TEST_F(PeerMeshTest, APeerOnAnotherHostOrWithoutItsUnixSocketGoesOverTcp) {
  // Another advertised host: ZeroMQ, never the Unix socket.
  std::string elsewhere = b_->endpoint();
  elsewhere.replace(elsewhere.find("127.0.0.1"), 9, "127.0.0.2");
  ASSERT_TRUE(a_->Connect(1, elsewhere));
  EXPECT_TRUE(Round(*b_, 100).empty());
  // This host, but nothing listens at its Unix socket: ZeroMQ too, and the
  // batches arrive on the data socket.
  auto c = Mesh(2, /*local=*/false);
  ASSERT_TRUE(a_->Connect(2, c->endpoint()));
  ASSERT_TRUE(a_->Send(2, {"over-tcp"}));
  std::vector<std::string> frames;
  for (int i = 0; i < 100 && frames.empty(); ++i) {
    zmq::pollitem_t item{static_cast<void*>(c->data_in()), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, std::chrono::milliseconds(50));
    transport::TryRecvFrames(c->data_in(), &frames);
  }
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0], "over-tcp");
}

TEST_F(PeerMeshTest, ConnectionsThatBreakTheRulesAreClosedAndCounted) {
  // Data before the opener.
  auto no_opener = RawClient(1);
  ASSERT_TRUE(no_opener->Send({"a forged batch"}));
  // An opener claiming the receiver's own container, and one past the workers.
  auto own = RawClient(1);
  ASSERT_TRUE(own->Send({records::Encode(records::BackpressureOff{1, ""})}));
  auto unknown = RawClient(1);
  ASSERT_TRUE(unknown->Send({records::Encode(records::BackpressureOn{kWorkers, "x"})}));
  // Not even a frame: a length over the limit.
  auto garbage = RawClient(1);
  int raw = dup(garbage->fd());
  ASSERT_EQ(write(raw, "\xff\xff\xff\xff", 4), 4);
  close(raw);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(Round(*b_, 50).empty());
  EXPECT_TRUE(ClosedByPeer(*no_opener));
  EXPECT_TRUE(ClosedByPeer(*own));
  EXPECT_TRUE(ClosedByPeer(*unknown));
  EXPECT_TRUE(ClosedByPeer(*garbage));
  EXPECT_EQ(b_->refused_connections(), 3u);  // the garbage just broke its link
  EXPECT_FALSE(b_->remote_backpressure());

  // A silent connection is closed after the handshake timeout.
  auto silent = RawClient(1);
  Round(*b_, 50);
  b_->Tick(Clock::System()->NowNs());
  EXPECT_FALSE(ClosedByPeer(*silent));
  const auto later = std::chrono::duration_cast<std::chrono::nanoseconds>(
                         transport::kHandshakeTimeout + std::chrono::seconds(1))
                         .count();
  b_->Tick(Clock::System()->NowNs() + later);
  Round(*b_, 0);
  EXPECT_TRUE(ClosedByPeer(*silent));
  EXPECT_EQ(b_->refused_connections(), 4u);

  // The bound: the containers plus the slack.
  std::vector<std::unique_ptr<FrameSocket>> clients;
  const std::size_t bound = kWorkers + transport::kConnectionSlack;
  for (std::size_t i = 0; i < bound + 3; ++i) {
    clients.push_back(RawClient(1));
    Round(*b_, 0);  // accepts (the listen backlog is smaller than the bound)
  }
  std::size_t closed = 0;
  std::vector<std::string> frames;
  for (auto& c : clients) closed += c->Receive(&frames) ? 0 : 1;  // EOF waits at once
  EXPECT_EQ(closed, 3u);
}

TEST_F(PeerMeshTest, AFullLinkTakesNoMoreUntilItDrainsAndWritesWhatItTook) {
  ASSERT_TRUE(a_->Connect(1, b_->endpoint()));
  const std::string batch(64 * 1024, 'x');
  std::size_t sent = 0;
  while (a_->Send(1, {batch}) && sent < 10000) ++sent;
  ASSERT_LT(sent, 10000u) << "the link never filled";
  std::vector<zmq::pollitem_t> items;
  EXPECT_FALSE(a_->WaitToSend(1, &items));
  // The sender waits for its link to take output.
  a_->AddLocalPollItems(&items);
  ASSERT_FALSE(items.empty());
  EXPECT_EQ(items.back().events, ZMQ_POLLOUT);
  // The receiver reads; every batch the link took arrives whole, with no
  // further Send to push the last one out.
  std::size_t got = 0;
  for (int i = 0; i < 500 && got < 1 + sent; ++i) {
    got += Round(*b_, 10).size();
    Round(*a_, 0);
  }
  EXPECT_EQ(got, 1 + sent);  // the opener and the batches
  items.clear();
  EXPECT_TRUE(a_->WaitToSend(1, &items));
  EXPECT_TRUE(a_->Send(1, {batch}));
}

TEST_F(PeerMeshTest, ALinkThatBrokeIsReconnectedToTheRestartedPeer) {
  ASSERT_TRUE(a_->Connect(1, b_->endpoint()));
  ASSERT_TRUE(a_->Send(1, {"before"}));
  ASSERT_EQ(Collect(*b_, 2).size(), 2u);
  const std::string endpoint = b_->endpoint();
  b_.reset();  // the peer dies
  bool refused = false;
  for (int i = 0; i < 100 && !refused; ++i) refused = !a_->Send(1, {"lost"});
  ASSERT_TRUE(refused);
  a_->Tick(Clock::System()->NowNs());  // nothing listens yet
  EXPECT_FALSE(a_->Send(1, {"still down"}));
  b_ = Mesh(1);  // its successor binds the same Unix socket
  a_->Tick(Clock::System()->NowNs());
  ASSERT_TRUE(a_->Send(1, {"after"}));
  std::vector<std::string> got = Collect(*b_, 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(records::IsControl(got[0]));  // the opener again
  EXPECT_EQ(got[1], "after");
}

}  // namespace
}  // namespace gale::stmgr
