#include "bolts/file_sink_bolt.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <thread>

#include "support/fake_collectors.h"
#include "unit/components/temp_dir.h"

namespace gale::builtin {
namespace {

using test_support::FakeOutputCollector;
using test_support::MakeContext;
using test_support::MakeTickTuple;
using test_support::TempDir;
using ::testing::HasSubstr;

Config PathConfig(const std::string& path) {
  Config config("component 'sink'");
  config.Set("path", path);
  return config;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

class FileSinkBoltTest : public ::testing::Test {
 protected:
  TempDir dir_;
  FakeOutputCollector collector_;
};

TEST_F(FileSinkBoltTest, WritesTabSeparatedValuesOneLinePerTuple) {
  std::string path = dir_.File("out.tsv");
  FileSinkBolt bolt;
  bolt.Prepare(PathConfig(path), MakeContext("sink"), collector_);
  Tuple a = Tuple::ForTesting({std::string("word"), std::int64_t{-42}, 1.5, true, Value{}},
                              {"a", "b", "c", "d", "e"});
  Tuple b =
      Tuple::ForTesting({std::string("tab\there"), std::string("new\nline\\x\r")}, {"a", "b"});
  Tuple c = Tuple::ForTesting({Bytes{0x01, 0xab}}, {"a"});
  bolt.Execute(a);
  bolt.Execute(b);
  bolt.Execute(c);
  EXPECT_EQ(collector_.acked.size(), 3u);
  EXPECT_TRUE(collector_.emits.empty());
  bolt.Cleanup();
  EXPECT_EQ(TempDir::Read(path),
            "word\t-42\t1.5\ttrue\tnull\n"
            "tab\\there\tnew\\nline\\\\x\\r\n"
            "01ab\n");
  EXPECT_TRUE(collector_.errors.empty());
}

Config BufferedConfig(const std::string& path) {
  Config config = PathConfig(path);
  config.Set("buffered", true);
  return config;
}

TEST_F(FileSinkBoltTest, WritesEachLineBeforeAckingByDefault) {
  std::string path = dir_.File("out.txt");
  FileSinkBolt bolt;
  bolt.Prepare(PathConfig(path), MakeContext("sink"), collector_);
  Tuple t = Tuple::ForTesting({std::string("one")}, {"a"});
  bolt.Execute(t);
  EXPECT_TRUE(collector_.WasAcked(t));
  EXPECT_EQ(TempDir::Read(path), "one\n");
}

TEST_F(FileSinkBoltTest, BufferedAcksOnlyWhenTickOrCleanupWrites) {
  std::string path = dir_.File("out.txt");
  FileSinkBolt bolt;
  bolt.Prepare(BufferedConfig(path), MakeContext("sink"), collector_);
  Tuple t = Tuple::ForTesting({std::string("one")}, {"a"});
  bolt.Execute(t);
  EXPECT_FALSE(collector_.WasAcked(t));  // not written yet, so not acked
  EXPECT_EQ(TempDir::Read(path), "");
  Tuple tick = MakeTickTuple();
  bolt.Execute(tick);
  EXPECT_TRUE(collector_.WasAcked(tick));
  EXPECT_TRUE(collector_.WasAcked(t));
  EXPECT_EQ(TempDir::Read(path), "one\n");
  Tuple two = Tuple::ForTesting({std::string("two")}, {"a"});
  bolt.Execute(two);
  EXPECT_EQ(TempDir::Read(path), "one\n");
  EXPECT_FALSE(collector_.WasAcked(two));
  bolt.Cleanup();
  EXPECT_EQ(TempDir::Read(path), "one\ntwo\n");
  EXPECT_TRUE(collector_.WasAcked(two));
}

TEST_F(FileSinkBoltTest, FlushesWholeLinesOncePast64KiB) {
  std::string path = dir_.File("big.txt");
  FileSinkBolt bolt;
  bolt.Prepare(BufferedConfig(path), MakeContext("sink"), collector_);
  const std::string payload(999, 'x');  // 1000 bytes a line
  Tuple t = Tuple::ForTesting({payload}, {"a"});
  for (int i = 0; i < 65; ++i) bolt.Execute(t);
  EXPECT_EQ(TempDir::Read(path), "");  // 65,000 bytes: not past 64 KiB yet
  bolt.Execute(t);
  EXPECT_EQ(TempDir::Read(path).size(), 66u * 1000u);
  bolt.Cleanup();
}

TEST_F(FileSinkBoltTest, TaskPlaceholderAndAppendToExistingFile) {
  dir_.Write("part-7.txt", "earlier\n");
  FileSinkBolt bolt;
  bolt.Prepare(PathConfig(dir_.File("part-{task}.txt")), MakeContext("sink", 2, 1, 6), collector_);
  EXPECT_EQ(bolt.path(), dir_.File("part-7.txt"));
  bolt.Execute(Tuple::ForTesting({std::string("later")}, {"a"}));
  bolt.Cleanup();
  EXPECT_EQ(TempDir::Read(dir_.File("part-7.txt")), "earlier\nlater\n");
}

TEST_F(FileSinkBoltTest, TwoTasksAppendingToOneFileNeverInterleaveLines) {
  const std::string path = dir_.File("shared.txt");
  constexpr int kLinesPerTask = 20000;
  auto run_task = [&](int task_index) {
    FakeOutputCollector collector;
    FileSinkBolt bolt;
    bolt.Prepare(PathConfig(path), MakeContext("sink", 2, task_index), collector);
    for (int i = 0; i < kLinesPerTask; ++i) {
      // Lengths vary so that buffer boundaries fall everywhere.
      std::string padding(static_cast<std::size_t>(i % 173), static_cast<char>('a' + task_index));
      bolt.Execute(Tuple::ForTesting({std::int64_t{task_index}, std::int64_t{i}, padding},
                                     {"task", "seq", "padding"}));
    }
    bolt.Cleanup();
  };
  std::thread first(run_task, 0);
  std::thread second(run_task, 1);
  first.join();
  second.join();

  std::string text = TempDir::Read(path);
  ASSERT_FALSE(text.empty());
  ASSERT_EQ(text.back(), '\n');
  std::map<int, std::vector<int>> seen;  // task -> seqs in file order
  for (const std::string& line : Lines(text)) {
    std::istringstream fields(line);
    std::string task, seq, padding;
    ASSERT_TRUE(std::getline(fields, task, '\t')) << line;
    ASSERT_TRUE(std::getline(fields, seq, '\t')) << line;
    std::getline(fields, padding);
    ASSERT_TRUE(task == "0" || task == "1") << line;
    int n = std::stoi(seq);
    ASSERT_EQ(padding, std::string(static_cast<std::size_t>(n % 173),
                                   static_cast<char>('a' + std::stoi(task))))
        << line;
    seen[std::stoi(task)].push_back(n);
  }
  for (int task : {0, 1}) {
    const std::vector<int>& seqs = seen[task];
    ASSERT_EQ(seqs.size(), static_cast<std::size_t>(kLinesPerTask)) << task;
    for (int i = 0; i < kLinesPerTask; ++i) ASSERT_EQ(seqs[i], i);  // one task's lines in order
  }
}

TEST_F(FileSinkBoltTest, MissingPathPropertyThrowsConfigError) {
  FileSinkBolt bolt;
  try {
    bolt.Prepare(Config("component 'sink'"), MakeContext("sink"), collector_);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("component 'sink'"));
    EXPECT_THAT(e.what(), HasSubstr("'path' is missing"));
  }
}

TEST_F(FileSinkBoltTest, UnopenablePathThrowsNamingIt) {
  FileSinkBolt bolt;
  std::string path = dir_.File("no-such-dir/out.txt");
  try {
    bolt.Prepare(PathConfig(path), MakeContext("sink"), collector_);
    FAIL() << "expected runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("component 'sink'"));
    EXPECT_THAT(e.what(), HasSubstr(path));
    EXPECT_THAT(e.what(), HasSubstr("No such file or directory"));
  }
}

TEST_F(FileSinkBoltTest, WrongTypedPathThrowsConfigError) {
  FileSinkBolt bolt;
  Config config("component 'sink'");
  config.SetList("path", {Value{std::string("a")}, Value{std::string("b")}});
  EXPECT_THROW(bolt.Prepare(config, MakeContext("sink"), collector_), ConfigError);
}

}  // namespace
}  // namespace gale::builtin
