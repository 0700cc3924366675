// The benchmark spout's latency log (BenchSentenceSpout `latency.log`), which
// bench/tail_attribution.sh and bench/latency_sweep.sh read: what it records
// and what it refuses; and the sweep itself.

#include <cstdint>
#include <filesystem>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "support/run_command.h"
#include "support/summary_table.h"

namespace gale {
namespace {

using testing::FindSummaryRow;
using testing::ReadFile;
using testing::RunCommand;
using testing::ScratchDir;

const std::string kGale = GALE_BIN;
const std::string kPlugin = GALE_BENCH_PLUGIN;
const std::string kTopology = std::string(GALE_SOURCE_DIR) + "/bench/wordcount-bench.yaml";

struct LatencyLog {
  std::string header;
  std::vector<std::pair<std::int64_t, std::int64_t>> records;  // ack ns, latency ns
};

LatencyLog ReadLog(const std::string& path) {
  LatencyLog log;
  std::istringstream in(ReadFile(path));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("#", 0) == 0) {
      log.header = line;
      continue;
    }
    std::istringstream f(line);
    std::int64_t ack_ns = 0, latency_ns = 0;
    std::string rest;
    EXPECT_TRUE(f >> ack_ns >> latency_ns) << "bad line: " << line;
    EXPECT_FALSE(f >> rest) << "more than two fields: " << line;
    log.records.emplace_back(ack_ns, latency_ns);
  }
  return log;
}

// Runs the word count for 3 s with the spout's log at `min_ms`.
testing::CommandResult RunWithLog(const ScratchDir& dir, const std::string& min_ms) {
  return RunCommand("env BENCH_OUT=" + dir.path().string() + " " + kGale + " local " +
                        kTopology + " --lib " + kPlugin +
                        " --env-filter --duration 3 -c topology.acking=true -c rate=20000" +
                        " -c latency.log=" + dir.Join("lat-{task}.txt") +
                        " -c latency.log.min.ms=" + min_ms,
                    dir, 120);
}

// The spout's acked count and its log (the spout is task 1: "{task}" became
// its id), after a run that must succeed.
std::pair<std::uint64_t, LatencyLog> AckedAndLog(const ScratchDir& dir, const std::string& min_ms) {
  auto r = RunWithLog(dir, min_ms);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return {FindSummaryRow(r.out, "sentences").acked, ReadLog(dir.Join("lat-1.txt"))};
}

TEST(BenchLatencyLog, WithAThresholdOfZeroEveryAckedTreeIsLogged) {
  ScratchDir dir;
  auto [acked, log] = AckedAndLog(dir, "0");
  ASSERT_GT(acked, 1000u);
  EXPECT_EQ(log.header, "# min_ns=0 sample_every=1000");
  EXPECT_EQ(log.records.size(), acked);
  for (std::size_t i = 0; i < log.records.size(); ++i) {
    EXPECT_GT(log.records[i].second, 0) << "record " << i;
    if (i > 0) {
      ASSERT_GE(log.records[i].first, log.records[i - 1].first) << "acks out of order at " << i;
    }
  }
}

TEST(BenchLatencyLog, OverTheThresholdOnlyEveryThousandthTreeIsLogged) {
  ScratchDir dir;
  // No tree of a 3 s run takes a minute.
  auto [acked, log] = AckedAndLog(dir, "60000");
  ASSERT_GT(acked, 1000u);
  EXPECT_EQ(log.header, "# min_ns=60000000000 sample_every=1000");
  EXPECT_EQ(log.records.size(), acked / 1000);
}

TEST(BenchLatencyLog, ANegativeThresholdIsRefusedNamingTheProperty) {
  ScratchDir dir;
  auto r = RunWithLog(dir, "-1");
  EXPECT_EQ(r.exit_code, 1) << "a task that fails to start exits 1";
  EXPECT_NE(r.err.find("latency.log.min.ms"), std::string::npos) << r.err;
}

// bench/latency_sweep.sh, run against this build (gale is BUILD_DIR/bin/gale).
testing::CommandResult RunSweep(const ScratchDir& dir, const std::string& args) {
  const std::string build_dir =
      std::filesystem::path(kGale).parent_path().parent_path().string();
  return RunCommand("env BUILD_DIR=" + build_dir + " OUT=" + dir.Join("sweep") + " " +
                        GALE_SOURCE_DIR + "/bench/latency_sweep.sh " + args,
                    dir, 180);
}

TEST(LatencySweep, MeasuresEachRateOverItsWindow) {
  ScratchDir dir;
  auto r = RunSweep(dir, "3000 --seconds 2 --warmup 3");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::istringstream in(r.out);
  std::string gaps, header, row, extra;
  ASSERT_TRUE(std::getline(in, gaps)) << r.out;
  EXPECT_EQ(gaps.rfind("before the runs: ", 0), 0u) << gaps;
  EXPECT_NE(gaps.find(" CPUs over 3 s: "), std::string::npos) << gaps;
  ASSERT_TRUE(std::getline(in, header)) << r.out;
  EXPECT_EQ(header.rfind("offered", 0), 0u) << header;
  ASSERT_TRUE(std::getline(in, row)) << r.out;
  EXPECT_FALSE(std::getline(in, extra)) << "one row per rate: " << r.out;
  std::istringstream f(row);
  std::string offered, over;
  double per_s = 0, cores = 0, mean = 0, p50 = 0, p99 = 0, p999 = 0;
  ASSERT_TRUE(f >> offered >> per_s >> cores >> mean >> p50 >> p99 >> p999 >> over) << row;
  EXPECT_EQ(offered, "3000");
  // The spout holds the rate; the window holds about 2 s of it.
  EXPECT_GT(per_s, 1500);
  EXPECT_LT(per_s, 4000);
  EXPECT_GT(cores, 0);
  EXPECT_GT(p50, 0);
  EXPECT_LE(p50, p99);
  EXPECT_LE(p99, p999);
  EXPECT_EQ(over.back(), '%') << row;
  // Every tree of the window was logged by the spout.
  EXPECT_EQ(ReadLog(dir.Join("sweep/rate-3000/latency-1.txt")).header,
            "# min_ns=0 sample_every=1000");
}

TEST(LatencySweep, AShareOfTheSaturatedRateNeedsASaturatedRunFirst) {
  ScratchDir dir;
  auto r = RunSweep(dir, "0.5x");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("needs a run at rate 0 before it"), std::string::npos) << r.err;
}

TEST(LatencySweep, AnUnknownArgumentIsRefused) {
  ScratchDir dir;
  auto r = RunSweep(dir, "fast");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("'fast' is neither a rate nor an option"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace gale
