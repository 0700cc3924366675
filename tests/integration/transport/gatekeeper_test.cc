// Server sockets guarded by a transport::Gatekeeper, with real ZeroMQ
// clients over loopback TCP: with CURVE only the topology's client key gets
// a message through, a client with another key or without keys delivers
// nothing; with CURVE off plain clients get in; no socket takes more than
// its bound of connections; a message over kMaxMessageBytes is dropped with
// its connection.

#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <zmq.hpp>

#include "support/handshake_probe.h"
#include "transport/curve.h"
#include "transport/gatekeeper.h"
#include "transport/zmq_util.h"

namespace gale::transport {
namespace {

using gale::testing::HandshakeProbe;
using Outcome = HandshakeProbe::Outcome;
using namespace std::chrono_literals;

// Clients live in their own context, as another process's would.
zmq::context_t& ClientContext() {
  static zmq::context_t* context = new zmq::context_t(1);
  return *context;
}

zmq::socket_t Client(const std::optional<records::CurveKeys>& keys) {
  zmq::socket_t s(ClientContext(), zmq::socket_type::push);
  s.set(zmq::sockopt::linger, 0);
  s.set(zmq::sockopt::reconnect_ivl, 50);
  if (keys) SecureClient(s, *keys);
  return s;
}

// The next message on `server` within `limit`, or nullopt.
std::optional<std::string> Receive(zmq::socket_t& server, std::chrono::milliseconds limit) {
  zmq::pollitem_t item{static_cast<void*>(server), 0, ZMQ_POLLIN, 0};
  Poll(&item, 1, limit);
  return TryRecv(server);
}

struct GuardedServer {
  GuardedServer(std::optional<records::CurveKeys> keys, std::size_t max_connections) {
    auto made = Gatekeeper::Create(keys, "test");
    EXPECT_TRUE(made.ok()) << made.status().message();
    gatekeeper = std::move(made).value();
    Status s = gatekeeper->Guard(socket, {"data", keys.has_value(), max_connections});
    EXPECT_TRUE(s.ok()) << s.message();
    gatekeeper->Start();
    socket.bind("tcp://127.0.0.1:*");
    endpoint = LastEndpoint(socket);
  }
  // Declared first: the gatekeeper outlives the socket it guards.
  std::unique_ptr<Gatekeeper> gatekeeper;
  zmq::socket_t socket = MakeSocket(zmq::socket_type::pull);
  std::string endpoint;
};

records::CurveKeys Keys() {
  auto keys = MakeCurveKeys();
  EXPECT_TRUE(keys.ok()) << keys.status().message();
  return *keys;
}

TEST(Gatekeeper, CurveAdmitsOnlyTheTopologysClientKey) {
  records::CurveKeys keys = Keys();
  GuardedServer server(keys, 16);

  zmq::socket_t good = Client(keys);
  HandshakeProbe good_probe(ClientContext(), good);
  good.connect(server.endpoint);
  ASSERT_EQ(good_probe.Wait(10s), Outcome::kSucceeded);
  ASSERT_TRUE(TrySend(good, "good"));
  EXPECT_EQ(Receive(server.socket, 10s), std::optional<std::string>("good"));

  // Another client pair, knowing the server's public key.
  records::CurveKeys other = Keys();
  other.server_public = keys.server_public;
  zmq::socket_t forged = Client(other);
  HandshakeProbe forged_probe(ClientContext(), forged);
  forged.connect(server.endpoint);
  (void)TrySend(forged, "forged");  // queued; goes only after a handshake
  std::uint32_t status = 0;
  ASSERT_EQ(forged_probe.Wait(10s, &status), Outcome::kFailed);
  EXPECT_EQ(status, 400u);

  zmq::socket_t plain = Client(std::nullopt);
  HandshakeProbe plain_probe(ClientContext(), plain);
  plain.connect(server.endpoint);
  (void)TrySend(plain, "plain");
  ASSERT_EQ(plain_probe.Wait(10s), Outcome::kFailed);

  // Neither got anything through: the next message is the good client's.
  ASSERT_TRUE(TrySend(good, "again"));
  EXPECT_EQ(Receive(server.socket, 10s), std::optional<std::string>("again"));
  EXPECT_EQ(Receive(server.socket, 0ms), std::nullopt);
  // Both were counted: the forged key by the ZAP handler, the plain client
  // by the failed handshake the socket's monitor reports.
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (server.gatekeeper->refused() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(server.gatekeeper->refused(), 2u);
  EXPECT_GE(server.gatekeeper->admitted(), 1u);
}

TEST(Gatekeeper, WithCurveOffPlainClientsGetIn) {
  GuardedServer server(std::nullopt, 16);
  zmq::socket_t plain = Client(std::nullopt);
  HandshakeProbe probe(ClientContext(), plain);
  plain.connect(server.endpoint);
  ASSERT_EQ(probe.Wait(10s), Outcome::kSucceeded);
  ASSERT_TRUE(TrySend(plain, "plain"));
  EXPECT_EQ(Receive(server.socket, 10s), std::optional<std::string>("plain"));
  EXPECT_EQ(server.gatekeeper->admitted(), 1u);  // consulted, with curve off too
}

TEST(Gatekeeper, RefusesConnectionsAboveTheBoundUntilOneCloses) {
  records::CurveKeys keys = Keys();
  GuardedServer server(keys, 2);
  std::optional<zmq::socket_t> first = Client(keys);
  zmq::socket_t second = Client(keys);
  for (auto* c : {&*first, &second}) {
    HandshakeProbe probe(ClientContext(), *c);
    c->connect(server.endpoint);
    ASSERT_EQ(probe.Wait(10s), Outcome::kSucceeded);
  }
  zmq::socket_t third = Client(keys);
  HandshakeProbe probe(ClientContext(), third);
  third.connect(server.endpoint);
  (void)TrySend(third, "third");
  // Refused as a temporary failure (ZAP 300): libzmq lets the handshake
  // lapse (kHandshakeTimeout) and the client then reconnects.
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (server.gatekeeper->refused() < 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_EQ(server.gatekeeper->refused(), 1u);
  EXPECT_EQ(Receive(server.socket, 0ms), std::nullopt);
  first.reset();  // one slot frees; the reconnection gets in
  EXPECT_EQ(Receive(server.socket, kHandshakeTimeout + 20s), std::optional<std::string>("third"));
}

TEST(Gatekeeper, AMessageOverTheLimitIsDroppedWithItsConnection) {
  GuardedServer server(std::nullopt, 16);
  zmq::socket_t client = Client(std::nullopt);
  HandshakeProbe probe(ClientContext(), client);
  client.connect(server.endpoint);
  ASSERT_EQ(probe.Wait(10s), Outcome::kSucceeded);
  std::string largest(static_cast<std::size_t>(kMaxMessageBytes), 'a');
  ASSERT_TRUE(TrySend(client, largest));
  auto got = Receive(server.socket, 20s);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->size(), largest.size());

  ASSERT_TRUE(TrySend(client, largest + "b"));
  ASSERT_EQ(probe.Wait(20s), Outcome::kFailed);     // the server hung up
  ASSERT_EQ(probe.Wait(20s), Outcome::kSucceeded);  // and the client came back
  ASSERT_TRUE(TrySend(client, "after"));
  EXPECT_EQ(Receive(server.socket, 10s), std::optional<std::string>("after"));
}

TEST(Gatekeeper, OnePerProcess) {
  auto first = Gatekeeper::Create(std::nullopt, "test");
  ASSERT_TRUE(first.ok()) << first.status().message();
  auto second = Gatekeeper::Create(std::nullopt, "test");
  EXPECT_FALSE(second.ok());
}

}  // namespace
}  // namespace gale::transport
