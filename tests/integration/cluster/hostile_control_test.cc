// A raw ZeroMQ client sends malformed control messages to a running
// topology master: the master refuses them, counts and logs them, and keeps
// serving the topology (regression: `container=x` in a Register used to
// throw out of the master's run loop). The client holds the topology's keys
// (read from the state, as the CLI does): what a bug in a process of the
// topology could send. Clients without them: hostile_transport_test.cc.

#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <thread>
#include <zmq.hpp>

#include "records/state_records.h"
#include "support/gale_cluster.h"
#include "transport/curve.h"

namespace gale {
namespace {

using testing::Alive;
using testing::ReadFile;
using testing::ScratchDir;

std::string Control(std::uint8_t type, const std::string& fields) {
  std::string out = "C";
  out.push_back('\x01');
  out.push_back(static_cast<char>(type));
  return out + fields;
}

TEST(HostileControl, MalformedMessagesDoNotStopTheMaster) {
  ScratchDir dir;
  testing::Cluster cluster(GALE_BIN, dir);
  std::string yaml = R"(name: hostile
config:
  topology.workers: 2
  topology.max.spout.pending: 200
spouts:
  - {id: sentences, className: RandomSentenceSpout}
bolts:
  - {id: split, className: SplitSentenceBolt, parallelism: 2}
streams:
  - {from: sentences, to: split, grouping: {type: SHUFFLE}}
)";
  cluster.Track("hostile");
  auto submit = cluster.Gale("submit " + dir.Write("hostile.yaml", yaml));
  ASSERT_EQ(submit.exit_code, 0) << submit.err;
  int master = cluster.Pid("hostile", "tmaster");
  ASSERT_GT(master, 0);
  std::smatch m;
  std::string record = ReadFile(cluster.TopologyDir("hostile") + "/alive/tmaster");
  ASSERT_TRUE(std::regex_search(record, m, std::regex("endpoint=(\\S+)"))) << record;

  zmq::context_t context;
  zmq::socket_t socket(context, zmq::socket_type::dealer);
  socket.set(zmq::sockopt::linger, 0);
  auto keys = records::DecodeRecord<records::CurveKeys>(
      ReadFile(cluster.TopologyDir("hostile") + "/keys"));
  ASSERT_TRUE(keys.ok()) << keys.status().message();
  transport::SecureClient(socket, *keys);
  socket.connect(m[1].str());
  for (const std::string& bytes :
       {Control(1, "container=x\nendpoint=tcp://127.0.0.1:1\npid=5\n"),
        Control(1, "container=999\nendpoint=tcp://127.0.0.1:1\npid=5\n"),
        Control(1, "container=-1\nendpoint=tcp://127.0.0.1:1\npid=5\n"),
        Control(10, "command\n"), Control(200, ""), std::string("C"),
        std::string("\x43\x01\x0a" + std::string(70000, '=')), std::string("garbage")}) {
    socket.send(zmq::buffer(bytes), zmq::send_flags::none);
  }
  // Messages on one connection are handled in order: once a valid request on
  // it is answered, the master has been through every malformed one.
  socket.send(zmq::buffer(Control(10, "command=activate\n")), zmq::send_flags::none);
  socket.set(zmq::sockopt::rcvtimeo, 10000);
  zmq::message_t reply;
  ASSERT_TRUE(socket.recv(reply).has_value()) << "the master stopped answering";
  EXPECT_NE(reply.to_string().find("ok=1"), std::string::npos) << reply.to_string();
  // And it keeps serving the CLI.
  auto deactivate = cluster.Gale("deactivate hostile");
  EXPECT_EQ(deactivate.exit_code, 0) << deactivate.err;
  auto activate = cluster.Gale("activate hostile");
  EXPECT_EQ(activate.exit_code, 0) << activate.err;
  EXPECT_TRUE(Alive(master));
  EXPECT_EQ(cluster.Pid("hostile", "tmaster"), master) << "the master was restarted";
  std::string log = ReadFile(cluster.TopologyDir("hostile") + "/logs/tmaster.log");
  EXPECT_NE(log.find("container"), std::string::npos) << log;
  auto kill = cluster.Gale("kill hostile --wait 2");
  EXPECT_EQ(kill.exit_code, 0) << kill.err;
}

}  // namespace
}  // namespace gale
