// The topology master's web UI in a real headless browser (Debian's
// chromium): the page of a running topology, after its script ran, draws
// every component and every stream, lists the exceptions, and its rates
// move between two reads. A screenshot is taken too; with
// GALE_UI_SCREENSHOT=FILE it is copied there (docs/images/ui.png is made
// this way).

#include <gtest/gtest.h>
#include <httplib.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>

#include "../kafka/child_process.h"
#include "headless_browser.h"
#include "support/gale_cluster.h"
#include "support/run_command.h"

namespace gale {
namespace {

using nlohmann::json;
using testing::BrowserResult;
using testing::ChildProcess;
using testing::Cluster;
using testing::CommandResult;
using testing::ReadFile;
using testing::RunHeadlessChromium;
using testing::ScratchDir;
using testing::WaitUntil;

const std::string kGale = GALE_BIN;

// Two spouts, a fan-out, a slow bolt and numbers that SplitSentenceBolt
// cannot split (each one an exception from user code).
const char* kYaml = R"(name: viewed
config:
  topology.workers: 2
  topology.max.spout.pending: 100
spouts:
  - {id: sentences, className: RandomSentenceSpout}
  - id: numbers
    className: SequenceSpout
    properties:
      - {name: count, value: 20}
      - {name: max.replays, value: 0}
bolts:
  - {id: split, className: SplitSentenceBolt, parallelism: 2}
  - {id: count, className: WordCountBolt}
  - id: slow
    className: SlowBolt
    properties:
      - {name: sleep.us, value: 300}
      - {name: fields, value: [word]}
streams:
  - {from: sentences, to: split, grouping: {type: SHUFFLE}}
  - {from: numbers, to: split, grouping: {type: SHUFFLE}}
  - {from: split, to: count, grouping: {type: FIELDS, args: [word]}}
  - {from: split, to: slow, grouping: {type: SHUFFLE}}
)";

const std::set<std::string> kComponents = {"sentences", "numbers", "split", "count", "slow"};

// The rates the page shows, by component: its table rows carry them.
std::map<std::string, std::string> RatesIn(const std::string& dom) {
  std::map<std::string, std::string> rates;
  std::regex re(R"re(<tr data-component="([a-z]+)" data-rate="([0-9.e+-]+)")re");
  for (auto it = std::sregex_iterator(dom.begin(), dom.end(), re); it != std::sregex_iterator();
       ++it) {
    rates[(*it)[1]] = (*it)[2];
  }
  return rates;
}

// The rate label of each stream on each edge, as "from>to:stream" -> tuples
// a second; a label still showing "?" is left out.
std::map<std::string, double> EdgeRatesIn(const std::string& dom) {
  std::map<std::string, double> rates;
  std::regex group_re(R"re(<g class="edge" data-from="([a-z]+)" data-to="([a-z]+)">(.*?)</g>)re");
  std::regex rate_re(R"re(class="rate" data-stream="([^"]+)" data-rate="([0-9.e+-]+)")re");
  for (auto g = std::sregex_iterator(dom.begin(), dom.end(), group_re);
       g != std::sregex_iterator(); ++g) {
    const std::string body = (*g)[3];
    for (auto r = std::sregex_iterator(body.begin(), body.end(), rate_re);
         r != std::sregex_iterator(); ++r) {
      rates[std::string((*g)[1]) + ">" + std::string((*g)[2]) + ":" + std::string((*r)[1])] =
          std::stod((*r)[2]);
    }
  }
  return rates;
}

// Components drawn as nodes of the graph.
std::set<std::string> NodesIn(const std::string& dom) {
  std::set<std::string> nodes;
  std::regex re(R"re(<g class="node [^"]*" data-component="([a-z]+)")re");
  for (auto it = std::sregex_iterator(dom.begin(), dom.end(), re); it != std::sregex_iterator();
       ++it) {
    nodes.insert((*it)[1]);
  }
  return nodes;
}

class WebUi : public ::testing::Test {
 protected:
  void TearDown() override {
    // Nothing the browser started outlives the test.
    EXPECT_EQ(testing::ProcessesNaming(dir_.path().string() + "/chromium-").size(), 0u);
  }

  BrowserResult DumpDom() {
    // The virtual time lets the page's script load, fetch and render (it
    // refreshes every 1.5 s) without the test waiting in real time.
    return RunHeadlessChromium(dir_.path().string(),
                               {"--virtual-time-budget=5000", "--dump-dom"}, url_ + "/", 120);
  }

  ScratchDir dir_;
  Cluster cluster_{kGale, dir_};
  std::string url_;
};

TEST_F(WebUi, ShowsEveryComponentAndRatesThatMove) {
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/chromium"))
      << "chromium is not installed; run deploy/install-deps.sh";
  cluster_.Track("viewed");
  CommandResult submit = cluster_.Gale("submit " + dir_.Write("viewed.yaml", kYaml));
  ASSERT_EQ(submit.exit_code, 0) << submit.err;
  ASSERT_TRUE(WaitUntil(
      [&] {
        CommandResult r = cluster_.Gale("status viewed --json");
        json j = json::parse(r.out, nullptr, false);
        if (r.exit_code != 0 || j.is_discarded() || !j["http"].is_string()) return false;
        url_ = j["http"];
        return true;
      },
      60))
      << cluster_.Gale("status viewed").out;
  std::smatch m;
  ASSERT_TRUE(std::regex_match(url_, m, std::regex(R"(^http://127\.0\.0\.1:(\d+)$)"))) << url_;
  httplib::Client client("127.0.0.1", std::stoi(m[1]));
  client.set_read_timeout(10, 0);

  // Every task reports, the bolts run, and split has thrown.
  json t;
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto r = client.Get("/api/v1/topologies/viewed");
        if (!r || r->status != 200) return false;
        t = json::parse(r->body, nullptr, false);
        return !t.is_discarded() && t["tasks_reporting"] == t["tasks"] &&
               t["components"]["count"]["metrics"]["1m"]["executed"].get<double>() > 0 &&
               t["components"]["slow"]["metrics"]["1m"]["executed"].get<double>() > 0 &&
               !t["exceptions"].empty();
      },
      90))
      << t.dump(2);

  // The page and its files: the right types, and a policy that allows
  // nothing from elsewhere.
  for (const auto& [path, type] : std::map<std::string, std::string>{
           {"/", "text/html"}, {"/ui/app.js", "text/javascript"}, {"/ui/app.css", "text/css"}}) {
    auto r = client.Get(path.c_str());
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 200) << path;
    EXPECT_EQ(r->get_header_value("Content-Type").rfind(type, 0), 0u)
        << path << ": " << r->get_header_value("Content-Type");
    const std::string csp = r->get_header_value("Content-Security-Policy");
    EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << path << ": " << csp;
    EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
    EXPECT_EQ(csp.find("http"), std::string::npos) << "no other origin: " << csp;
  }
  auto missing = client.Get("/ui/nothing.js");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  // The page loads nothing from anywhere else.
  auto page = client.Get("/");
  ASSERT_TRUE(page);
  EXPECT_FALSE(std::regex_search(page->body, std::regex(R"((src|href)="(https?:)?//)")))
      << page->body;

  BrowserResult first = DumpDom();
  ASSERT_TRUE(first.finished) << first.err;
  EXPECT_EQ(first.exit_code, 0) << first.err;
  // The graph: a node for every component, an edge for every stream.
  EXPECT_EQ(NodesIn(first.out), kComponents) << first.out;
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"sentences", "split"}, {"numbers", "split"}, {"split", "count"}, {"split", "slow"}}) {
    EXPECT_NE(first.out.find("data-from=\"" + from + "\" data-to=\"" + to + "\""),
              std::string::npos)
        << from << " -> " << to;
  }
  EXPECT_NE(first.out.find(">fields(word)<"), std::string::npos) << "grouping on the edge";
  // Each stream of an edge carries its own rate: what the target executed
  // of that stream. count has run within the last minute, so its edge moves.
  std::map<std::string, double> edge_rates = EdgeRatesIn(first.out);
  EXPECT_EQ(edge_rates.size(), 4u) << first.out;
  EXPECT_GT(edge_rates["split>count:default"], 0) << first.out;
  // The table: a row for every component.
  std::map<std::string, std::string> rates1 = RatesIn(first.out);
  std::set<std::string> rows;
  for (const auto& [id, rate] : rates1) rows.insert(id);
  EXPECT_EQ(rows, kComponents) << first.out;
  EXPECT_GT(std::stod(rates1["count"]), 0) << first.out;
  // The exceptions split threw.
  EXPECT_TRUE(
      std::regex_search(first.out, std::regex(R"(<span class="where">split:[0-9]+</span>)")))
      << first.out;
  EXPECT_NE(first.out.find("<span id=\"state\" class=\"badge active\">active</span>"),
            std::string::npos);

  // A second read, a moment later: the rates moved.
  std::map<std::string, std::string> rates2;
  ASSERT_TRUE(WaitUntil(
      [&] {
        BrowserResult again = DumpDom();
        rates2 = RatesIn(again.out);
        return again.finished && NodesIn(again.out) == kComponents && rates2.size() == 5 &&
               (rates2["split"] != rates1["split"] || rates2["count"] != rates1["count"]);
      },
      60))
      << "split " << rates1["split"] << " -> " << rates2["split"];

  // A picture of the page.
  BrowserResult shot = RunHeadlessChromium(
      dir_.path().string(),
      {"--hide-scrollbars", "--window-size=1280,900", "--virtual-time-budget=5000",
       "--screenshot=" + dir_.Join("ui.png")},
      url_ + "/", 120);
  ASSERT_TRUE(shot.finished) << shot.err;
  const std::string png = ReadFile(dir_.Join("ui.png"));
  ASSERT_GT(png.size(), 1000u) << shot.err;
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  if (const char* keep = std::getenv("GALE_UI_SCREENSHOT")) {
    std::filesystem::copy_file(dir_.Join("ui.png"), keep,
                               std::filesystem::copy_options::overwrite_existing);
  }
}

// Cycles: b feeds a back, c feeds itself. Tuples circulate until the
// process is stopped.
const char* kCyclicYaml = R"(name: cyclic
spouts:
  - id: numbers
    className: SequenceSpout
    properties:
      - {name: count, value: 100}
bolts:
  - {id: a, className: FailingBolt, properties: [{name: fields, value: [id]}]}
  - {id: b, className: FailingBolt, properties: [{name: fields, value: [id]}]}
  - {id: c, className: FailingBolt, properties: [{name: fields, value: [id]}]}
streams:
  - {from: numbers, to: a, grouping: {type: SHUFFLE}}
  - {from: a, to: b, grouping: {type: SHUFFLE}}
  - {from: b, to: a, grouping: {type: SHUFFLE}}
  - {from: b, to: c, grouping: {type: SHUFFLE}}
  - {from: c, to: c, grouping: {type: SHUFFLE}}
)";

TEST_F(WebUi, LaysOutCyclesByDepthWithTheClosingEdgesDrawnBack) {
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/chromium"))
      << "chromium is not installed; run deploy/install-deps.sh";
  // Served by gale local this time; killed by its destructor at the end.
  auto gale = ChildProcess::Start({{kGale, "local", dir_.Write("cyclic.yaml", kCyclicYaml),
                                    "--http", "0", "--quiet"},
                                   false, false, "", dir_.Join("err")});
  ASSERT_NE(gale, nullptr);
  std::smatch m;
  std::string err;
  ASSERT_TRUE(WaitUntil(
      [&] {
        err = ReadFile(dir_.Join("err"));
        return std::regex_search(err, m, std::regex(R"(serving (http://127\.0\.0\.1:\d+) )"));
      },
      30))
      << err;
  url_ = m[1];
  BrowserResult page;
  ASSERT_TRUE(WaitUntil(
      [&] {
        page = DumpDom();
        return page.finished && NodesIn(page.out).size() == 4;
      },
      60))
      << page.out << page.err;
  // Depth from the spout: numbers, a, b, c left to right, whatever the cycles.
  std::map<std::string, double> x;
  std::regex node_re(
      R"re(<g class="node [^"]*" data-component="([a-z]+)" transform="translate\(([0-9.]+),)re");
  for (auto it = std::sregex_iterator(page.out.begin(), page.out.end(), node_re);
       it != std::sregex_iterator(); ++it) {
    x[(*it)[1]] = std::stod((*it)[2]);
  }
  ASSERT_EQ(x.size(), 4u) << page.out;
  EXPECT_LT(x["numbers"], x["a"]);
  EXPECT_LT(x["a"], x["b"]);
  EXPECT_LT(x["b"], x["c"]);
  // The edges that close a cycle are the ones drawn back.
  auto edge_class = [&](const std::string& from, const std::string& to) {
    std::smatch e;
    std::regex re("<g class=\"([a-z ]+)\" data-from=\"" + from + "\" data-to=\"" + to + "\">");
    return std::regex_search(page.out, e, re) ? std::string(e[1]) : std::string("missing");
  };
  EXPECT_EQ(edge_class("numbers", "a"), "edge");
  EXPECT_EQ(edge_class("a", "b"), "edge");
  EXPECT_EQ(edge_class("b", "c"), "edge");
  EXPECT_EQ(edge_class("b", "a"), "edge back");
  EXPECT_EQ(edge_class("c", "c"), "edge back");
}

}  // namespace
}  // namespace gale
