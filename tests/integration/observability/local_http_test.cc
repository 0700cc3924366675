// `gale local --http 0`: while a bounded topology runs, the local runner
// serves the same endpoints as a topology master: /metrics as promtool
// accepts it, the JSON API, the web UI; activate and deactivate are
// answered 405. Once the run ends, nothing listens any more.

#include <arpa/inet.h>
#include <signal.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "../kafka/child_process.h"
#include "metrics_text.h"
#include "support/run_command.h"

namespace gale {
namespace {

using nlohmann::json;
using testing::ChildProcess;
using testing::CommandResult;
using testing::ReadFile;
using testing::ScratchDir;
using testing::SumOf;
using testing::WaitUntil;

const std::string kGale = GALE_BIN;

// 5000 numbers through a bolt that takes 2 ms each: about ten seconds.
const char* kYaml = R"(name: nearby
config:
  topology.workers: 2
spouts:
  - id: numbers
    className: SequenceSpout
    properties:
      - {name: count, value: 5000}
bolts:
  - id: slow
    className: SlowBolt
    properties:
      - {name: sleep.ms, value: 2}
  - {id: sink, className: PrinterBolt, parallelism: 2}
streams:
  - {from: numbers, to: slow, grouping: {type: SHUFFLE}}
  - {from: slow, to: sink, grouping: {type: SHUFFLE}}
)";

TEST(LocalHttp, ServesMetricsJsonAndTheUiWhileTheTopologyRuns) {
  ScratchDir dir;
  const std::string yaml = dir.Write("nearby.yaml", kYaml);
  auto gale = ChildProcess::Start(
      {{kGale, "local", yaml, "--http", "0"}, false, false, dir.Join("out"), dir.Join("err")});
  ASSERT_NE(gale, nullptr);

  // The URL is printed on stderr at start.
  std::smatch m;
  std::string err;
  ASSERT_TRUE(WaitUntil(
      [&] {
        err = ReadFile(dir.Join("err"));
        return std::regex_search(err, m, std::regex(R"(serving http://127\.0\.0\.1:(\d+) )"));
      },
      30))
      << err;
  const int port = std::stoi(m[1]);
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(10, 0);

  // Every task reports, and the bolts run.
  std::string text;
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto r = client.Get("/metrics");
        if (!r || r->status != 200) return false;
        text = r->body;
        return SumOf(text, "gale_tuples_executed_total", "component=\"slow\"") > 0 &&
               SumOf(text, "gale_tuples_executed_total", "component=\"sink\"") > 0 &&
               std::regex_search(text, std::regex("task=\"4\""));
      },
      30))
      << text << ReadFile(dir.Join("err"));
  const std::string file = dir.Write("metrics.txt", text);
  CommandResult check = testing::RunCommand("promtool check metrics < " + file, dir, 60);
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_EQ(check.out + check.err, "") << "promtool complained";
  EXPECT_TRUE(std::regex_search(
      text, std::regex("gale_tuples_emitted_total\\{topology=\"nearby\",component=\"numbers\","
                       "task=\"1\",container=\"0\",host=\"[^\"]+\",stream=\"default\"\\} \\d+")))
      << text;
  // The process's memory, once.
  EXPECT_GT(SumOf(text, "gale_process_resident_memory_bytes", "role=\"stmgr\""), 1e6);

  // The JSON API.
  auto list = client.Get("/api/v1/topologies");
  ASSERT_TRUE(list);
  json topologies = json::parse(list->body, nullptr, false);
  ASSERT_FALSE(topologies.is_discarded()) << list->body;
  ASSERT_EQ(topologies["topologies"].size(), 1u);
  EXPECT_EQ(topologies["topologies"][0]["name"], "nearby");
  auto one = client.Get("/api/v1/topologies/nearby");
  ASSERT_TRUE(one);
  ASSERT_EQ(one->status, 200);
  json j = json::parse(one->body, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << one->body;
  EXPECT_EQ(j["tasks"], 4);
  EXPECT_EQ(j["tasks_reporting"], 4);
  EXPECT_EQ(j["logical_plan"]["components"].size(), 3u);
  EXPECT_EQ(j["logical_plan"]["streams"].size(), 2u);
  EXPECT_GT(j["components"]["slow"]["metrics"]["all"]["executed"].get<double>(), 0) << j.dump(2);
  for (const json& t : j["physical_plan"]["tasks"]) {
    EXPECT_EQ(t["pid"], gale->pid()) << "every task is a thread of gale local";
  }
  auto other = client.Get("/api/v1/topologies/other");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 404);

  // The web UI.
  auto page = client.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->get_header_value("Content-Type").rfind("text/html", 0), 0u);
  EXPECT_NE(page->get_header_value("Content-Security-Policy").find("default-src 'none'"),
            std::string::npos);
  EXPECT_NE(page->body.find("/ui/app.js"), std::string::npos);

  // Activate and deactivate are not offered in local mode.
  auto post = client.Post("/api/v1/topologies/nearby/deactivate", "", "text/plain");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(post->get_header_value("Allow"), "GET");
  EXPECT_NE(post->body.find("gale local"), std::string::npos) << post->body;

  // Still running when all that was read: the run had not ended.
  EXPECT_FALSE(gale->Wait(std::chrono::milliseconds(0)).has_value());
  std::optional<int> code = gale->Wait(std::chrono::seconds(120));
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << ReadFile(dir.Join("err"));
  EXPECT_NE(ReadFile(dir.Join("out")).find("completed"), std::string::npos);
  // And nothing listens once it ended.
  httplib::Client after("127.0.0.1", port);
  after.set_connection_timeout(2, 0);
  EXPECT_FALSE(after.Get("/metrics"));
}

TEST(LocalHttp, RefusesAPortOutOfRangeOrTaken) {
  ScratchDir dir;
  const std::string yaml = dir.Write("nearby.yaml", kYaml);
  CommandResult r = testing::RunCommand(kGale + " local " + yaml + " --http 70000", dir, 60);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--http"), std::string::npos) << r.err;

  // A port someone listens on: an error before anything runs.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const int taken = ntohs(addr.sin_port);
  r = testing::RunCommand(kGale + " local " + yaml + " --http " + std::to_string(taken), dir, 60);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--http: cannot listen on 127.0.0.1:" + std::to_string(taken)),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("running topology"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << "nothing ran";
  ::close(fd);

  // Nor can it share a port another gale serves on.
  auto first = ChildProcess::Start(
      {{kGale, "local", yaml, "--http", "0"}, false, false, dir.Join("out1"), dir.Join("err1")});
  ASSERT_NE(first, nullptr);
  std::smatch m;
  std::string err;
  ASSERT_TRUE(WaitUntil(
      [&] {
        err = ReadFile(dir.Join("err1"));
        return std::regex_search(err, m, std::regex(R"(serving http://127\.0\.0\.1:(\d+) )"));
      },
      30))
      << err;
  r = testing::RunCommand(kGale + " local " + yaml + " --http " + std::string(m[1]), dir, 60);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("--http: cannot listen on 127.0.0.1:" + std::string(m[1])),
            std::string::npos)
      << r.err;
  first->Signal(SIGTERM);
  EXPECT_TRUE(first->Wait(std::chrono::seconds(60)).has_value());
}

}  // namespace
}  // namespace gale
