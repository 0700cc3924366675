// Records that cannot be processed and records without a value, end to end
// with the real `gale local` against the test broker: a poison record is
// replayed max.retries times, then written to the dead-letter topic (or
// dropped and counted) and committed past; a dead letter that cannot be
// written holds the commit; tombstones are emitted or skipped, produced or
// skipped, and every skip is counted.

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "child_process.h"
#include "kafka_test_client.h"
#include "support/run_command.h"
#include "test_broker.h"
#include "test_util.h"

namespace gale::testing {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kPoisonKey[] = "poison";

// Records k0..k<n-1> with values v0.., and the poison record (key
// kPoisonKey, value `poison_value`) after the first `poison_at`.
std::vector<KeyValue> WithPoison(int n, int poison_at, const std::string& poison_value) {
  std::vector<KeyValue> records;
  for (int i = 0; i < n; ++i) {
    if (i == poison_at) records.push_back({std::string(kPoisonKey), poison_value});
    records.push_back({"k" + std::to_string(i), "v" + std::to_string(i)});
  }
  return records;
}

// KafkaSpout -> FailingBolt failing every tuple whose key is kPoisonKey ->
// FileSinkBolt. `spout_props`: more spout properties, YAML flow maps, one per
// line, indented by 6.
std::string PoisonTopology(const ScratchDir& dir, const std::string& group,
                           const std::string& spout_props) {
  return dir.Write("poison.yaml", R"(name: poison
config:
  topology.acking: true
  topology.max.spout.pending: 100
  topology.message.timeout.secs: 30
spouts:
  - id: kafka
    className: KafkaSpout
    properties:
      - {name: topic, value: events}
      - {name: group.id, value: )" + group +
                                      R"(}
)" + spout_props + R"(
bolts:
  - id: check
    className: FailingBolt
    properties:
      - {name: fields, value: [topic, partition, offset, key, value]}
      - {name: fail.field, value: key}
      - {name: fail.value, value: )" + kPoisonKey +
                                      R"(}
  - id: sink
    className: FileSinkBolt
    config:
      topology.tick.tuple.freq.secs: 0.2
    properties:
      - {name: path, value: ")" + dir.Join("sink-{task}.tsv") +
                                      R"("}
streams:
  - {from: kafka, to: check, grouping: {type: SHUFFLE}}
  - {from: check, to: sink, grouping: {type: SHUFFLE}}
)");
}

// Where the poison record landed: (partition, offset).
std::pair<std::int32_t, std::int64_t> FindPoison(KafkaTestClient& kafka) {
  for (const KafkaRecord& r : kafka.ReadAll("events")) {
    if (r.key == std::string(kPoisonKey)) return {r.partition, r.offset};
  }
  ADD_FAILURE() << "no poison record in events";
  return {-1, -1};
}

// The keys the file sink wrote (column 4 of topic, partition, offset, key, value).
std::multiset<std::string> SinkKeys(const ScratchDir& dir) {
  std::multiset<std::string> keys;
  for (const auto& row : ReadTsvFiles(dir, "sink-")) {
    EXPECT_EQ(row.size(), 5u);
    if (row.size() == 5) keys.insert(row[3]);
  }
  return keys;
}

// component -> count from the summary's "dropped (...): a 1, b 2" line;
// empty when there is no such line.
std::map<std::string, std::uint64_t> DroppedLine(const std::string& out) {
  std::map<std::string, std::uint64_t> dropped;
  const std::string prefix = "dropped (not replayed; see the log for why): ";
  std::size_t at = out.find(prefix);
  if (at == std::string::npos) return dropped;
  std::size_t end = out.find('\n', at);
  std::istringstream in(out.substr(at + prefix.size(), end - at - prefix.size()));
  std::string item;
  while (std::getline(in, item, ',')) {
    std::istringstream f(item);
    std::string id;
    std::uint64_t n = 0;
    f >> id >> n;
    dropped[id] = n;
  }
  return dropped;
}

std::optional<std::string> Header(const KafkaRecord& r, const std::string& name) {
  for (const auto& [key, value] : r.headers) {
    if (key == name) return value;
  }
  return std::nullopt;
}

void ExpectCompleted(const CommandResult& r) {
  EXPECT_EQ(r.exit_code, 0) << "stderr:\n" << r.err << "\nstdout:\n" << r.out;
  EXPECT_NE(r.out.find("completed"), std::string::npos) << r.out;
}

TEST(KafkaDeadLetter, PoisonRecordIsRetriedThenDeadLetteredAndCommittedPast) {
  ScratchDir dir;
  auto broker = TestBroker::Start(kBrokerBin, {"--topic", "events:2", "--topic", "events-dead:1"},
                                  dir.Join("broker.err"));
  ASSERT_NE(broker, nullptr);
  KafkaTestClient kafka(broker->bootstrap());
  ASSERT_TRUE(kafka.ProduceRecords("events", WithPoison(40, 20, "the-bad-value")));
  const auto [partition, offset] = FindPoison(kafka);

  std::string yaml = PoisonTopology(dir, "dead-letters",
                                    "      - {name: max.retries, value: 3}\n"
                                    "      - {name: dead.letter.topic, value: events-dead}");
  CommandResult r = RunCommand(GaleLocal(yaml, broker->bootstrap(), " -c bounded=true"), dir, 120);
  ExpectCompleted(r);

  SummaryRow spout = FindSummaryRow(r.out, "kafka");
  EXPECT_EQ(spout.failed, 4u) << "processed once and replayed max.retries (3) times";
  EXPECT_EQ(spout.acked, 40u);
  EXPECT_EQ(spout.timed_out, 0u);
  EXPECT_TRUE(DroppedLine(r.out).empty()) << "a dead-lettered record is not dropped\n" << r.out;
  EXPECT_NE(r.err.find("written to dead-letter topic 'events-dead'"), std::string::npos) << r.err;

  std::vector<KafkaRecord> dead = kafka.ReadAll("events-dead");
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].key, std::string(kPoisonKey));
  EXPECT_EQ(dead[0].value, std::string("the-bad-value"));
  EXPECT_EQ(Header(dead[0], "gale.origin.topic"), std::string("events"));
  EXPECT_EQ(Header(dead[0], "gale.origin.partition"), std::to_string(partition));
  EXPECT_EQ(Header(dead[0], "gale.origin.offset"), std::to_string(offset));
  EXPECT_EQ(Header(dead[0], "gale.origin.group"), std::string("dead-letters"));
  std::optional<std::string> reason = Header(dead[0], "gale.failure.reason");
  ASSERT_TRUE(reason);
  EXPECT_NE(reason->find("failed 4 times (max.retries 3)"), std::string::npos) << *reason;

  // Committed past the poison record; every other record reached the sink once.
  EXPECT_EQ(kafka.Committed("dead-letters", "events"), kafka.EndOffsets("events"));
  std::multiset<std::string> keys = SinkKeys(dir);
  EXPECT_EQ(keys.size(), 40u);
  EXPECT_EQ(keys.count(kPoisonKey), 0u);
  EXPECT_EQ(broker->Stop(), 0);
}

TEST(KafkaDeadLetter, WithoutADeadLetterTopicTheGiveUpIsDroppedCountedAndLogged) {
  ScratchDir dir;
  auto broker = TestBroker::Start(kBrokerBin, {"--topic", "events:1"}, dir.Join("broker.err"));
  ASSERT_NE(broker, nullptr);
  KafkaTestClient kafka(broker->bootstrap());
  ASSERT_TRUE(kafka.ProduceRecords("events", WithPoison(20, 5, "x")));

  std::string yaml =
      PoisonTopology(dir, "no-dead-letters", "      - {name: max.retries, value: 2}");
  CommandResult r = RunCommand(GaleLocal(yaml, broker->bootstrap(), " -c bounded=true"), dir, 120);
  ExpectCompleted(r);
  EXPECT_EQ(FindSummaryRow(r.out, "kafka").failed, 3u);
  EXPECT_EQ(DroppedLine(r.out), (std::map<std::string, std::uint64_t>{{"kafka", 1}})) << r.out;
  EXPECT_NE(r.err.find("record events/0@5 failed after 2 replays (max.retries); dropping it"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(kafka.Committed("no-dead-letters", "events"),
            (std::map<std::int32_t, std::int64_t>{{0, 21}}));
  EXPECT_EQ(SinkKeys(dir).size(), 20u);
  EXPECT_EQ(broker->Stop(), 0);
}

// The dead-letter producer refuses the record (larger than its
// message.max.bytes): the spout says so, retries, and never commits past
// the record; the records after it are processed but not committed.
TEST(KafkaDeadLetter, AFailedDeadLetterWriteHoldsTheCommit) {
  ScratchDir dir;
  auto broker = TestBroker::Start(kBrokerBin, {"--topic", "events:1", "--topic", "events-dead:1"},
                                  dir.Join("broker.err"));
  ASSERT_NE(broker, nullptr);
  KafkaTestClient kafka(broker->bootstrap());
  ASSERT_TRUE(kafka.ProduceRecords("events", WithPoison(20, 10, std::string(3000, 'p'))));

  std::string yaml =
      PoisonTopology(dir, "held",
                     "      - {name: max.retries, value: 1}\n"
                     "      - {name: dead.letter.topic, value: events-dead}\n"
                     "      - {name: kafka.producer.message.max.bytes, value: 1000}\n"
                     "      - {name: offset.commit.period.ms, value: 200}");
  ChildProcess::Options o;
  o.argv = {"/bin/sh", "-c", "exec " + GaleLocal(yaml, broker->bootstrap())};
  o.stdout_file = dir.Join("gale.out");
  o.stderr_file = dir.Join("gale.err");
  auto gale = ChildProcess::Start(o);
  ASSERT_NE(gale, nullptr);

  // The first failed write is logged at once, the retries of the next 5 s
  // in the following line.
  const std::string failed_write =
      "cannot write record events/0@10 to dead-letter topic 'events-dead'";
  auto retried = [&] {
    std::string err = ReadFile(dir.Join("gale.err"));
    std::size_t first = err.find(failed_write);
    return first != std::string::npos &&
           err.find("similar lines suppressed", first) != std::string::npos;
  };
  auto deadline = Clock::now() + std::chrono::seconds(60);
  while (!retried() && Clock::now() < deadline && !gale->Wait(std::chrono::milliseconds(200))) {
  }
  std::string err = ReadFile(dir.Join("gale.err"));
  ASSERT_TRUE(retried()) << err;
  EXPECT_NE(err.find("not committing past it, retrying in 1 s"), std::string::npos) << err;
  EXPECT_EQ(SinkKeys(dir).size(), 20u) << "the records after it are processed";
  EXPECT_EQ(kafka.Committed("held", "events"), (std::map<std::int32_t, std::int64_t>{{0, 10}}));

  gale->Signal(SIGTERM);
  std::optional<int> code = gale->Wait(std::chrono::seconds(30));
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << ReadFile(dir.Join("gale.err"));
  EXPECT_EQ(kafka.Committed("held", "events"), (std::map<std::int32_t, std::int64_t>{{0, 10}}))
      << "stopping does not commit past it either";
  EXPECT_EQ(kafka.EndOffsets("events-dead"), (std::map<std::int32_t, std::int64_t>{{0, 0}}));
  EXPECT_EQ(broker->Stop(), 0);
}

// Tombstones (records with a null value) in and out: one spout emits them
// and KafkaBolt writes them as tombstones; a second spout skips them; a
// second KafkaBolt skips them. Each skip is counted as dropped.
TEST(KafkaTombstones, EmittedAndProducedOrSkippedAndCounted) {
  ScratchDir dir;
  auto broker = TestBroker::Start(kBrokerBin,
                                  {"--topic", "events:2", "--topic", "copied:1", "--topic",
                                   "copied-live:1", "--topic", "copied-skip:1"},
                                  dir.Join("broker.err"));
  ASSERT_NE(broker, nullptr);
  KafkaTestClient kafka(broker->bootstrap());
  std::vector<KeyValue> records;
  std::multiset<std::pair<std::string, std::optional<std::string>>> all, live;
  for (int i = 0; i < 30; ++i) {
    std::optional<std::string> value;
    if (i % 3 != 0) value = "v" + std::to_string(i);
    records.push_back({"k" + std::to_string(i), value});
    all.emplace("k" + std::to_string(i), value);
    if (value) live.emplace("k" + std::to_string(i), value);
  }
  ASSERT_TRUE(kafka.ProduceRecords("events", records));

  auto spout = [](const std::string& id, const std::string& more) {
    return "  - id: " + id +
           "\n    className: KafkaSpout\n    properties:\n"
           "      - {name: topic, value: events}\n"
           "      - {name: group.id, value: " +
           id + "}\n" + more;
  };
  auto bolt = [](const std::string& id, const std::string& topic, const std::string& more) {
    return "  - id: " + id +
           "\n    className: KafkaBolt\n    config:\n"
           "      topology.tick.tuple.freq.secs: 0.2\n    properties:\n"
           "      - {name: topic, value: " +
           topic +
           "}\n"
           "      - {name: key.field, value: key}\n" +
           more;
  };
  std::string yaml = "name: tombstones\nconfig:\n  topology.acking: true\nspouts:\n" +
                     spout("all", "") + spout("live", "      - {name: tombstones, value: skip}\n") +
                     "bolts:\n" + bolt("copy", "copied", "") +
                     bolt("copy-live", "copied-live", "") +
                     bolt("copy-skip", "copied-skip", "      - {name: tombstones, value: skip}\n") +
                     "streams:\n"
                     "  - {from: all, to: copy, grouping: {type: SHUFFLE}}\n"
                     "  - {from: live, to: copy-live, grouping: {type: SHUFFLE}}\n"
                     "  - {from: all, to: copy-skip, grouping: {type: SHUFFLE}}\n";
  CommandResult r = RunCommand(
      GaleLocal(dir.Write("tombstones.yaml", yaml), broker->bootstrap(), " -c bounded=true"), dir,
      120);
  ExpectCompleted(r);

  auto read = [&](const std::string& topic) {
    std::multiset<std::pair<std::string, std::optional<std::string>>> out;
    for (const KafkaRecord& rec : kafka.ReadAll(topic))
      out.emplace(rec.key.value_or("-"), rec.value);
    return out;
  };
  EXPECT_EQ(read("copied"), all) << "tombstones in, tombstones out";
  EXPECT_EQ(read("copied-live"), live) << "skipped by the spout";
  EXPECT_EQ(read("copied-skip"), live) << "skipped by the bolt";
  EXPECT_EQ(DroppedLine(r.out),
            (std::map<std::string, std::uint64_t>{{"live", 10}, {"copy-skip", 10}}))
      << r.out;
  EXPECT_EQ(FindSummaryRow(r.out, "live").emitted, 20u);
  EXPECT_EQ(FindSummaryRow(r.out, "all").emitted, 30u);
  EXPECT_EQ(kafka.Committed("all", "events"), kafka.EndOffsets("events"));
  EXPECT_EQ(kafka.Committed("live", "events"), kafka.EndOffsets("events"))
      << "skipped tombstones are committed past";
  EXPECT_EQ(broker->Stop(), 0);
}

}  // namespace
}  // namespace gale::testing
