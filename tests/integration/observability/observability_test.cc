// The topology master's HTTP endpoints on a submitted topology: the URL in
// `gale status --json`, /metrics as promtool accepts it and with counters
// that move, the REST JSON, the token on activate/deactivate, and a real
// Prometheus scraping the topology.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <thread>

#include "../kafka/child_process.h"
#include "support/gale_cluster.h"
#include "metrics_text.h"
#include "support/run_command.h"

namespace gale {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;
using testing::ChildProcess;
using testing::Cluster;
using testing::CommandResult;
using testing::ReadFile;
using testing::ScratchDir;
using testing::SumOf;
using testing::WaitUntil;

const std::string kGale = GALE_BIN;

std::string Yaml(const std::string& name) {
  return "name: " + name + R"(
config:
  topology.workers: 2
  topology.max.spout.pending: 200
spouts:
  - {id: sentences, className: RandomSentenceSpout}
bolts:
  - {id: split, className: SplitSentenceBolt, parallelism: 2}
  - {id: count, className: WordCountBolt}
streams:
  - {from: sentences, to: split, grouping: {type: SHUFFLE}}
  - {from: split, to: count, grouping: {type: FIELDS, args: [word]}}
)";
}

// host and port of "http://host:port".
std::pair<std::string, int> HostPort(const std::string& url) {
  std::smatch m;
  std::regex re(R"(^http://([0-9.]+):(\d+)$)");
  if (!std::regex_match(url, m, re)) return {"", 0};
  return {m[1], std::stoi(m[2])};
}

class Observability : public ::testing::Test {
 protected:
  void SubmitAndFindHttp(const std::string& name) {
    cluster_.Track(name);
    CommandResult submit = cluster_.Gale("submit " + dir_.Write(name + ".yaml", Yaml(name)));
    ASSERT_EQ(submit.exit_code, 0) << submit.err;
    ASSERT_TRUE(WaitUntil(
        [&] {
          CommandResult r = cluster_.Gale("status " + name + " --json");
          if (r.exit_code != 0) return false;
          json j = json::parse(r.out, nullptr, false);
          if (j.is_discarded() || !j["http"].is_string()) return false;
          url_ = j["http"];
          return true;
        },
        60))
        << cluster_.Gale("status " + name).out;
    auto [host, port] = HostPort(url_);
    // Loopback unless configured otherwise.
    ASSERT_EQ(host, "127.0.0.1") << url_;
    ASSERT_GT(port, 0);
    client_ = std::make_unique<httplib::Client>(host, port);
    client_->set_read_timeout(10, 0);
    // The text status names it too.
    EXPECT_NE(cluster_.Gale("status " + name).out.find("http: " + url_), std::string::npos);
  }

  std::string Get(const std::string& path, int* status = nullptr) {
    auto res = client_->Get(path.c_str());
    if (!res) {
      ADD_FAILURE() << "GET " << path << " failed: " << httplib::to_string(res.error());
      return "";
    }
    if (status) *status = res->status;
    return res->body;
  }

  ScratchDir dir_;
  Cluster cluster_{kGale, dir_};
  std::string url_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(Observability, MetricsPassPromtoolAndCountWhatTheTopologyDoes) {
  ASSERT_NO_FATAL_FAILURE(SubmitAndFindHttp("observed"));
  // Every task reports, and every bolt has executed something.
  std::string text;
  ASSERT_TRUE(WaitUntil(
      [&] {
        text = Get("/metrics");
        return SumOf(text, "gale_tuples_executed_total", "component=\"split\"") > 0 &&
               SumOf(text, "gale_tuples_executed_total", "component=\"count\"") > 0 &&
               SumOf(text, "gale_tuples_acked_total", "component=\"sentences\"") > 0 &&
               std::regex_search(text, std::regex("task=\"1\"")) &&
               std::regex_search(text, std::regex("task=\"2\"")) &&
               std::regex_search(text, std::regex("task=\"3\"")) &&
               std::regex_search(text, std::regex("task=\"4\"")) &&
               // The spout publishes its latency histogram once a second.
               SumOf(text, "gale_complete_latency_seconds_count", "component=\"sentences\"") > 0;
      },
      60))
      << text;
  std::string file = dir_.Write("metrics.txt", text);
  CommandResult check = testing::RunCommand("promtool check metrics < " + file, dir_, 60);
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_EQ(check.out + check.err, "") << "promtool complained";

  // One sample per task and stream, labelled by task, container and
  // stream (every component here emits on "default").
  for (int task = 1; task <= 4; ++task) {
    std::regex re("gale_tuples_emitted_total\\{topology=\"observed\",component=\"[a-z]+\","
                  "task=\"" + std::to_string(task) + "\",container=\"" +
                  std::to_string((task - 1) % 2) +
                  "\",host=\"[^\"]+\",stream=\"default\"\\} \\d+");
    EXPECT_TRUE(std::regex_search(text, re)) << "task " << task;
  }
  EXPECT_GT(SumOf(text, "gale_process_resident_memory_bytes", "role=\"stmgr\""), 1e6);
  // Counters move between two reads.
  const double before = SumOf(text, "gale_tuples_executed_total", "component=\"split\"");
  ASSERT_TRUE(WaitUntil(
      [&] {
        return SumOf(Get("/metrics"), "gale_tuples_executed_total", "component=\"split\"") >
               before;
      },
      30));
  // The metrics agree with what gale status reads from the files: each
  // reaches what the other said (they are written a second or two apart).
  auto from_files = [&] {
    json status = json::parse(cluster_.Gale("status observed --json").out, nullptr, false);
    double executed = 0;
    if (status.is_discarded()) return executed;
    for (const json& c : status["components"]) {
      if (c["id"] == "split") executed = c["executed"];
    }
    return executed;
  };
  auto from_http = [&] {
    return SumOf(Get("/metrics"), "gale_tuples_executed_total", "component=\"split\"");
  };
  const double files_said = from_files();
  EXPECT_TRUE(WaitUntil([&] { return from_http() >= files_said; }, 30)) << files_said;
  const double http_said = from_http();
  EXPECT_TRUE(WaitUntil([&] { return from_files() >= http_said; }, 30)) << http_said;
}

TEST_F(Observability, RestApiDescribesTheTopologyAndGuardsItsActions) {
  ASSERT_NO_FATAL_FAILURE(SubmitAndFindHttp("rest"));
  json list = json::parse(Get("/api/v1/topologies"));
  ASSERT_EQ(list["topologies"].size(), 1u);
  EXPECT_EQ(list["topologies"][0]["name"], "rest");

  json j;
  ASSERT_TRUE(WaitUntil(
      [&] {
        j = json::parse(Get("/api/v1/topologies/rest"), nullptr, false);
        return !j.is_discarded() && j["tasks_reporting"] == 4 &&
               j["components"]["count"]["metrics"]["all"]["executed"].get<double>() > 0;
      },
      60))
      << j.dump(2);
  const json& components = j["logical_plan"]["components"];
  ASSERT_EQ(components.size(), 3u);
  EXPECT_EQ(components[0]["id"], "sentences");
  EXPECT_EQ(components[0]["kind"], "spout");
  EXPECT_EQ(components[1]["parallelism"], 2);
  const json& streams = j["logical_plan"]["streams"];
  ASSERT_EQ(streams.size(), 2u);
  EXPECT_EQ(streams[1]["grouping"], "fields");
  EXPECT_EQ(streams[1]["fields"][0], "word");
  // The physical plan's pids are the processes gale runs.
  const json& tasks = j["physical_plan"]["tasks"];
  ASSERT_EQ(tasks.size(), 4u);
  for (const json& t : tasks) {
    int id = t["task"];
    EXPECT_EQ(t["pid"].get<int>(), cluster_.Pid("rest", "pids/task-" + std::to_string(id)))
        << t.dump();
    EXPECT_EQ(t["container"].get<int>(), (id - 1) % 2);
  }
  for (const char* w : {"1m", "10m", "all"}) {
    EXPECT_TRUE(j["components"]["split"]["metrics"].contains(w)) << w;
  }
  EXPECT_TRUE(j["backpressure"].contains("culprits"));
  EXPECT_TRUE(j["exceptions"].is_array());
  int status = 0;
  Get("/api/v1/topologies/other", &status);
  EXPECT_EQ(status, 404);

  // Without the token, or with a wrong one: 401, and nothing changes.
  auto no_token = client_->Post("/api/v1/topologies/rest/deactivate", "", "text/plain");
  ASSERT_TRUE(no_token);
  EXPECT_EQ(no_token->status, 401);
  httplib::Headers wrong = {{"Authorization", "Bearer " + std::string(64, '0')}};
  auto bad = client_->Post("/api/v1/topologies/rest/deactivate", wrong, "", "text/plain");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 401);
  EXPECT_NE(cluster_.Gale("status rest").out.find("running, active"), std::string::npos);

  // The token kept with the topology's state, readable by its owner only.
  const std::string token_file = cluster_.TopologyDir("rest") + "/http_token";
  EXPECT_EQ(std::filesystem::status(token_file).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::smatch m;
  std::string text = ReadFile(token_file);
  ASSERT_TRUE(std::regex_search(text, m, std::regex("token=([0-9a-f]{64})")));
  httplib::Headers auth = {{"Authorization", "Bearer " + std::string(m[1])}};
  auto off = client_->Post("/api/v1/topologies/rest/deactivate", auth, "", "text/plain");
  ASSERT_TRUE(off);
  EXPECT_EQ(off->status, 200) << off->body;
  EXPECT_NE(cluster_.Gale("status rest").out.find("running, inactive"), std::string::npos);
  EXPECT_EQ(json::parse(Get("/api/v1/topologies/rest"))["active"], false);
  // Recorded like `gale deactivate`: the spouts stop emitting.
  auto emitted = [&] {
    return SumOf(Get("/metrics"), "gale_tuples_emitted_total", "component=\"sentences\"");
  };
  std::this_thread::sleep_for(std::chrono::seconds(3));
  double still = emitted();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(emitted(), still);
  auto on = client_->Post("/api/v1/topologies/rest/activate", auth, "", "text/plain");
  ASSERT_TRUE(on);
  EXPECT_EQ(on->status, 200) << on->body;
  EXPECT_NE(cluster_.Gale("status rest").out.find("running, active"), std::string::npos);
  EXPECT_TRUE(WaitUntil([&] { return emitted() > still; }, 30));
}

TEST_F(Observability, ATakenPortLeavesTheTopologyRunningWithoutHttp) {
  // Hold a port, then ask for it.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const int taken = ntohs(addr.sin_port);
  cluster_.Track("taken");
  std::string yaml = Yaml("taken");
  yaml.replace(yaml.find("config:\n"), 8, "config:\n  http.port: " + std::to_string(taken) + "\n");
  CommandResult submit = cluster_.Gale("submit " + dir_.Write("taken.yaml", yaml));
  ASSERT_EQ(submit.exit_code, 0) << submit.err;
  json status;
  EXPECT_TRUE(WaitUntil(
      [&] {
        status = json::parse(cluster_.Gale("status taken --json").out, nullptr, false);
        return !status.is_discarded() && status["tasks_reporting"] == 4 &&
               status["components"][2]["executed"].get<double>() > 0;
      },
      60))
      << status.dump();
  EXPECT_TRUE(status["http"].is_null()) << status.dump();
  EXPECT_NE(ReadFile(cluster_.TopologyDir("taken") + "/logs/tmaster.log").find("serves no HTTP"),
            std::string::npos);
  ::close(fd);
}

// A free TCP port on loopback (bound and released).
int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return 0;
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

TEST_F(Observability, PrometheusScrapesARateForEveryBolt) {
  ASSERT_NO_FATAL_FAILURE(SubmitAndFindHttp("scraped"));
  auto [host, port] = HostPort(url_);
  const int prom_port = FreePort();
  ASSERT_GT(prom_port, 0);
  std::string config = dir_.Write("prometheus.yml", R"(global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: gale
    static_configs:
      - targets: [')" + host + ":" + std::to_string(port) + R"(']
)");
  // Stopped (killed and reaped) by its destructor, whatever happens.
  auto prometheus = ChildProcess::Start(
      {{"/usr/bin/prometheus", "--config.file=" + config,
        "--storage.tsdb.path=" + dir_.Join("tsdb"),
        "--web.listen-address=127.0.0.1:" + std::to_string(prom_port)},
       false, false, dir_.Join("prometheus.out"), dir_.Join("prometheus.err")});
  ASSERT_NE(prometheus, nullptr);
  httplib::Client prom("127.0.0.1", prom_port);
  prom.set_read_timeout(10, 0);
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto r = prom.Get("/-/ready");
        return r && r->status == 200;
      },
      60))
      << ReadFile(dir_.Join("prometheus.err"));
  // rate() over the scraped counter is non-zero for every bolt.
  std::set<std::string> bolts = {"split", "count"};
  std::set<std::string> moving;
  json last;
  ASSERT_TRUE(WaitUntil(
      [&] {
        httplib::Params query = {
            {"query",
             "sum by (component) (rate(gale_tuples_executed_total{topology=\"scraped\"}[10s]))"}};
        auto r = prom.Post("/api/v1/query", query);
        if (!r || r->status != 200) return false;
        last = json::parse(r->body, nullptr, false);
        if (last.is_discarded() || last["status"] != "success") return false;
        moving.clear();
        for (const json& s : last["data"]["result"]) {
          if (std::stod(s["value"][1].get<std::string>()) > 0) {
            moving.insert(s["metric"]["component"].get<std::string>());
          }
        }
        return std::includes(moving.begin(), moving.end(), bolts.begin(), bolts.end());
      },
      120))
      << last.dump(2) << ReadFile(dir_.Join("prometheus.err")).substr(0, 4000);
  // The spout executes nothing: its rate is zero, not missing or positive.
  EXPECT_EQ(moving.count("sentences"), 0u);
  prometheus->Signal(SIGTERM);
  EXPECT_TRUE(prometheus->Wait(std::chrono::seconds(30)).has_value());
}

}  // namespace
}  // namespace gale
