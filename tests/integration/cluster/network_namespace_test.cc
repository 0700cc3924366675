// A topology on "another host": every process of it runs in a private
// network namespace (support/network_namespace.h) whose only addresses are
// loopback and one end of a veth pair, and the cluster file binds the
// master and stream managers to that non-loopback address. Checked: the
// bounded word count completes exactly; `gale status --json` shows each
// process's host and the master's and stream managers' endpoints at that
// address; the CLI in the root namespace (a second host) reaches the master
// by its advertised endpoint; a stranger there, without the topology's keys
// or with keys of its own, is refused by the master and by each stream
// manager exactly as on loopback (hostile_transport_test.cc). A wildcard
// bind (0.0.0.0) with transport.advertise.address advertises that address.

#include <unistd.h>

#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <zmq.hpp>

#include "common/process.h"
#include "records/control.h"
#include "records/state_records.h"
#include "support/gale_cluster.h"
#include "support/handshake_probe.h"
#include "support/network_namespace.h"
#include "support/word_count.h"
#include "transport/address.h"
#include "transport/curve.h"

namespace gale {
namespace {

using testing::HandshakeProbe;
using testing::NetworkNamespace;
using testing::ReadFile;
using testing::ReadLines;
using testing::ScratchDir;
using Outcome = HandshakeProbe::Outcome;

const std::string kGale = GALE_BIN;
// The server's handshake timeout is 10 s; waiting ends at the first outcome.
constexpr std::chrono::seconds kHandshakeWait{60};

// A bounded word count over two containers and its expected counts.
struct WordCount {
  std::string yaml;
  std::map<std::string, std::int64_t> reference;
};

WordCount MakeWordCount(const ScratchDir& dir, const std::string& name) {
  testing::WordCountInput in = testing::RandomLines(23, 2000, 8, "w", 60);
  return {testing::FileWordCountYaml(name, dir.Write(name + ".txt", in.text),
                                     dir.Join(name + "-counts-{task}.tsv"), 2),
          std::move(in.reference)};
}

std::map<std::string, std::int64_t> Counts(const ScratchDir& dir, const std::string& name) {
  return testing::SinkCounts(dir, name + "-counts-");
}

// "role":"R" processes of `gale status --json`: each one's JSON object.
std::vector<std::string> ProcessesOf(const std::string& json, const std::string& role) {
  std::vector<std::string> out;
  std::regex re("\\{\"role\":\"" + role + "\"[^}]*\\}");
  for (auto it = std::sregex_iterator(json.begin(), json.end(), re); it != std::sregex_iterator();
       ++it) {
    out.push_back(it->str());
  }
  return out;
}

std::string Field(const std::string& object, const std::string& field) {
  std::smatch m;
  std::regex re("\"" + field + "\":\"([^\"]*)\"");
  return std::regex_search(object, m, re) ? m[1].str() : "";
}

// The advertised endpoints: the master's alive entry and each stream
// manager's in the physical plan.
std::vector<std::string> Endpoints(const testing::Cluster& cluster, const std::string& name) {
  std::vector<std::string> out;
  std::smatch m;
  std::string master = ReadFile(cluster.TopologyDir(name) + "/alive/tmaster");
  if (std::regex_search(master, m, std::regex("endpoint=(\\S+)"))) out.push_back(m[1]);
  std::string physical = ReadFile(cluster.TopologyDir(name) + "/physical");
  std::regex re("stmgr=\\d+ (\\S+) \\d+");
  for (auto it = std::sregex_iterator(physical.begin(), physical.end(), re);
       it != std::sregex_iterator(); ++it) {
    out.push_back((*it)[1]);
  }
  return out;
}

// Checks the status of a running topology served at `address`.
void ExpectStatusAt(const testing::Cluster& cluster, const std::string& name,
                    const std::string& address) {
  auto status = cluster.Gale("status " + name + " --json");
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const std::string host = HostName();
  std::vector<std::string> served = ProcessesOf(status.out, "tmaster");
  for (const std::string& s : ProcessesOf(status.out, "stmgr")) served.push_back(s);
  ASSERT_EQ(served.size(), 3u) << status.out;
  for (const std::string& p : served) {
    EXPECT_EQ(Field(p, "host"), host) << p;
    std::string endpoint = Field(p, "endpoint");
    EXPECT_EQ(endpoint.rfind(address + ":", 0), 0u) << p;
    EXPECT_NE(p.find("\"alive\":true"), std::string::npos) << p;
  }
  for (const char* role : {"executor", "instance"}) {
    std::vector<std::string> others = ProcessesOf(status.out, role);
    ASSERT_FALSE(others.empty()) << role << "\n" << status.out;
    for (const std::string& p : others) {
      EXPECT_EQ(Field(p, "host"), host) << p;
      EXPECT_EQ(p.find("\"endpoint\""), std::string::npos)
          << "only the master and stream managers serve: " << p;
    }
  }
}

TEST(NetworkNamespace, ATopologyBoundToANonLoopbackAddressRunsAndRefusesStrangers) {
  ScratchDir dir;
  NetworkNamespace host(dir);
  // The root namespace reaches the other host from its end of the pair.
  auto routed = transport::RoutedAddress(host.there(), 2181);
  ASSERT_TRUE(routed.ok()) << routed.status().message();
  EXPECT_EQ(*routed, host.here());

  const std::string cluster_file =
      dir.Write("cluster.yaml", "transport.bind.address: " + host.there() + "\n");
  // `inside` runs gale on the other host; `outside` is a CLI on this one,
  // with the same state directory.
  testing::Cluster inside(host.Prefix() + kGale + " --cluster " + cluster_file, dir);
  testing::Cluster outside(kGale, dir);
  WordCount wc = MakeWordCount(dir, "netwc");
  inside.Track("netwc");
  auto submit = inside.Gale("submit " + dir.Write("netwc.yaml", wc.yaml));
  ASSERT_EQ(submit.exit_code, 0) << submit.err;
  ExpectStatusAt(inside, "netwc", host.there());

  // Another host's CLI reaches the master at its advertised endpoint.
  auto deactivate = outside.Gale("deactivate netwc");
  ASSERT_EQ(deactivate.exit_code, 0) << deactivate.err;

  const std::vector<std::string> endpoints = Endpoints(inside, "netwc");
  ASSERT_EQ(endpoints.size(), 3u);
  auto own = transport::MakeCurveKeys();
  ASSERT_TRUE(own.ok()) << own.status().message();
  auto keys = records::DecodeRecord<records::CurveKeys>(
      ReadFile(inside.TopologyDir("netwc") + "/keys"));
  ASSERT_TRUE(keys.ok()) << keys.status().message();
  records::CurveKeys wrong = *own;
  wrong.server_public = keys->server_public;
  zmq::context_t context;
  for (const std::optional<records::CurveKeys>& stranger :
       {std::optional<records::CurveKeys>(), std::optional<records::CurveKeys>(wrong)}) {
    SCOPED_TRACE(stranger ? "own keys" : "no keys");
    for (std::size_t i = 0; i < endpoints.size(); ++i) {
      const std::string& endpoint = endpoints[i];
      EXPECT_EQ(endpoint.rfind("tcp://" + host.there() + ":", 0), 0u) << endpoint;
      // The socket types the master and the stream managers expect: only
      // the keys are wrong.
      zmq::socket_t s(context, i == 0 ? zmq::socket_type::dealer : zmq::socket_type::push);
      s.set(zmq::sockopt::linger, 0);
      if (stranger) transport::SecureClient(s, *stranger);
      HandshakeProbe probe(context, s);
      s.connect(endpoint);
      const std::string bytes = records::Encode(records::Request{"activate"});
      (void)s.send(zmq::buffer(bytes), zmq::send_flags::dontwait);
      EXPECT_EQ(probe.Wait(kHandshakeWait), Outcome::kFailed) << endpoint;
    }
  }
  EXPECT_NE(ReadFile(inside.TopologyDir("netwc") + "/activation").find("active=0"),
            std::string::npos)
      << "a stranger's activate got through";

  auto activate = outside.Gale("activate netwc");
  ASSERT_EQ(activate.exit_code, 0) << activate.err;
  auto wait = inside.Gale("wait netwc --timeout 120");
  ASSERT_EQ(wait.exit_code, 0) << wait.err << inside.Gale("status netwc").out;
  std::string master_log = ReadFile(inside.TopologyDir("netwc") + "/logs/tmaster.log");
  auto kill = inside.Gale("kill netwc");
  ASSERT_EQ(kill.exit_code, 0) << kill.err;
  EXPECT_EQ(Counts(dir, "netwc"), wc.reference);
  EXPECT_NE(master_log.find("refused a connection to 'tmaster'"), std::string::npos)
      << master_log;
}

TEST(NetworkNamespace, AWildcardBindAdvertisesTheConfiguredAddress) {
  ScratchDir dir;
  NetworkNamespace host(dir);
  const std::string cluster_file =
      dir.Write("cluster.yaml", "transport.bind.address: 0.0.0.0\n"
                                "transport.advertise.address: " + host.there() + "\n");
  testing::Cluster inside(host.Prefix() + kGale + " --cluster " + cluster_file, dir);
  testing::Cluster outside(kGale, dir);
  WordCount wc = MakeWordCount(dir, "anywc");
  inside.Track("anywc");
  auto submit = inside.Gale("submit " + dir.Write("anywc.yaml", wc.yaml));
  ASSERT_EQ(submit.exit_code, 0) << submit.err;
  ExpectStatusAt(inside, "anywc", host.there());
  for (const std::string& endpoint : Endpoints(inside, "anywc")) {
    EXPECT_EQ(endpoint.find("0.0.0.0"), std::string::npos) << endpoint;
  }
  // The text status shows the host and the endpoints too.
  auto text = outside.Gale("status anywc");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find(HostName()), std::string::npos) << text.out;
  EXPECT_NE(text.out.find(host.there() + ":"), std::string::npos) << text.out;
  auto wait = outside.Gale("wait anywc --timeout 120");
  ASSERT_EQ(wait.exit_code, 0) << wait.err;
  auto kill = outside.Gale("kill anywc");
  ASSERT_EQ(kill.exit_code, 0) << kill.err;
  EXPECT_EQ(Counts(dir, "anywc"), wc.reference);
}

TEST(NetworkNamespace, AnAddressThisHostDoesNotHaveFailsTheSubmitNamingTheKey) {
  ScratchDir dir;
  NetworkNamespace host(dir);
  // The root namespace's end of the pair is not an address of the other host.
  const std::string cluster_file =
      dir.Write("cluster.yaml", "transport.bind.address: " + host.here() + "\n");
  testing::Cluster inside(host.Prefix() + kGale + " --cluster " + cluster_file, dir);
  WordCount wc = MakeWordCount(dir, "nowc");
  auto submit = inside.Gale("submit " + dir.Write("nowc.yaml", wc.yaml));
  EXPECT_EQ(submit.exit_code, 2) << submit.err;
  EXPECT_NE(submit.err.find("cannot bind " + host.here()), std::string::npos) << submit.err;
  EXPECT_NE(submit.err.find("transport.bind.address in " + cluster_file), std::string::npos)
      << submit.err;
  EXPECT_FALSE(std::filesystem::exists(inside.TopologyDir("nowc")));
}

}  // namespace
}  // namespace gale
