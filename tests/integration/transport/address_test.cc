// The host's own addresses as the kernel sees them (transport/address.h):
// the address that routes to a server (a connected UDP socket, nothing
// sent), whether an address can be bound here, and the check `gale submit`
// and each role run on the cluster file's address. The route to a
// non-loopback address is checked in tests/integration/cluster/
// network_namespace_test.cc, which owns such addresses.

#include "transport/address.h"

#include <gtest/gtest.h>

#include <string>

#include "cluster/network_address.h"

namespace gale::transport {
namespace {

TEST(RoutedAddress, ALoopbackServerIsReachedFromLoopback) {
  auto a = RoutedAddress("127.0.0.1", 2181);
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(*a, "127.0.0.1");
  a = RoutedAddress("localhost", 2181);
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_TRUE(*a == "127.0.0.1" || *a == "::1") << *a;
}

TEST(RoutedAddress, ANameThatDoesNotResolveIsAClearError) {
  auto a = RoutedAddress("no-such-host.invalid", 2181);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(a.status().message().find("cannot resolve 'no-such-host.invalid'"), std::string::npos)
      << a.status().message();
}

TEST(CheckBindable, OwnAddressesAndWildcardsBindOthersDoNot) {
  EXPECT_TRUE(CheckBindable("127.0.0.1").ok());
  EXPECT_TRUE(CheckBindable("0.0.0.0").ok());
  // 198.51.100.0/24 is TEST-NET-2: no host here has it.
  Status s = CheckBindable("198.51.100.77");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("not an address of this host"), std::string::npos) << s.message();
  EXPECT_FALSE(CheckBindable("host-1").ok());
}

TEST(ChooseUsableNetworkAddress, AnAddressOfAnotherHostIsRefusedNamingTheKeyAndTheFile) {
  auto config = cluster::ParseClusterConfig("transport.bind.address: 198.51.100.77\n", "c.yaml");
  ASSERT_TRUE(config.ok()) << config.status().message();
  auto a = cluster::ChooseUsableNetworkAddress(*config);
  ASSERT_FALSE(a.ok());
  const std::string& m = a.status().message();
  EXPECT_NE(m.find("cannot bind 198.51.100.77"), std::string::npos) << m;
  EXPECT_NE(m.find("transport.bind.address in c.yaml"), std::string::npos) << m;

  // ZooKeeper on loopback (a one-host setup): everything stays there.
  config = cluster::ParseClusterConfig(
      "state.manager: zookeeper\nzookeeper.connect: 127.0.0.1:2181\n", "c.yaml");
  ASSERT_TRUE(config.ok());
  a = cluster::ChooseUsableNetworkAddress(*config);
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->bind, "127.0.0.1");
  EXPECT_EQ(a->advertise, "127.0.0.1");
}

}  // namespace
}  // namespace gale::transport
