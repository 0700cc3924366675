#pragma once

// Where a process's TCP server sockets (the topology master's control
// socket, each stream manager's data socket) bind, and the endpoint they
// advertise through the state manager for peers and the CLI to connect to.
// Ports are always chosen by the kernel at bind time ("tcp://ADDR:*"); the
// advertised endpoint is the bound port at the advertised address, which is
// never a wildcard: a socket bound to 0.0.0.0 advertises a concrete address
// of this host (cluster::ChooseNetworkAddress picks it).
//
// Instances reach their stream manager over a private Unix socket; only
// the sockets named above use this.

#include <string>

#include "common/status.h"

namespace gale::transport {

struct NetworkAddress {
  std::string bind = "127.0.0.1";       // an IPv4 or IPv6 address of this host, or a wildcard
  std::string advertise = "127.0.0.1";  // an address or DNS name others reach this host by

  // "tcp://<bind>:*" (an IPv6 address in brackets).
  std::string BindEndpoint() const;
  // The endpoint to publish for a socket bound at `bound` (as LastEndpoint
  // reads it back, "tcp://0.0.0.0:4711"): the same port at `advertise`.
  std::string Advertised(const std::string& bound) const;
};

// Whether `address` is 0.0.0.0 or :: (every interface).
bool IsWildcardAddress(const std::string& address);
// Whether `address` is an IPv4 or IPv6 address in text form.
bool IsIpAddress(const std::string& address);

// The address of this host's interface that routes to `host`:`port` (a name
// or an address): a UDP socket is connected there and asked for its local
// address. Nothing is sent. kUnavailable when `host` does not resolve or
// no route leads to it.
Result<std::string> RoutedAddress(const std::string& host, int port);

// Whether a TCP socket can bind `address` on this host (any port); the
// error says why not (EADDRNOTAVAIL: not an address of this host).
Status CheckBindable(const std::string& address);

// "host:port" of a "tcp://host:port" endpoint (IPv6 hosts keep their
// brackets); other text is returned as it is.
std::string HostPortOf(const std::string& endpoint);

}  // namespace gale::transport
