#include "cluster/network_address.h"

#include <sstream>

#include "common/parse.h"

namespace gale::cluster {
namespace {

std::string FileName(const ClusterConfig& config) {
  return config.file.empty() ? std::string("the cluster file") : config.file;
}

// The first host:port of zookeeper.connect (validated by the parser).
Result<std::pair<std::string, int>> FirstZooKeeperServer(const ClusterConfig& config) {
  std::stringstream list(config.zookeeper.connect);
  std::string server;
  std::getline(list, server, ',');
  auto colon = server.rfind(':');
  if (server.empty() || colon == std::string::npos || colon == 0) {
    return InvalidArgument(FileName(config) + ": zookeeper.connect '" +
                           config.zookeeper.connect + "' does not start with host:port");
  }
  std::string host = server.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  auto port = ParseInt(std::string_view(server).substr(colon + 1), 1, 65535, "port");
  if (!port.ok()) {
    return InvalidArgument(FileName(config) + ": zookeeper.connect '" + server +
                           "': the port must be a number in 1..65535");
  }
  return std::make_pair(host, static_cast<int>(*port));
}

// The address routing to the first ZooKeeper server; errors name `key`.
Result<std::string> RoutedToZooKeeper(const ClusterConfig& config, const RouteFn& route,
                                      const std::string& key) {
  auto server = FirstZooKeeperServer(config);
  if (!server.ok()) return server.status();
  auto routed = route(server->first, server->second);
  if (!routed.ok()) {
    return Status(ErrorCode::kUnavailable,
                  FileName(config) + ": " + key + " is not set, and the address of this host "
                  "that routes to ZooKeeper (" + server->first + ":" +
                  std::to_string(server->second) + ") cannot be found: " +
                  routed.status().message() + "; set " + key + " to an address of this host");
  }
  return routed;
}

bool UsesZooKeeper(const ClusterConfig& config) {
  return config.state_manager == StateManagerKind::kZooKeeper && !config.zookeeper.connect.empty();
}

}  // namespace

Result<transport::NetworkAddress> ChooseNetworkAddress(const ClusterConfig& config,
                                                       const RouteFn& route) {
  transport::NetworkAddress out;
  if (!config.transport_bind_address.empty()) {
    if (!transport::IsIpAddress(config.transport_bind_address)) {
      return InvalidArgument(FileName(config) + ": transport.bind.address '" +
                             config.transport_bind_address +
                             "' is not an IPv4 or IPv6 address");
    }
    out.bind = config.transport_bind_address;
  } else if (UsesZooKeeper(config)) {
    auto routed = RoutedToZooKeeper(config, route, "transport.bind.address");
    if (!routed.ok()) return routed.status();
    out.bind = *routed;
  } else {
    out.bind = "127.0.0.1";
  }
  if (!config.transport_advertise_address.empty()) {
    if (transport::IsWildcardAddress(config.transport_advertise_address)) {
      return InvalidArgument(FileName(config) + ": transport.advertise.address '" +
                             config.transport_advertise_address +
                             "' is a wildcard; name an address peers can connect to");
    }
    out.advertise = config.transport_advertise_address;
  } else if (!transport::IsWildcardAddress(out.bind)) {
    out.advertise = out.bind;
  } else if (UsesZooKeeper(config)) {
    auto routed = RoutedToZooKeeper(config, route, "transport.advertise.address");
    if (!routed.ok()) return routed.status();
    out.advertise = *routed;
  } else {
    out.advertise = out.bind == "0.0.0.0" ? "127.0.0.1" : "::1";
  }
  return out;
}

Result<transport::NetworkAddress> ChooseUsableNetworkAddress(const ClusterConfig& config) {
  auto chosen = ChooseNetworkAddress(config);
  if (!chosen.ok()) return chosen.status();
  Status bindable = transport::CheckBindable(chosen->bind);
  if (!bindable.ok()) {
    std::string source = config.transport_bind_address.empty()
                             ? "chosen as the route to ZooKeeper because transport.bind.address "
                               "is not set in " + FileName(config)
                             : "transport.bind.address in " + FileName(config);
    return Status(ErrorCode::kInvalidArgument,
                  bindable.message() + " (" + source + "); set transport.bind.address to an "
                  "address of this host, or 0.0.0.0");
  }
  return chosen;
}

}  // namespace gale::cluster
