// End-to-end Kafka pipelines: the real `gale local` against the test broker
// (gale-kafka-broker, a separate process), data produced and checked with
// librdkafka from the test.

#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "child_process.h"
#include "kafka_test_client.h"
#include "support/run_command.h"
#include "test_broker.h"
#include "test_util.h"

namespace gale::testing {
namespace {

using Records = std::vector<std::pair<std::optional<std::string>, std::string>>;
using Clock = std::chrono::steady_clock;

std::string Topologies(const std::string& file) { return kSourceDir + "/topologies/" + file; }

// The group's committed offsets of `topic`, with "no commit" (-1001) read as
// 0 for partitions that were empty: a spout has nothing to commit there.
std::map<std::int32_t, std::int64_t> CommittedOrZero(KafkaTestClient& kafka,
                                                     const std::string& group,
                                                     const std::string& topic) {
  std::map<std::int32_t, std::int64_t> committed = kafka.Committed(group, topic);
  for (auto& [p, offset] : committed) {
    if (offset < 0) offset = 0;
  }
  return committed;
}

// Expects `gale local` to have exited 0 after its spouts were exhausted.
void ExpectCompleted(const CommandResult& r) {
  EXPECT_EQ(r.exit_code, 0) << "stderr:\n" << r.err << "\nstdout:\n" << r.out;
  EXPECT_NE(r.out.find("completed"), std::string::npos) << r.out;
}

// (a) 10,000 lines of known words through kafka-wordcount.yaml: the last
// count of each word on `word-counts` equals the true count.
TEST(KafkaPipelines, WordCountEqualsTruth) {
  ScratchDir dir;
  auto broker = TestBroker::Start(kBrokerBin, {"--topic", "words:4", "--topic", "word-counts:3"},
                                  dir.Join("broker.err"));
  ASSERT_NE(broker, nullptr);
  KafkaTestClient kafka(broker->bootstrap());

  const std::vector<std::string> vocabulary = {"alpha", "bravo",   "charlie", "delta",
                                               "echo",  "foxtrot", "golf",    "hotel",
                                               "india", "juliet",  "kilo",    "lima"};
  std::mt19937 rng(17);
  std::map<std::string, std::int64_t> truth;
  std::int64_t words = 0;
  Records lines;
  for (int i = 0; i < 10000; ++i) {
    std::string line;
    int n = 1 + static_cast<int>(rng() % 6);
    for (int w = 0; w < n; ++w) {
      const std::string& word = vocabulary[rng() % vocabulary.size()];
      line += (w > 0 ? " " : "") + word;
      ++truth[word];
      ++words;
    }
    lines.emplace_back("line" + std::to_string(i), line);  // keys spread the partitions
  }
  ASSERT_TRUE(kafka.Produce("words", lines));

  CommandResult r = RunCommand(
      GaleLocal(Topologies("kafka-wordcount.yaml"), broker->bootstrap(), " -c bounded=true"), dir,
      120);
  ExpectCompleted(r);

  std::map<std::string, std::int64_t> final_counts;
  std::vector<KafkaRecord> counts = kafka.ReadAll("word-counts");
  for (const KafkaRecord& c : counts) {
    ASSERT_TRUE(c.key && c.value) << "record without key or value at " << c.partition << "/"
                                  << c.offset;
    std::int64_t n = std::stoll(*c.value);
    final_counts[*c.key] = std::max(final_counts[*c.key], n);
  }
  EXPECT_EQ(final_counts, truth);
  EXPECT_GE(counts.size(), static_cast<std::size_t>(words));
  EXPECT_EQ(FindSummaryRow(r.out, "lines").acked, lines.size());
  // Everything acked was committed.
  EXPECT_EQ(CommittedOrZero(kafka, "kafka-wordcount", "words"), kafka.EndOffsets("words"));
  EXPECT_EQ(broker->Stop(), 0);
}

// The identity pipeline of the at-least-once and outage tests: KafkaSpout
// (default translator) -> `middle` -> FileSinkBolt writing topic, partition,
// offset, key, value; optionally also -> KafkaBolt copying values to `copied`.
std::string IdentityTopology(const ScratchDir& dir, const std::string& group, int spout_tasks,
                             const std::string& middle_class, const std::string& middle_props,
                             bool copy_to_kafka) {
  std::string yaml = R"(name: identity
config:
  topology.acking: true
  topology.max.spout.pending: 500
  topology.message.timeout.secs: 30
spouts:
  - id: kafka
    className: KafkaSpout
    parallelism: )" + std::to_string(spout_tasks) +
                     R"(
    properties:
      - name: topic
        value: events
      - name: group.id
        value: )" + group +
                     R"(
bolts:
  - id: middle
    className: )" + middle_class +
                     R"(
    parallelism: 2
    properties:
      - name: fields
        value: [topic, partition, offset, key, value]
)" + middle_props + R"(
  - id: sink
    className: FileSinkBolt
    parallelism: 1
    config:
      topology.tick.tuple.freq.secs: 0.2
    properties:
      - name: path
        value: ")" + dir.Join("sink-{task}.tsv") +
                     R"("
)";
  if (copy_to_kafka) {
    yaml += R"(  - id: copy
    className: KafkaBolt
    parallelism: 1
    config:
      topology.tick.tuple.freq.secs: 0.2
    properties:
      - name: topic
        value: copied
)";
  }
  yaml += R"(streams:
  - from: kafka
    to: middle
    grouping: {type: SHUFFLE}
  - from: middle
    to: sink
    grouping: {type: SHUFFLE}
)";
  if (copy_to_kafka) {
    yaml += R"(  - from: middle
    to: copy
    grouping: {type: SHUFFLE}
)";
  }
  return dir.Write("identity.yaml", yaml);
}

Records NumberedRecords(int count) {
  Records records;
  for (int i = 0; i < count; ++i)
    records.emplace_back("k" + std::to_string(i), "v" + std::to_string(i));
  return records;
}

// (partition, offset) pairs the file sink wrote.
std::multiset<std::pair<std::int32_t, std::int64_t>> SinkOffsets(const ScratchDir& dir) {
  std::multiset<std::pair<std::int32_t, std::int64_t>> seen;
  for (const auto& row : ReadTsvFiles(dir, "sink-")) {
    EXPECT_EQ(row.size(), 5u);
    if (row.size() != 5) continue;
    EXPECT_EQ(row[0], "events");
    seen.emplace(std::stoi(row[1]), std::stoll(row[2]));
  }
  return seen;
}

// Every offset below the end of each partition was processed at least once,
// and the group committed exactly the end offsets.
void ExpectEveryOffsetProcessed(KafkaTestClient& kafka, const ScratchDir& dir,
                                const std::string& group) {
  std::map<std::int32_t, std::int64_t> ends = kafka.EndOffsets("events");
  std::multiset<std::pair<std::int32_t, std::int64_t>> seen = SinkOffsets(dir);
  std::size_t missing = 0, total = 0;
  for (const auto& [p, end] : ends) {
    for (std::int64_t o = 0; o < end; ++o) {
      ++total;
      if (seen.count({p, o}) == 0 && ++missing <= 5) {
        ADD_FAILURE() << "offset " << p << "/" << o << " never reached the sink";
      }
    }
  }
  EXPECT_EQ(missing, 0u) << "of " << total;
  EXPECT_GE(seen.size(), total);
  std::map<std::int32_t, std::int64_t> committed = CommittedOrZero(kafka, group, "events");
  EXPECT_EQ(committed, ends);
  // A commit never runs ahead of what the sink saw.
  for (const auto& [p, c] : committed) {
    for (std::int64_t o = 0; o < c; ++o) {
      if (seen.count({p, o}) == 0) {
        ADD_FAILURE() << "committed " << p << "@" << c << " but offset " << o << " is missing";
        break;
      }
    }
  }
}

// (b) At-least-once: a bolt fails 5% of the tuples; every record still
// reaches the sink and the commits cover exactly what was processed.
TEST(KafkaPipelines, FailedTuplesAreReplayedAndCommitsFollowAcks) {
  ScratchDir dir;
  auto broker = TestBroker::Start(kBrokerBin, {"--topic", "events:4"}, dir.Join("broker.err"));
  ASSERT_NE(broker, nullptr);
  KafkaTestClient kafka(broker->bootstrap());
  ASSERT_TRUE(kafka.Produce("events", NumberedRecords(5000)));

  std::string yaml = IdentityTopology(dir, "at-least-once", /*spout_tasks=*/2, "FailingBolt",
                                      "      - name: fail.fraction\n        value: 0.05\n",
                                      /*copy_to_kafka=*/false);
  CommandResult r = RunCommand(GaleLocal(yaml, broker->bootstrap(), " -c bounded=true"), dir, 120);
  ExpectCompleted(r);
  SummaryRow spout = FindSummaryRow(r.out, "kafka");
  EXPECT_GT(spout.failed, 100u) << "the failing bolt should have failed ~250 tuples";
  EXPECT_GE(spout.acked, 5000u) << "every record acked at least once (a rebalance may replay some)";
  ExpectEveryOffsetProcessed(kafka, dir, "at-least-once");
  EXPECT_EQ(broker->Stop(), 0);
}

// (c) The broker goes down for 3 s mid-run: nothing is lost on the way from
// `events` through the topology to the file sink and to topic `copied`.
TEST(KafkaPipelines, BrokerOutageLosesNothing) {
  ScratchDir dir;
  auto broker = TestBroker::Start(kBrokerBin, {"--topic", "events:4", "--topic", "copied:2"},
                                  dir.Join("broker.err"));
  ASSERT_NE(broker, nullptr);
  KafkaTestClient kafka(broker->bootstrap());
  const int kRecords = 4000;
  ASSERT_TRUE(kafka.Produce("events", NumberedRecords(kRecords)));

  // SlowBolt (1 ms per tuple, 2 tasks) stretches the run over a few seconds.
  std::string yaml = IdentityTopology(dir, "outage", /*spout_tasks=*/1, "SlowBolt",
                                      "      - name: sleep.ms\n        value: 1\n",
                                      /*copy_to_kafka=*/true);
  ChildProcess::Options o;
  o.argv = {"/bin/sh", "-c", "exec " + GaleLocal(yaml, broker->bootstrap(), " -c bounded=true")};
  o.stdout_file = dir.Join("gale.out");
  o.stderr_file = dir.Join("gale.err");
  auto gale = ChildProcess::Start(o);
  ASSERT_NE(gale, nullptr);

  // Wait until records flow, then take the broker down mid-run.
  auto deadline = Clock::now() + std::chrono::seconds(60);
  while (SinkOffsets(dir).size() < 300 && Clock::now() < deadline &&
         !gale->Wait(std::chrono::milliseconds(50))) {
  }
  std::size_t before = SinkOffsets(dir).size();
  ASSERT_GE(before, 300u) << ReadFile(dir.Join("gale.err"));
  ASSERT_LT(before, static_cast<std::size_t>(kRecords)) << "the run ended before the outage";
  EXPECT_EQ(broker->Command("down 1"), "ok");
  std::this_thread::sleep_for(std::chrono::seconds(3));  // the outage itself
  EXPECT_EQ(broker->Command("up 1"), "ok");

  std::optional<int> code = gale->Wait(std::chrono::seconds(120));
  ASSERT_TRUE(code.has_value()) << "gale did not finish after the outage";
  std::string out = ReadFile(dir.Join("gale.out"));
  EXPECT_EQ(*code, 0) << ReadFile(dir.Join("gale.err"));
  EXPECT_NE(out.find("completed"), std::string::npos) << out;

  ExpectEveryOffsetProcessed(kafka, dir, "outage");
  std::set<std::string> copied;
  for (const KafkaRecord& rec : kafka.ReadAll("copied")) copied.insert(rec.value.value_or(""));
  for (int i = 0; i < kRecords; ++i) {
    if (copied.count("v" + std::to_string(i)) == 0) {
      ADD_FAILURE() << "v" << i << " never reached topic copied";
      break;
    }
  }
  EXPECT_EQ(broker->Stop(), 0);
}

// (d) IP fraud end to end: exactly the lines with a listed first octet come
// out, on topic `fraudip` (key: the IP) and in the file sink.
TEST(KafkaPipelines, IpFraudFlagsExactlyTheFraudLines) {
  ScratchDir dir;
  auto broker = TestBroker::Start(kBrokerBin, {"--topic", "iprecord:3", "--topic", "fraudip:2"},
                                  dir.Join("broker.err"));
  ASSERT_NE(broker, nullptr);
  KafkaTestClient kafka(broker->bootstrap());

  const std::set<int> fraud_octets = {10, 66, 172, 203};  // as in ip-fraud.yaml
  std::mt19937 rng(5);
  Records lines;
  std::multiset<std::string> expected_lines, expected_sink;
  for (int i = 0; i < 3000; ++i) {
    int first = 1 + static_cast<int>(rng() % 223);
    if (i % 7 == 0) first = *std::next(fraud_octets.begin(), static_cast<long>(rng() % 4));
    std::string ip = std::to_string(first) + "." + std::to_string(rng() % 256) + "." +
                     std::to_string(rng() % 256) + "." + std::to_string(rng() % 256);
    std::string line = ip + ",2024-05-01 10:00:" + std::to_string(10 + i % 50) + ",/page" +
                       std::to_string(i) + ",HTTP/1.1," + (i % 11 == 0 ? "404" : "200");
    if (i % 500 == 1) line = "not a web-log line " + std::to_string(i);  // skipped
    lines.emplace_back(ip, line);
    if (i % 500 != 1 && fraud_octets.count(first) > 0) {
      expected_lines.insert(line);
      expected_sink.insert(ip + "\t" + line);
    }
  }
  ASSERT_FALSE(expected_lines.empty());
  ASSERT_TRUE(kafka.Produce("iprecord", lines));

  std::string yaml = ReplaceOnce(ReadFile(Topologies("ip-fraud.yaml")), "/tmp/gale-fraud-ips.txt",
                                 dir.Join("fraud.txt"));
  CommandResult r = RunCommand(
      GaleLocal(dir.Write("ip-fraud.yaml", yaml), broker->bootstrap(), " -c bounded=true"), dir,
      120);
  ExpectCompleted(r);

  std::multiset<std::string> out_lines;
  for (const KafkaRecord& rec : kafka.ReadAll("fraudip")) {
    ASSERT_TRUE(rec.key && rec.value);
    EXPECT_EQ(rec.value->substr(0, rec.key->size() + 1), *rec.key + ",");
    out_lines.insert(*rec.value);
  }
  EXPECT_EQ(out_lines, expected_lines);
  std::multiset<std::string> sink;
  for (const auto& row : ReadTsvFiles(dir, "fraud.txt")) {
    ASSERT_EQ(row.size(), 2u);
    sink.insert(row[0] + "\t" + row[1]);
  }
  EXPECT_EQ(sink, expected_sink);
  EXPECT_EQ(CommittedOrZero(kafka, "ip-fraud", "iprecord"), kafka.EndOffsets("iprecord"));
  EXPECT_EQ(broker->Stop(), 0);
}

// The producer topologies write what they generate: log-producer.yaml with
// a bounded WebLogSpout fills `iprecord` with well-formed lines.
TEST(KafkaPipelines, LogProducerWritesWebLogLines) {
  ScratchDir dir;
  auto broker = TestBroker::Start(kBrokerBin, {"--topic", "iprecord:2"}, dir.Join("broker.err"));
  ASSERT_NE(broker, nullptr);
  KafkaTestClient kafka(broker->bootstrap());
  CommandResult r = RunCommand(
      GaleLocal(Topologies("log-producer.yaml"), broker->bootstrap(), " -c count=200"), dir, 60);
  ExpectCompleted(r);
  std::vector<KafkaRecord> records = kafka.ReadAll("iprecord");
  EXPECT_EQ(records.size(), 200u);
  for (const KafkaRecord& rec : records) {
    ASSERT_TRUE(rec.value);
    EXPECT_EQ(std::count(rec.value->begin(), rec.value->end(), ','), 4) << *rec.value;
  }
  EXPECT_EQ(broker->Stop(), 0);
}

// max.records: the spout stops after that many records and commits exactly
// them; the rest stays for the next run.
TEST(KafkaPipelines, MaxRecordsStopsAndCommitsWhatWasRead) {
  ScratchDir dir;
  auto broker = TestBroker::Start(kBrokerBin, {"--topic", "events:1"}, dir.Join("broker.err"));
  ASSERT_NE(broker, nullptr);
  KafkaTestClient kafka(broker->bootstrap());
  ASSERT_TRUE(kafka.Produce("events", NumberedRecords(100)));
  std::string yaml = IdentityTopology(dir, "limited", 1, "FailingBolt", "", false);
  CommandResult r = RunCommand(GaleLocal(yaml, broker->bootstrap(), " -c max.records=40"), dir, 60);
  ExpectCompleted(r);
  std::multiset<std::pair<std::int32_t, std::int64_t>> seen = SinkOffsets(dir);
  EXPECT_EQ(seen.size(), 40u);
  for (std::int64_t o = 0; o < 40; ++o) EXPECT_EQ(seen.count({0, o}), 1u) << o;
  EXPECT_EQ(kafka.Committed("limited", "events"), (std::map<std::int32_t, std::int64_t>{{0, 40}}));
  EXPECT_EQ(broker->Stop(), 0);
}

// SIGTERM stops an unbounded Kafka topology gracefully: the acked offsets
// are committed on the way out.
TEST(KafkaPipelines, SigtermCommitsAckedOffsets) {
  ScratchDir dir;
  auto broker = TestBroker::Start(kBrokerBin, {"--topic", "events:2"}, dir.Join("broker.err"));
  ASSERT_NE(broker, nullptr);
  KafkaTestClient kafka(broker->bootstrap());
  ASSERT_TRUE(kafka.Produce("events", NumberedRecords(500)));
  std::string yaml = IdentityTopology(dir, "sigterm", 1, "FailingBolt", "", false);
  ChildProcess::Options o;
  o.argv = {"/bin/sh", "-c", "exec " + GaleLocal(yaml, broker->bootstrap())};
  o.stdout_file = dir.Join("gale.out");
  o.stderr_file = dir.Join("gale.err");
  auto gale = ChildProcess::Start(o);
  ASSERT_NE(gale, nullptr);
  auto deadline = Clock::now() + std::chrono::seconds(60);
  while (SinkOffsets(dir).size() < 500 && Clock::now() < deadline &&
         !gale->Wait(std::chrono::milliseconds(50))) {
  }
  ASSERT_EQ(SinkOffsets(dir).size(), 500u) << ReadFile(dir.Join("gale.err"));
  gale->Signal(SIGTERM);
  std::optional<int> code = gale->Wait(std::chrono::seconds(30));
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << ReadFile(dir.Join("gale.err"));
  EXPECT_EQ(CommittedOrZero(kafka, "sigterm", "events"), kafka.EndOffsets("events"));
  EXPECT_EQ(broker->Stop(), 0);
}

}  // namespace
}  // namespace gale::testing
