#include "transport/frame_socket.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "transport/zmq_util.h"

namespace gale::transport {
namespace {

struct Pair {
  std::unique_ptr<FrameSocket> a;
  std::unique_ptr<FrameSocket> b;
};

Pair MakePair() {
  int fds[2];
  EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  return {std::make_unique<FrameSocket>(fds[0]), std::make_unique<FrameSocket>(fds[1])};
}

// Reads from `from` until `count` frames arrived, flushing `writer` as the
// socket takes more; false if the connection broke first.
bool ReceiveFrames(FrameSocket& writer, FrameSocket& from, std::size_t count,
                   std::vector<std::string>* frames) {
  for (int i = 0; i < 10000 && frames->size() < count; ++i) {
    if (!writer.FlushOut()) return false;
    pollfd p{from.fd(), POLLIN, 0};
    poll(&p, 1, 100);
    if (!from.Receive(frames)) return frames->size() >= count;
  }
  return frames->size() >= count;
}

TEST(FrameSocket, FramesArriveWholeAndInOrder) {
  Pair p = MakePair();
  ASSERT_TRUE(p.a->Send({"one", "", "three"}));
  ASSERT_TRUE(p.a->Send({"four"}));
  std::vector<std::string> frames;
  ASSERT_TRUE(ReceiveFrames(*p.a, *p.b, 4, &frames));
  EXPECT_EQ(frames, (std::vector<std::string>{"one", "", "three", "four"}));
}

TEST(FrameSocket, AFrameLargerThanTheSocketBufferWaitsAndArrivesWhole) {
  Pair p = MakePair();
  // Far over the kernel's buffer: the send keeps the rest for FlushOut.
  std::string big(8 << 20, 'x');
  for (std::size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>('a' + i % 26);
  ASSERT_TRUE(p.a->Send({"small", big, "after"}));
  EXPECT_TRUE(p.a->wants_write());
  std::vector<std::string> frames;
  ASSERT_TRUE(ReceiveFrames(*p.a, *p.b, 3, &frames));
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0], "small");
  EXPECT_TRUE(frames[1] == big);
  EXPECT_EQ(frames[2], "after");
  EXPECT_FALSE(p.a->wants_write());
}

TEST(FrameSocket, ALengthOverTheLimitBreaksTheConnection) {
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  FrameSocket reader(fds[1]);
  const std::uint32_t len = static_cast<std::uint32_t>(kMaxMessageBytes) + 1;
  char header[4];
  for (int i = 0; i < 4; ++i) header[i] = static_cast<char>(len >> (8 * i));
  ASSERT_EQ(write(fds[0], header, 4), 4);
  std::vector<std::string> frames;
  EXPECT_FALSE(reader.Receive(&frames));
  EXPECT_TRUE(frames.empty());
  close(fds[0]);
}

TEST(FrameSocket, APeerThatClosesEndsTheConnectionAfterItsLastFrame) {
  Pair p = MakePair();
  ASSERT_TRUE(p.a->Send({"last"}));
  p.a.reset();
  std::vector<std::string> frames;
  bool open = true;
  for (int i = 0; i < 100 && open; ++i) open = p.b->Receive(&frames);
  EXPECT_FALSE(open);
  EXPECT_EQ(frames, std::vector<std::string>{"last"});
  // Writing to a closed peer reports it instead of raising SIGPIPE.
  bool sent = true;
  for (int i = 0; i < 100 && sent; ++i) sent = p.b->Send({"x"});
  EXPECT_FALSE(sent);
}

TEST(FrameSocket, ListenAcceptConnectReportTheUser) {
  char dir[] = "/tmp/frame_socket_testXXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/s";
  auto listener = ListenUnix(path);
  ASSERT_TRUE(listener.ok()) << listener.status().message();
  std::uint32_t uid = 12345;
  EXPECT_EQ(AcceptUnix(*listener, &uid), -1);  // nothing waits
  auto client = ConnectUnix(path);
  ASSERT_TRUE(client.ok()) << client.status().message();
  int server = AcceptUnix(*listener, &uid);
  ASSERT_GE(server, 0);
  EXPECT_EQ(uid, geteuid());
  close(server);
  close(*client);
  close(*listener);
  unlink(path.c_str());
  EXPECT_FALSE(ConnectUnix(path).ok());  // nothing listens
  EXPECT_FALSE(ListenUnix(std::string(200, 'p')).ok());  // over the path limit
  rmdir(dir);
}

}  // namespace
}  // namespace gale::transport

namespace gale::transport {
namespace {

// PollDescriptors takes and reports ZMQ_POLL* bits, not poll(2)'s.
TEST(PollDescriptors, TranslatesZeroMqEventBits) {
  Pair pair = MakePair();
  // Fill a's socket buffer: a takes no more output.
  const std::string chunk(64 * 1024, 'x');
  while (send(pair.a->fd(), chunk.data(), chunk.size(), MSG_DONTWAIT) > 0) {
  }
  zmq::pollitem_t items[2] = {{nullptr, pair.a->fd(), ZMQ_POLLOUT, 0},
                              {nullptr, pair.b->fd(), ZMQ_POLLIN, 0}};
  PollDescriptors(items, 2, std::chrono::milliseconds(50));
  EXPECT_EQ(items[0].revents, 0);
  EXPECT_EQ(items[1].revents, ZMQ_POLLIN);
  // b drains it: a takes output again.
  std::vector<char> sink(1 << 20);
  while (read(pair.b->fd(), sink.data(), sink.size()) > 0) {
    pollfd p{pair.b->fd(), POLLIN, 0};
    if (poll(&p, 1, 0) == 0) break;
  }
  items[0].revents = items[1].revents = 0;
  PollDescriptors(items, 1, std::chrono::seconds(5));
  EXPECT_EQ(items[0].revents, ZMQ_POLLOUT);
  // b hangs up: a sees it as an error (and, asking for input, as input).
  pair.b.reset();
  items[0] = {nullptr, pair.a->fd(), ZMQ_POLLIN, 0};
  PollDescriptors(items, 1, std::chrono::seconds(5));
  EXPECT_TRUE(items[0].revents & ZMQ_POLLIN);
  EXPECT_TRUE(items[0].revents & ZMQ_POLLERR);
}

}  // namespace
}  // namespace gale::transport
