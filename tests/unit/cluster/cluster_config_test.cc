// The cluster file: every key parsed into ClusterConfig, defaults, and the
// errors for unknown keys and bad values (file, line, key, what to do).

#include "cluster/cluster_config.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <string>

#include "support/run_command.h"

namespace gale::cluster {
namespace {

// The error message of parsing `text`, or "" when it parsed.
std::string ErrorOf(const std::string& text) {
  auto c = ParseClusterConfig(text, "c.yaml");
  if (c.ok()) return "";
  EXPECT_EQ(c.status().code(), ErrorCode::kInvalidArgument);
  return c.status().message();
}

TEST(ClusterConfig, ParsesEveryKey) {
  auto c = ParseClusterConfig(R"(# a deployment
state.manager: zookeeper
state.root: /var/lib/gale
zookeeper.connect: zk1:2181,zk2:2182,[::1]:2183
zookeeper.root: /streams/gale
zookeeper.session.timeout.ms: 6000
zookeeper.connect.timeout.ms: 2500
scheduler: slurm
slurm.partition: batch
slurm.args: [--account=stream, "--time=1:00:00"]
package.store: /shared/gale/packages
transport.bind.address: 10.0.0.5
transport.advertise.address: gw-1.example.org
)",
                              "c.yaml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->file, "c.yaml");
  EXPECT_EQ(c->state_manager, StateManagerKind::kZooKeeper);
  EXPECT_EQ(c->state_root, "/var/lib/gale");
  EXPECT_EQ(c->zookeeper.connect, "zk1:2181,zk2:2182,[::1]:2183");
  EXPECT_EQ(c->zookeeper.root, "/streams/gale");
  EXPECT_EQ(c->zookeeper.session_timeout_ms, 6000);
  EXPECT_EQ(c->zookeeper.connect_timeout_ms, 2500);
  EXPECT_EQ(c->scheduler, SchedulerKind::kSlurm);
  EXPECT_EQ(c->slurm_partition, "batch");
  EXPECT_EQ(c->slurm_args, (std::vector<std::string>{"--account=stream", "--time=1:00:00"}));
  EXPECT_EQ(c->package_store, "/shared/gale/packages");
  EXPECT_EQ(c->transport_bind_address, "10.0.0.5");
  EXPECT_EQ(c->transport_advertise_address, "gw-1.example.org");

  auto one_string = ParseClusterConfig("slurm.args: --exclusive  --qos=high\n", "c.yaml");
  ASSERT_TRUE(one_string.ok()) << one_string.status().message();
  EXPECT_EQ(one_string->slurm_args, (std::vector<std::string>{"--exclusive", "--qos=high"}));
}

TEST(ClusterConfig, AnEmptyFileKeepsTodaysBehaviour) {
  for (const char* text : {"", "# nothing yet\n"}) {
    auto c = ParseClusterConfig(text, "c.yaml");
    ASSERT_TRUE(c.ok()) << c.status().message();
    EXPECT_EQ(c->state_manager, StateManagerKind::kLocalFs);
    EXPECT_EQ(c->scheduler, SchedulerKind::kLocal);
    EXPECT_EQ(c->zookeeper.root, "/gale");
    EXPECT_EQ(c->zookeeper.session_timeout_ms, 10000);
    state::StateOptions o = StateOptionsOf(*c, "/tmp/st");
    EXPECT_EQ(o.root, "/tmp/st");
    EXPECT_FALSE(o.zookeeper.has_value());
  }
}

TEST(ClusterConfig, UnknownKeysAreRefusedWithTheirLineAndASuggestion) {
  std::string e = ErrorOf("state.manager: zookeeper\nzookeeper.conect: a:1\n");
  EXPECT_NE(e.find("c.yaml:2:1: unknown key 'zookeeper.conect'"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean 'zookeeper.connect'"), std::string::npos) << e;
  e = ErrorOf("state:\n  manager: zookeeper\n");
  EXPECT_NE(e.find("unknown key 'state'"), std::string::npos) << e;
  EXPECT_NE(e.find("keys are flat"), std::string::npos) << e;
  e = ErrorOf("scheduler: local\nscheduler: local\n");
  EXPECT_NE(e.find("c.yaml:2:1: key 'scheduler' appears twice"), std::string::npos) << e;
  e = ErrorOf("- state.manager\n");
  EXPECT_NE(e.find("a cluster file is a map of keys"), std::string::npos) << e;
  e = ErrorOf("state.manager: [zookeeper\n");
  EXPECT_NE(e.find("not valid YAML"), std::string::npos) << e;
}

TEST(ClusterConfig, BadValuesAreRefused) {
  struct Case {
    std::string text, expected;
  };
  for (const Case& c : std::vector<Case>{
           {"state.manager: zk\n", "c.yaml:1:16: state.manager: 'zk' is not localfs or zookeeper"},
           {"state.manager: zookeeper\n", "zookeeper.connect is not set"},
           {"state.manager: zookeeper\nzookeeper.connect: zk1\n", "not host:port"},
           {"zookeeper.connect: zk1:99999\n", "the port must be a number in 1..65535"},
           {"zookeeper.connect: 'zk 1:2181'\n", "with a ' ' in it"},
           {"zookeeper.connect: a:1,\n", "ends with ','"},
           {"zookeeper.root: gale\n", "must be an absolute path"},
           {"zookeeper.root: /gale/\n", "must not end with '/'"},
           {"zookeeper.root: /a/../b\n", "has the component '..'"},
           {"zookeeper.root: /zookeeper/x\n", "which ZooKeeper reserves"},
           {"zookeeper.session.timeout.ms: 10\n", "in range 1000..600000"},
           {"zookeeper.session.timeout.ms: ten\n", "an integer"},
           {"zookeeper.connect.timeout.ms: [1]\n", "must be a single value"},
           {"scheduler: kubernetes\n", "'kubernetes' is not local or slurm"},
           {"slurm.partition: 'a b'\n", "must be one partition name"},
           {"slurm.args: [[x]]\n", "each argument must be a string"},
           {"package.store: packages\n", "'packages' is not an absolute path"},
           {"state.root: ./state\n", "is not an absolute path"},
           {"transport.bind.address: host-1\n",
            "c.yaml:1:25: transport.bind.address 'host-1' is not an IPv4 or IPv6 address"},
           {"transport.bind.address: 10.0.0.256\n", "is not an IPv4 or IPv6 address"},
           {"transport.bind.address: [10.0.0.5]\n",
            "transport.bind.address must be a single value"},
           {"transport.advertise.address: 0.0.0.0\n",
            "c.yaml:1:30: transport.advertise.address '0.0.0.0' is a wildcard"},
           {"transport.advertise.address: '::'\n", "is a wildcard"},
           {"transport.advertise.address: 'a b'\n", "is not an IP address or a host name"},
           {"transport.advertise.address: ''\n", "is not an IP address or a host name"},
           {"zookeeper.auth: alice\n", "must be 'user:password'"},
           {"zookeeper.auth: ':pw'\n", "must be 'user:password'"},
           {"zookeeper.auth: 'alice:'\n", "must be 'user:password'"},
           {"zookeeper.auth: \"a:\\tb\"\n", "must not contain control characters"},
       }) {
    std::string e = ErrorOf(c.text);
    EXPECT_NE(e.find(c.expected), std::string::npos) << c.text << " -> " << e;
  }
}

// zookeeper.auth is a secret: its value never appears in an error, and a
// cluster file holding it must be readable by its owner only.
TEST(ClusterConfig, AuthIsKeptSecret) {
  std::string e = ErrorOf("zookeeper.auth: hunter2\n");
  EXPECT_NE(e.find("zookeeper.auth"), std::string::npos) << e;
  EXPECT_EQ(e.find("hunter2"), std::string::npos) << e;

  testing::ScratchDir dir;
  std::string file = dir.Write("auth.yaml", "zookeeper.auth: alice:pw-1\n");
  ASSERT_EQ(::chmod(file.c_str(), 0644), 0);
  auto shared = LoadClusterConfig(file);
  ASSERT_FALSE(shared.ok());
  EXPECT_NE(shared.status().message().find("other users can read it; run 'chmod 600 " + file),
            std::string::npos)
      << shared.status().message();
  ASSERT_EQ(::chmod(file.c_str(), 0600), 0);
  auto mine = LoadClusterConfig(file);
  ASSERT_TRUE(mine.ok()) << mine.status().message();
  EXPECT_EQ(mine->zookeeper.auth, "alice:pw-1");
  EXPECT_EQ(StateOptionsOf(*mine, "/tmp/x").zookeeper.has_value(), false);  // localfs
  // Without auth the mode does not matter.
  std::string plain = dir.Write("plain.yaml", "zookeeper.root: /g\n");
  ASSERT_EQ(::chmod(plain.c_str(), 0644), 0);
  EXPECT_TRUE(LoadClusterConfig(plain).ok());
}

TEST(ClusterConfig, SlurmNeedsZooKeeperStateAndASharedPackageStore) {
  auto local = ParseClusterConfig("scheduler: slurm\nslurm.partition: debug\n", "/etc/gale.yaml");
  ASSERT_FALSE(local.ok());
  EXPECT_NE(local.status().message().find("/etc/gale.yaml: scheduler: slurm needs "
                                          "'state.manager: zookeeper'"),
            std::string::npos)
      << local.status().message();
  auto no_store = ParseClusterConfig(
      "scheduler: slurm\nstate.manager: zookeeper\nzookeeper.connect: zk:2181\n", "g.yaml");
  ASSERT_FALSE(no_store.ok());
  EXPECT_NE(no_store.status().message().find("needs package.store"), std::string::npos)
      << no_store.status().message();
  auto c = ParseClusterConfig(
      "scheduler: slurm\nstate.manager: zookeeper\nzookeeper.connect: zk:2181\n"
      "package.store: /shared/p\nslurm.partition: debug\nslurm.args: [--account=a, --qos=q]\n",
      "g.yaml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->scheduler, SchedulerKind::kSlurm);
  EXPECT_EQ(c->slurm_partition, "debug");
  EXPECT_EQ(c->slurm_args, (std::vector<std::string>{"--account=a", "--qos=q"}));
}

TEST(ClusterConfig, TheFlagWinsOverGaleClusterWhichWinsOverNothing) {
  testing::ScratchDir dir;
  std::string from_env = dir.Write("env.yaml", "state.manager: zookeeper\nzookeeper.connect: e:1\n");
  std::string from_flag = dir.Write("flag.yaml", "state.root: /srv/gale\n");
  const char* saved = std::getenv("GALE_CLUSTER");
  std::string saved_value = saved != nullptr ? saved : "";

  ::unsetenv("GALE_CLUSTER");
  auto none = ResolveClusterConfig("");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->file, "");
  EXPECT_EQ(none->state_manager, StateManagerKind::kLocalFs);

  ::setenv("GALE_CLUSTER", from_env.c_str(), 1);
  auto env = ResolveClusterConfig("");
  ASSERT_TRUE(env.ok()) << env.status().message();
  EXPECT_EQ(env->file, from_env);
  EXPECT_EQ(env->zookeeper.connect, "e:1");
  state::StateOptions o = StateOptionsOf(*env, "");
  ASSERT_TRUE(o.zookeeper.has_value());
  EXPECT_EQ(o.zookeeper->connect, "e:1");
  EXPECT_EQ(o.cluster_file, from_env);
  EXPECT_EQ(o.ChildArgs(), (std::vector<std::string>{"--cluster", from_env, "--state-dir", o.root}));

  auto flag = ResolveClusterConfig(from_flag);
  ASSERT_TRUE(flag.ok()) << flag.status().message();
  EXPECT_EQ(flag->file, from_flag);
  EXPECT_EQ(StateOptionsOf(*flag, "").root, "/srv/gale");         // state.root
  EXPECT_EQ(StateOptionsOf(*flag, "/tmp/x").root, "/tmp/x");      // --state-dir wins

  ::setenv("GALE_CLUSTER", dir.Join("missing.yaml").c_str(), 1);
  auto missing = ResolveClusterConfig("");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("cannot read the cluster file"), std::string::npos);

  if (saved != nullptr) {
    ::setenv("GALE_CLUSTER", saved_value.c_str(), 1);
  } else {
    ::unsetenv("GALE_CLUSTER");
  }
}

}  // namespace
}  // namespace gale::cluster
