#include "transport/address.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gale::transport {
namespace {

bool IsIpv6(const std::string& address) {
  in6_addr a6{};
  return inet_pton(AF_INET6, address.c_str(), &a6) == 1;
}

// An address for an endpoint: IPv6 in brackets.
std::string Bracketed(const std::string& address) {
  return IsIpv6(address) ? "[" + address + "]" : address;
}

// Closes a descriptor when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string AddressText(const sockaddr_storage& ss) {
  char text[INET6_ADDRSTRLEN] = {};
  const auto& v6 = reinterpret_cast<const sockaddr_in6&>(ss);
  const auto& v4 = reinterpret_cast<const sockaddr_in&>(ss);
  const void* raw = ss.ss_family == AF_INET6 ? static_cast<const void*>(&v6.sin6_addr)
                                             : static_cast<const void*>(&v4.sin_addr);
  if (inet_ntop(ss.ss_family, raw, text, sizeof text) == nullptr) return "";
  return text;
}

}  // namespace

std::string NetworkAddress::BindEndpoint() const { return "tcp://" + Bracketed(bind) + ":*"; }

std::string NetworkAddress::Advertised(const std::string& bound) const {
  auto colon = bound.rfind(':');
  std::string port = colon == std::string::npos ? std::string() : bound.substr(colon + 1);
  return "tcp://" + Bracketed(advertise) + ":" + port;
}

bool IsWildcardAddress(const std::string& address) {
  if (address == "0.0.0.0") return true;
  in6_addr a6{};
  return inet_pton(AF_INET6, address.c_str(), &a6) == 1 && IN6_IS_ADDR_UNSPECIFIED(&a6);
}

bool IsIpAddress(const std::string& address) {
  in_addr a4{};
  return inet_pton(AF_INET, address.c_str(), &a4) == 1 || IsIpv6(address);
}

Result<std::string> RoutedAddress(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
  if (rc != 0) {
    return Status(ErrorCode::kUnavailable,
                  "cannot resolve '" + host + "': " + ::gai_strerror(rc));
  }
  std::string why = "no address";
  std::string routed;
  for (addrinfo* a = found; a != nullptr && routed.empty(); a = a->ai_next) {
    Fd fd(::socket(a->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (fd.get() < 0) {
      why = std::strerror(errno);
      continue;
    }
    // Connecting a UDP socket only picks the route and the local address.
    if (::connect(fd.get(), a->ai_addr, a->ai_addrlen) != 0) {
      why = std::strerror(errno);
      continue;
    }
    sockaddr_storage local{};
    socklen_t len = sizeof local;
    if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&local), &len) != 0) {
      why = std::strerror(errno);
      continue;
    }
    routed = AddressText(local);
  }
  ::freeaddrinfo(found);
  if (routed.empty()) {
    return Status(ErrorCode::kUnavailable, "no route to '" + host + "': " + why);
  }
  return routed;
}

Status CheckBindable(const std::string& address) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    len = sizeof *v4;
  } else if (inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    len = sizeof *v6;
  } else {
    return InvalidArgument("'" + address + "' is not an IPv4 or IPv6 address");
  }
  Fd fd(::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return IoError(std::string("cannot open a socket: ") + std::strerror(errno));
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    int err = errno;
    std::string why = std::strerror(err);
    if (err == EADDRNOTAVAIL) why = "it is not an address of this host (" + why + ")";
    return Status(ErrorCode::kUnavailable, "cannot bind " + address + ": " + why);
  }
  return Status::Ok();
}

std::string HostPortOf(const std::string& endpoint) {
  constexpr std::string_view kTcp = "tcp://";
  if (endpoint.compare(0, kTcp.size(), kTcp) == 0) return endpoint.substr(kTcp.size());
  return endpoint;
}

}  // namespace gale::transport
