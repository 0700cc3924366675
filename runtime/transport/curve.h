#pragma once

// CURVE (ZeroMQ's CurveZMQ: Curve25519 key exchange, every message
// encrypted and authenticated) on the sockets between the processes of a
// submitted topology. `gale submit` makes one server and one client key pair
// per topology (records::CurveKeys, in the state manager, owner-only); every
// server socket is a CURVE server with the server pair whose ZAP handler
// (gatekeeper.h) admits only the client public key; every client socket
// knows the server public key and presents the client pair, so both ends
// authenticate each other. docs/architecture.md ("Transport security").

#include <string>
#include <string_view>

#include <zmq.hpp>

#include "common/status.h"
#include "records/state_records.h"

namespace gale::transport {

// A fresh server pair and client pair (zmq_curve_keypair); kInternal when
// libzmq was built without CURVE.
Result<records::CurveKeys> MakeCurveKeys();

// A fresh bearer token for the topology master's HTTP actions: 32 bytes
// from getrandom(2), as hex.
Result<records::HttpToken> MakeHttpToken();

// The 32 bytes of a Z85 key (records::IsZ85Key), or kProtocol.
Result<std::string> DecodeZ85Key(std::string_view z85);

// Makes `socket` a CURVE client of the topology's servers. Before connect.
void SecureClient(zmq::socket_t& socket, const records::CurveKeys& keys);

// Makes `socket` a CURVE server with the topology's server pair. Before
// bind; Gatekeeper::Guard calls it.
void SecureServer(zmq::socket_t& socket, const records::CurveKeys& keys);

}  // namespace gale::transport
