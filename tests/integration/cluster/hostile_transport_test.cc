// Raw ZeroMQ clients against a running submitted topology. With CURVE (the
// default) a client without the topology's keys, or with a key pair of its
// own, connects to the topology master and to each stream manager's data
// endpoint and tries to inject tuples, forge acks, raise backpressure,
// re-register a container and activate the topology: every handshake fails,
// so nothing it sent is delivered; the topology keeps running and completes
// with exactly its own tuples. With `security.curve: false` the same plain
// client does get a tuple to a bolt, which shows the attack above is real.

#include <sys/stat.h>

#include <chrono>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <zmq.hpp>

#include "records/control.h"
#include "records/state_records.h"
#include "support/gale_cluster.h"
#include "support/handshake_probe.h"
#include "transport/curve.h"
#include "wire/codec.h"

namespace gale {
namespace {

using testing::Alive;
using testing::HandshakeProbe;
using testing::ReadFile;
using testing::ReadLines;
using testing::ScratchDir;
using Outcome = HandshakeProbe::Outcome;
// How long a handshake may take to end: the server's handshake timeout is
// 10 s; on a loaded machine the ZAP round trip adds seconds. Waiting ends at
// the first outcome, so a long bound costs nothing when all is well.
constexpr std::chrono::seconds kHandshakeWait{60};
using namespace std::chrono_literals;

constexpr int kCount = 3000;
constexpr std::int64_t kMarker = 999999;  // a value the spout never emits

std::string Yaml(const ScratchDir& dir, const std::string& name, bool curve) {
  return "name: " + name + R"(
config:
  topology.workers: 2
  topology.max.spout.pending: 500
)" + (curve ? "" : "  security.curve: false\n") + R"(spouts:
  - id: ids
    className: SequenceSpout
    properties: [{name: count, value: )" + std::to_string(kCount) + R"(}]
bolts:
  - id: sink
    className: FileSinkBolt
    parallelism: 2
    properties: [{name: path, value: ")" + dir.Join("sink.tsv") + R"("}]
streams:
  - {from: ids, to: sink, grouping: {type: SHUFFLE}}
)";
}

// Tasks: 1 ids, 2-3 sink; task t runs in container (t-1) % 2.
constexpr std::int32_t kSpoutTask = 1;
std::int32_t SinkTaskIn(int container) { return container == 0 ? 3 : 2; }

// A data batch for `dest` carrying one unanchored tuple (kMarker) from the
// spout on its default stream, as the spout's instance would write it.
std::string InjectedTuple(std::int32_t dest) {
  std::string values;
  std::vector<wire::Span> spans;
  wire::EncodeValues({kMarker}, &values, &spans);
  wire::BatchWriter w(wire::BatchKind::kData, dest);
  w.AddData(0, kSpoutTask, nullptr, 0, values);
  return w.Take();
}

std::string ForgedAcks() {
  std::mt19937_64 rng(7);
  wire::BatchWriter w(wire::BatchKind::kAck, kSpoutTask);
  for (int i = 0; i < 100; ++i) w.AddAck({rng(), rng(), wire::AckKind::kAck});
  w.AddAck({rng(), rng(), wire::AckKind::kFail});
  return w.Take();
}

// container -> data endpoint, from the physical plan record.
std::map<int, std::string> DataEndpoints(const testing::Cluster& cluster, const std::string& name) {
  std::map<int, std::string> out;
  std::string text = ReadFile(cluster.TopologyDir(name) + "/physical");
  std::regex re("stmgr=(\\d+) (\\S+) \\d+");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
       ++it) {
    out[std::stoi((*it)[1])] = (*it)[2];
  }
  return out;
}

std::string MasterEndpoint(const testing::Cluster& cluster, const std::string& name) {
  std::smatch m;
  std::string text = ReadFile(cluster.TopologyDir(name) + "/alive/tmaster");
  return std::regex_search(text, m, std::regex("endpoint=(\\S+)")) ? m[1].str() : "";
}

// The values the sink wrote, each with how often.
std::map<std::int64_t, int> SinkValues(const ScratchDir& dir) {
  std::map<std::int64_t, int> seen;
  for (const std::string& line : ReadLines(dir, "sink.tsv")) ++seen[std::stoll(line)];
  return seen;
}

int FileMode(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int>(st.st_mode & 0777) : -1;
}

// A hostile client: no keys, or a key pair of its own (knowing the
// server's public key, which is no secret).
struct Intruder {
  std::string label;
  std::optional<records::CurveKeys> keys;
};

zmq::socket_t IntruderSocket(zmq::context_t& context, zmq::socket_type type,
                             const Intruder& intruder) {
  zmq::socket_t s(context, type);
  s.set(zmq::sockopt::linger, 0);
  if (intruder.keys) transport::SecureClient(s, *intruder.keys);
  return s;
}

TEST(HostileTransport, ClientsWithoutTheKeysDeliverNothingAndTheTopologyCompletes) {
  ScratchDir dir;
  testing::Cluster cluster(GALE_BIN, dir);
  cluster.Track("guarded");
  auto submit = cluster.Gale("submit " + dir.Write("guarded.yaml", Yaml(dir, "guarded", true)));
  ASSERT_EQ(submit.exit_code, 0) << submit.err;
  const std::string topology_dir = cluster.TopologyDir("guarded");
  // The keys are the owner's only.
  EXPECT_EQ(FileMode(topology_dir + "/keys"), 0600);
  EXPECT_EQ(FileMode(topology_dir), 0700);
  auto keys = records::DecodeRecord<records::CurveKeys>(ReadFile(topology_dir + "/keys"));
  ASSERT_TRUE(keys.ok()) << keys.status().message();

  // The CLI authenticates: its requests are answered.
  auto deactivate = cluster.Gale("deactivate guarded");
  ASSERT_EQ(deactivate.exit_code, 0) << deactivate.err;
  const std::string master = MasterEndpoint(cluster, "guarded");
  const std::map<int, std::string> data = DataEndpoints(cluster, "guarded");
  ASSERT_FALSE(master.empty());
  ASSERT_EQ(data.size(), 2u);
  const int master_pid = cluster.Pid("guarded", "tmaster");

  auto own = transport::MakeCurveKeys();
  ASSERT_TRUE(own.ok()) << own.status().message();
  records::CurveKeys wrong = *own;
  wrong.server_public = keys->server_public;
  zmq::context_t context;
  for (const Intruder& intruder : {Intruder{"plain", std::nullopt}, Intruder{"own keys", wrong}}) {
    SCOPED_TRACE(intruder.label);
    // The master: re-register container 1 elsewhere, activate, deactivate.
    zmq::socket_t control = IntruderSocket(context, zmq::socket_type::dealer, intruder);
    control.set(zmq::sockopt::routing_id, "stmgr-1");
    HandshakeProbe control_probe(context, control);
    control.connect(master);
    for (const std::string& bytes :
         {records::Encode(records::Register{1, "tcp://127.0.0.1:1", 4242, ""}),
          records::Encode(records::Request{"activate"}),
          records::Encode(records::Request{"deactivate"})}) {
      (void)control.send(zmq::buffer(bytes), zmq::send_flags::dontwait);
    }
    EXPECT_EQ(control_probe.Wait(kHandshakeWait), Outcome::kFailed) << "master";
    // Each stream manager: a tuple for its local sink task, forged acks for
    // the spout, backpressure that would stop the spouts.
    for (const auto& [container, endpoint] : data) {
      zmq::socket_t push = IntruderSocket(context, zmq::socket_type::push, intruder);
      HandshakeProbe probe(context, push);
      push.connect(endpoint);
      for (const std::string& bytes :
           {InjectedTuple(SinkTaskIn(container)), ForgedAcks(),
            records::Encode(records::BackpressureOn{1 - container, "sink:2"})}) {
        (void)push.send(zmq::buffer(bytes), zmq::send_flags::dontwait);
      }
      EXPECT_EQ(probe.Wait(kHandshakeWait), Outcome::kFailed) << "stream manager " << container;
    }
  }
  // The forged "activate" did not reach the master.
  EXPECT_NE(ReadFile(topology_dir + "/activation").find("active=0"), std::string::npos);

  auto activate = cluster.Gale("activate guarded");
  ASSERT_EQ(activate.exit_code, 0) << activate.err;
  auto wait = cluster.Gale("wait guarded --timeout 120");
  ASSERT_EQ(wait.exit_code, 0) << wait.err << cluster.Gale("status guarded").out;
  EXPECT_TRUE(Alive(master_pid));
  EXPECT_EQ(cluster.Pid("guarded", "tmaster"), master_pid) << "the master was restarted";
  std::string master_log = ReadFile(topology_dir + "/logs/tmaster.log");
  std::string stmgr_logs = ReadFile(topology_dir + "/logs/stmgr-0.log") +
                           ReadFile(topology_dir + "/logs/stmgr-1.log");
  auto kill = cluster.Gale("kill guarded");
  ASSERT_EQ(kill.exit_code, 0) << kill.err;

  // Exactly the spout's tuples reached the sink: nothing injected, nothing
  // lost to a forged ack or a hijacked registration.
  std::map<std::int64_t, int> seen = SinkValues(dir);
  EXPECT_EQ(seen.count(kMarker), 0u);
  ASSERT_EQ(seen.size(), static_cast<std::size_t>(kCount));
  EXPECT_EQ(seen.begin()->first, 1);
  EXPECT_EQ(seen.rbegin()->first, kCount);
  // The refusals were counted and logged.
  EXPECT_NE(master_log.find("refused a connection to 'tmaster'"), std::string::npos) << master_log;
  EXPECT_NE(stmgr_logs.find("refused a connection to 'data'"), std::string::npos) << stmgr_logs;
  EXPECT_EQ(master_log.find("refused control message"), std::string::npos) << master_log;
}

TEST(HostileTransport, WithCurveOffAPlainClientReachesABolt) {
  ScratchDir dir;
  testing::Cluster cluster(GALE_BIN, dir);
  cluster.Track("open");
  auto submit = cluster.Gale("submit " + dir.Write("open.yaml", Yaml(dir, "open", false)));
  ASSERT_EQ(submit.exit_code, 0) << submit.err;
  EXPECT_EQ(FileMode(cluster.TopologyDir("open") + "/keys"), -1) << "keys made with curve off";
  auto deactivate = cluster.Gale("deactivate open");
  ASSERT_EQ(deactivate.exit_code, 0) << deactivate.err;
  const std::map<int, std::string> data = DataEndpoints(cluster, "open");
  ASSERT_EQ(data.count(0), 1u);

  zmq::context_t context;
  zmq::socket_t push = IntruderSocket(context, zmq::socket_type::push, Intruder{"plain", {}});
  HandshakeProbe probe(context, push);
  push.connect(data.at(0));
  ASSERT_EQ(probe.Wait(kHandshakeWait), Outcome::kSucceeded);
  ASSERT_TRUE(push.send(zmq::buffer(InjectedTuple(SinkTaskIn(0))), zmq::send_flags::none));
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (SinkValues(dir).count(kMarker) == 0) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the injected tuple never arrived";
    std::this_thread::sleep_for(50ms);
  }

  // And the topology runs end to end without CURVE.
  auto activate = cluster.Gale("activate open");
  ASSERT_EQ(activate.exit_code, 0) << activate.err;
  auto wait = cluster.Gale("wait open --timeout 120");
  ASSERT_EQ(wait.exit_code, 0) << wait.err << cluster.Gale("status open").out;
  auto kill = cluster.Gale("kill open");
  ASSERT_EQ(kill.exit_code, 0) << kill.err;
  std::map<std::int64_t, int> seen = SinkValues(dir);
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kCount) + 1);
  EXPECT_EQ(seen[kMarker], 1);
}

}  // namespace
}  // namespace gale
