#include "transport/curve.h"

#include <sys/random.h>

#include <cerrno>

#include <zmq.h>

namespace gale::transport {
namespace {

Status MakePair(std::string* public_key, std::string* secret_key) {
  char pub[records::kZ85KeyChars + 1];
  char sec[records::kZ85KeyChars + 1];
  if (zmq_curve_keypair(pub, sec) != 0) {
    return InternalError(std::string("cannot make a CURVE key pair: ") + zmq_strerror(zmq_errno()) +
                         " (libzmq built without CURVE?)");
  }
  *public_key = pub;
  *secret_key = sec;
  return Status::Ok();
}

}  // namespace

Result<records::CurveKeys> MakeCurveKeys() {
  records::CurveKeys keys;
  GALE_RETURN_IF_ERROR(MakePair(&keys.server_public, &keys.server_secret));
  GALE_RETURN_IF_ERROR(MakePair(&keys.client_public, &keys.client_secret));
  return keys;
}

Result<records::HttpToken> MakeHttpToken() {
  unsigned char bytes[records::kHttpTokenChars / 2];
  std::size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status(ErrorCode::kInternal, "getrandom failed for the HTTP token");
    got += static_cast<std::size_t>(n);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  records::HttpToken token;
  for (unsigned char b : bytes) {
    token.token.push_back(kHex[b >> 4]);
    token.token.push_back(kHex[b & 15]);
  }
  return token;
}

Result<std::string> DecodeZ85Key(std::string_view z85) {
  if (!records::IsZ85Key(z85)) return ProtocolError("not a 40-character Z85 key");
  std::string text(z85);
  std::string bytes(32, '\0');
  if (zmq_z85_decode(reinterpret_cast<std::uint8_t*>(bytes.data()), text.c_str()) == nullptr) {
    return ProtocolError("not a Z85 key");
  }
  return bytes;
}

void SecureClient(zmq::socket_t& socket, const records::CurveKeys& keys) {
  socket.set(zmq::sockopt::curve_serverkey, keys.server_public);
  socket.set(zmq::sockopt::curve_publickey, keys.client_public);
  socket.set(zmq::sockopt::curve_secretkey, keys.client_secret);
}

void SecureServer(zmq::socket_t& socket, const records::CurveKeys& keys) {
  socket.set(zmq::sockopt::curve_server, true);
  socket.set(zmq::sockopt::curve_secretkey, keys.server_secret);
}

}  // namespace gale::transport
