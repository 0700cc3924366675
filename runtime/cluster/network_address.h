#pragma once

// Which address the topology master and the stream managers of this host
// bind and which they advertise (transport/address.h), from the cluster
// file:
//
//   bind       transport.bind.address; unset: with state.manager: zookeeper
//              the address of this host's interface that routes to the first
//              ZooKeeper server of zookeeper.connect; else 127.0.0.1 (one
//              host, as without a cluster file).
//   advertise  transport.advertise.address; unset: the bind address, or for
//              a wildcard bind (0.0.0.0, ::) the routed address as above
//              (with localfs state: loopback, as everything runs on one host).
//
// Errors name the key and the cluster file.

#include <functional>
#include <string>

#include "cluster/cluster_config.h"
#include "common/status.h"
#include "transport/address.h"

namespace gale::cluster {

// How the address that routes to a server is found (transport::RoutedAddress;
// tests pass their own).
using RouteFn = std::function<Result<std::string>(const std::string& host, int port)>;

Result<transport::NetworkAddress> ChooseNetworkAddress(
    const ClusterConfig& config, const RouteFn& route = transport::RoutedAddress);

// ChooseNetworkAddress, then checks that this host can bind the address
// (transport::CheckBindable): what `gale submit` runs before it starts
// anything on this host, and each role before it binds.
Result<transport::NetworkAddress> ChooseUsableNetworkAddress(const ClusterConfig& config);

}  // namespace gale::cluster
