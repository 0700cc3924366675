// Runs the real `gale local` binary on bounded topologies and checks results
// against references computed here.

#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/run_command.h"
#include "support/summary_table.h"

namespace gale {
namespace {

using testing::FindSummaryRow;
using testing::ReadFile;
using testing::ReadTsvFiles;
using testing::RunCommand;
using testing::ScratchDir;
using testing::SummaryRow;

const std::string kGale = GALE_BIN;
const std::string kPlugin = GALE_TEST_PLUGIN;

std::string RunGale(const std::string& args, const ScratchDir& dir, int expect_exit,
                testing::CommandResult* result = nullptr) {
  auto r = RunCommand(kGale + " " + args, dir, 180);
  EXPECT_EQ(r.exit_code, expect_exit) << "stderr:\n" << r.err << "\nstdout:\n" << r.out;
  if (result != nullptr) *result = r;
  return r.out;
}

class WordCount : public ::testing::TestWithParam<bool> {};

TEST_P(WordCount, FinalCountsMatchSingleThreadedReference) {
  const bool acking = GetParam();
  ScratchDir dir;
  std::mt19937 rng(7);
  std::vector<std::string> vocabulary;
  for (int i = 0; i < 60; ++i) vocabulary.push_back("w" + std::to_string(i * 37 % 101));
  std::map<std::string, std::int64_t> reference;
  std::string text;
  for (int line = 0; line < 4000; ++line) {
    int words = 1 + static_cast<int>(rng() % 12);
    for (int w = 0; w < words; ++w) {
      const std::string& word = vocabulary[rng() % vocabulary.size()];
      text += (w ? " " : "") + word;
      ++reference[word];
    }
    text += "\n";
  }
  std::string input = dir.Write("sentences.txt", text);
  std::string yaml = R"(name: wc-test
config:
  topology.acking: )" + std::string(acking ? "true" : "false") + R"(
spouts:
  - id: lines
    className: FileSpout
    parallelism: 2
    properties:
      - name: path
        value: ")" + input + R"("
bolts:
  - id: split
    className: SplitSentenceBolt
    parallelism: 3
  - id: count
    className: WordCountBolt
    parallelism: 4
  - id: sink
    className: FileSinkBolt
    parallelism: 2
    properties:
      - name: path
        value: ")" + dir.Join("counts-{task}.tsv") + R"("
streams:
  - from: lines
    to: split
    grouping: {type: SHUFFLE}
  - from: split
    to: count
    grouping: {type: FIELDS, args: [word]}
  - from: count
    to: sink
    grouping: {type: FIELDS, args: [word]}
)";
  std::string out = RunGale("local " + dir.Write("wc.yaml", yaml) + " --quiet", dir, 0);
  EXPECT_NE(out.find("completed"), std::string::npos) << out;

  std::map<std::string, std::int64_t> final_counts;
  for (const auto& row : ReadTsvFiles(dir, "counts-")) {
    ASSERT_EQ(row.size(), 2u);
    std::int64_t c = std::stoll(row[1]);
    final_counts[row[0]] = std::max(final_counts[row[0]], c);
  }
  EXPECT_EQ(final_counts, reference);
  std::int64_t total_words = 0;
  for (const auto& [w, c] : reference) total_words += c;
  SummaryRow count = FindSummaryRow(out, "count");
  EXPECT_EQ(count.executed, static_cast<std::uint64_t>(total_words));
  SummaryRow lines = FindSummaryRow(out, "lines");
  EXPECT_EQ(lines.emitted, 4000u);
  EXPECT_EQ(lines.acked, 4000u);
}

INSTANTIATE_TEST_SUITE_P(AckingOnAndOff, WordCount, ::testing::Values(true, false));

struct SpoutRecord {
  int acks = 0, fails = 0, emits = 0;
};

std::map<std::int64_t, SpoutRecord> ReadSpoutRecords(const std::string& path) {
  std::map<std::int64_t, SpoutRecord> records;
  std::istringstream in(ReadFile(path));
  std::int64_t id;
  SpoutRecord r;
  while (in >> id >> r.acks >> r.fails >> r.emits) records[id] = r;
  return records;
}

TEST(Reliability, EveryIdIsDeliveredAndAckedOnceDespiteFailuresAndTimeouts) {
  ScratchDir dir;
  constexpr int kCount = 20000;
  std::string yaml = R"(name: reliability
config:
  topology.acking: true
  topology.message.timeout.secs: 2
  topology.max.spout.pending: 2000
spouts:
  - id: ids
    className: RecordingSpout
    properties:
      - {name: count, value: )" + std::to_string(kCount) + R"(}
      - {name: out, value: ")" + dir.Join("spout.tsv") + R"("}
bolts:
  - id: failing
    className: FailingBolt
    parallelism: 2
    properties:
      - {name: fail.fraction, value: 0.1}
      - {name: seed, value: 3}
  - id: forgetful
    className: ForgetfulBolt
    parallelism: 2
    properties:
      - {name: forget.fraction, value: 0.05}
      - {name: seed, value: 5}
  - id: sink
    className: FileSinkBolt
    properties:
      - {name: path, value: ")" + dir.Join("sink.tsv") + R"("}
streams:
  - {from: ids, to: failing, grouping: {type: SHUFFLE}}
  - {from: failing, to: forgetful, grouping: {type: SHUFFLE}}
  - {from: forgetful, to: sink, grouping: {type: SHUFFLE}}
)";
  std::string out =
      RunGale("local " + dir.Write("rel.yaml", yaml) + " --quiet --lib " + kPlugin, dir, 0);
  EXPECT_NE(out.find("completed"), std::string::npos) << out;

  auto records = ReadSpoutRecords(dir.Join("spout.tsv"));
  ASSERT_EQ(records.size(), static_cast<std::size_t>(kCount));
  std::uint64_t fails = 0, emits = 0;
  for (const auto& [id, r] : records) {
    EXPECT_EQ(r.acks, 1) << "id " << id;
    fails += static_cast<std::uint64_t>(r.fails);
    emits += static_cast<std::uint64_t>(r.emits);
  }
  // Every replay answers one failure.
  EXPECT_EQ(emits, kCount + fails);

  SummaryRow spout = FindSummaryRow(out, "ids");
  EXPECT_GT(spout.failed, 0u);
  EXPECT_GT(spout.timed_out, 0u);
  EXPECT_EQ(spout.failed + spout.timed_out, fails);
  EXPECT_EQ(spout.acked, static_cast<std::uint64_t>(kCount));
  // Roughly 10% explicit failures on the first pass.
  EXPECT_GT(spout.failed, kCount * 0.07);

  std::set<std::int64_t> seen;
  std::uint64_t sink_lines = 0;
  for (const auto& row : ReadTsvFiles(dir, "sink.tsv")) {
    seen.insert(std::stoll(row.at(0)));
    ++sink_lines;
  }
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kCount));
  EXPECT_EQ(*seen.begin(), 1);
  EXPECT_EQ(*seen.rbegin(), kCount);
  // Duplicates in the sink come only from trees that timed out after reaching it.
  EXPECT_EQ(sink_lines, kCount + spout.timed_out);
}

TEST(Reliability, FanOutTreeCompletesOnlyWhenEveryBranchAcks) {
  ScratchDir dir;
  constexpr int kCount = 200;
  std::string yaml = R"(name: fanout
config:
  topology.message.timeout.secs: 2
spouts:
  - id: ids
    className: RecordingSpout
    properties:
      - {name: count, value: )" + std::to_string(kCount) + R"(}
      - {name: replay, value: false}
      - {name: out, value: ")" + dir.Join("spout.tsv") + R"("}
bolts:
  - {id: a, className: RelayBolt, parallelism: 2}
  - {id: b, className: RelayBolt}
  - {id: c, className: DropEvenBolt}
  - id: join
    className: JoinBolt
    parallelism: 2
    properties:
      - {name: expect, value: 3}
  - id: sink
    className: FileSinkBolt
    properties:
      - {name: path, value: ")" + dir.Join("sink.tsv") + R"("}
streams:
  - {from: ids, to: a, grouping: {type: SHUFFLE}}
  - {from: ids, to: b, grouping: {type: SHUFFLE}}
  - {from: ids, to: c, grouping: {type: SHUFFLE}}
  - {from: a, to: join, grouping: {type: FIELDS, args: [id]}}
  - {from: b, to: join, grouping: {type: FIELDS, args: [id]}}
  - {from: c, to: join, grouping: {type: FIELDS, args: [id]}}
  - {from: join, to: sink, grouping: {type: GLOBAL}}
)";
  std::string out =
      RunGale("local " + dir.Write("fan.yaml", yaml) + " --quiet --lib " + kPlugin, dir, 0);
  auto records = ReadSpoutRecords(dir.Join("spout.tsv"));
  ASSERT_EQ(records.size(), static_cast<std::size_t>(kCount));
  for (const auto& [id, r] : records) {
    if (id % 2 == 1) {
      EXPECT_EQ(r.acks, 1) << id;
      EXPECT_EQ(r.fails, 0) << id;
    } else {
      EXPECT_EQ(r.acks, 0) << id;
      EXPECT_EQ(r.fails, 1) << id;
    }
  }
  SummaryRow spout = FindSummaryRow(out, "ids");
  EXPECT_EQ(spout.acked, kCount / 2u);
  EXPECT_EQ(spout.timed_out, kCount / 2u);
  EXPECT_EQ(ReadTsvFiles(dir, "sink.tsv").size(), static_cast<std::size_t>(kCount));
}

TEST(Cli, InvalidTopologyExitsWithTwoAndPointsAtTheLine) {
  ScratchDir dir;
  std::string yaml = "name: bad\nspouts:\n  - id: s\n    className: NoSuchSpout\n";
  testing::CommandResult r;
  RunGale("local " + dir.Write("bad.yaml", yaml), dir, 2, &r);
  EXPECT_NE(r.err.find("bad.yaml:4:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("NoSuchSpout"), std::string::npos) << r.err;
}

TEST(Cli, FailingPrepareExitsWithOneAndNamesTheTask) {
  ScratchDir dir;
  std::string yaml = R"(name: badsink
spouts:
  - id: ids
    className: SequenceSpout
    properties: [{name: count, value: 10}]
bolts:
  - id: sink
    className: FileSinkBolt
    properties: [{name: path, value: "/nonexistent-dir/x/out.tsv"}]
streams:
  - {from: ids, to: sink, grouping: {type: SHUFFLE}}
)";
  testing::CommandResult r;
  RunGale("local " + dir.Write("badsink.yaml", yaml) + " --quiet", dir, 1, &r);
  EXPECT_NE(r.err.find("component 'sink' task"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("/nonexistent-dir/x/out.tsv"), std::string::npos) << r.err;
}

TEST(Cli, RunsATopologyBuiltInCpp) {
  ScratchDir dir;
  std::string out = RunGale("local --topology cpp-sequence --lib " + kPlugin + " -c path=" +
                                dir.Join("sink.tsv") + " --quiet",
                            dir, 0);
  EXPECT_NE(out.find("completed"), std::string::npos) << out;
  std::set<std::int64_t> ids;
  for (const auto& row : ReadTsvFiles(dir, "sink.tsv")) ids.insert(std::stoll(row.at(0)));
  EXPECT_EQ(ids.size(), 1000u);
  EXPECT_EQ(*ids.rbegin(), 1000);

  testing::CommandResult r;
  RunGale("validate --topology no-such --lib " + kPlugin, dir, 2, &r);
  EXPECT_NE(r.err.find("no topology 'no-such' is registered (known: cpp-sequence)"),
            std::string::npos)
      << r.err;
  RunGale("validate " + dir.Write("x.yaml", "name: x\n") + " --topology cpp-sequence", dir, 2, &r);
}

TEST(Cli, DurationStopsAnUnboundedTopologyWithProgressAndSummary) {
  ScratchDir dir;
  testing::CommandResult r;
  RunGale("local " + std::string(GALE_SOURCE_DIR) + "/topologies/wordcount.yaml --duration 2.5", dir,
      0, &r);
  EXPECT_NE(r.err.find("emitted"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("executed"), std::string::npos) << r.err;
  SummaryRow count = FindSummaryRow(r.out, "count");
  EXPECT_GT(count.executed, 1000u);
  EXPECT_NE(r.out.find("stopped"), std::string::npos);
}

}  // namespace
}  // namespace gale
