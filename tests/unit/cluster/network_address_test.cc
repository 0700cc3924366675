// Which address the master and stream managers bind and advertise
// (cluster/network_address.h): the cluster file's keys, the route to the
// first ZooKeeper server when they are unset, never a wildcard advertised,
// and errors naming the key and the file. The route is a fake here; the
// real one (a connected UDP socket) is tested in
// tests/integration/transport/address_test.cc.

#include "cluster/network_address.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gale::cluster {
namespace {

// A route that records what it was asked and answers `address`.
struct FakeRoute {
  std::string address = "10.1.2.3";
  std::vector<std::string> asked{};
  RouteFn fn() {
    return [this](const std::string& host, int port) -> Result<std::string> {
      asked.push_back(host + ":" + std::to_string(port));
      if (address.empty()) return Unavailable("no route to '" + host + "': unreachable");
      return address;
    };
  }
};

ClusterConfig Parse(const std::string& text) {
  auto c = ParseClusterConfig(text, "cluster.yaml");
  EXPECT_TRUE(c.ok()) << c.status().message();
  return c.ok() ? *c : ClusterConfig{};
}

TEST(NetworkAddress, WithoutAClusterFileEverythingStaysOnLoopback) {
  FakeRoute route;
  auto a = ChooseNetworkAddress(ClusterConfig{}, route.fn());
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->bind, "127.0.0.1");
  EXPECT_EQ(a->advertise, "127.0.0.1");
  EXPECT_EQ(a->BindEndpoint(), "tcp://127.0.0.1:*");
  EXPECT_TRUE(route.asked.empty());
  // A cluster file with local state: one host, loopback too.
  a = ChooseNetworkAddress(Parse("package.store: /srv/p\n"), route.fn());
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->bind, "127.0.0.1");
  EXPECT_TRUE(route.asked.empty());
}

TEST(NetworkAddress, WithZooKeeperTheRouteToTheFirstServerIsBoundAndAdvertised) {
  FakeRoute route;
  auto a = ChooseNetworkAddress(
      Parse("state.manager: zookeeper\nzookeeper.connect: zk1.example:2181,zk2:2182\n"),
      route.fn());
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(route.asked, (std::vector<std::string>{"zk1.example:2181"}));
  EXPECT_EQ(a->bind, "10.1.2.3");
  EXPECT_EQ(a->advertise, "10.1.2.3");
  EXPECT_EQ(a->Advertised("tcp://10.1.2.3:40123"), "tcp://10.1.2.3:40123");

  // An IPv6 server in brackets is asked without them; the address it
  // routes from goes into the endpoint in brackets.
  FakeRoute v6{"fd00::5"};
  a = ChooseNetworkAddress(
      Parse("state.manager: zookeeper\nzookeeper.connect: '[fd00::1]:2181'\n"), v6.fn());
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(v6.asked, (std::vector<std::string>{"fd00::1:2181"}));
  EXPECT_EQ(a->BindEndpoint(), "tcp://[fd00::5]:*");
  EXPECT_EQ(a->Advertised("tcp://[fd00::5]:7"), "tcp://[fd00::5]:7");
}

TEST(NetworkAddress, AnExplicitBindAddressWinsAndIsAdvertised) {
  FakeRoute route;
  auto a = ChooseNetworkAddress(Parse("state.manager: zookeeper\nzookeeper.connect: zk:2181\n"
                                      "transport.bind.address: 192.168.7.9\n"),
                                route.fn());
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->bind, "192.168.7.9");
  EXPECT_EQ(a->advertise, "192.168.7.9");
  EXPECT_TRUE(route.asked.empty());
}

TEST(NetworkAddress, AWildcardBindAdvertisesAConcreteAddress) {
  FakeRoute route;
  auto a = ChooseNetworkAddress(Parse("state.manager: zookeeper\nzookeeper.connect: zk:2181\n"
                                      "transport.bind.address: 0.0.0.0\n"),
                                route.fn());
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->bind, "0.0.0.0");
  EXPECT_EQ(a->BindEndpoint(), "tcp://0.0.0.0:*");
  EXPECT_EQ(a->advertise, "10.1.2.3");
  // What ZeroMQ reads back for a wildcard socket becomes the routed address.
  EXPECT_EQ(a->Advertised("tcp://0.0.0.0:5555"), "tcp://10.1.2.3:5555");

  // Without ZooKeeper (one host) a wildcard advertises loopback.
  a = ChooseNetworkAddress(Parse("transport.bind.address: 0.0.0.0\n"), route.fn());
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->advertise, "127.0.0.1");
  a = ChooseNetworkAddress(Parse("transport.bind.address: '::'\n"), route.fn());
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->advertise, "::1");
  EXPECT_EQ(a->Advertised("tcp://[::]:9"), "tcp://[::1]:9");
  for (const char* wildcard : {"0.0.0.0", "::", "0:0::0"}) {
    EXPECT_TRUE(transport::IsWildcardAddress(wildcard)) << wildcard;
  }
  EXPECT_FALSE(transport::IsWildcardAddress("127.0.0.1"));
}

TEST(NetworkAddress, TheAdvertiseOverrideIsPublishedAsGiven) {
  FakeRoute route;
  auto a = ChooseNetworkAddress(Parse("transport.bind.address: 0.0.0.0\n"
                                      "transport.advertise.address: node-7.example.org\n"),
                                route.fn());
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->bind, "0.0.0.0");
  EXPECT_EQ(a->Advertised("tcp://0.0.0.0:4000"), "tcp://node-7.example.org:4000");
  EXPECT_TRUE(route.asked.empty());
}

TEST(NetworkAddress, NoRouteToZooKeeperNamesTheKeyAndTheFile) {
  FakeRoute none{""};
  auto a = ChooseNetworkAddress(
      Parse("state.manager: zookeeper\nzookeeper.connect: zk.invalid:2181\n"), none.fn());
  ASSERT_FALSE(a.ok());
  const std::string& m = a.status().message();
  EXPECT_NE(m.find("cluster.yaml"), std::string::npos) << m;
  EXPECT_NE(m.find("transport.bind.address is not set"), std::string::npos) << m;
  EXPECT_NE(m.find("zk.invalid:2181"), std::string::npos) << m;
  EXPECT_NE(m.find("unreachable"), std::string::npos) << m;

  a = ChooseNetworkAddress(Parse("state.manager: zookeeper\nzookeeper.connect: zk:2181\n"
                                 "transport.bind.address: 0.0.0.0\n"),
                           none.fn());
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("transport.advertise.address is not set"),
            std::string::npos)
      << a.status().message();
}

TEST(NetworkAddress, EndpointsPrintAsHostAndPort) {
  EXPECT_EQ(transport::HostPortOf("tcp://10.0.0.5:4711"), "10.0.0.5:4711");
  EXPECT_EQ(transport::HostPortOf("tcp://[fd00::5]:4711"), "[fd00::5]:4711");
  EXPECT_EQ(transport::HostPortOf("ipc:///x"), "ipc:///x");
}

}  // namespace
}  // namespace gale::cluster
