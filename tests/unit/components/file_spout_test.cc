#include "spouts/file_spout.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "support/fake_collectors.h"
#include "unit/components/temp_dir.h"

namespace gale::builtin {
namespace {

using test_support::FakeSpoutCollector;
using test_support::MakeContext;
using test_support::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

Config PathConfig(const std::string& path) {
  Config config("component 'lines'");
  config.Set("path", path);
  return config;
}

std::vector<std::string> Drain(FileSpout& spout, FakeSpoutCollector& collector) {
  for (int guard = 0; guard < 100000; ++guard) {
    std::size_t before = collector.emits.size();
    spout.NextTuple();
    if (collector.emits.size() == before) break;
  }
  std::vector<std::string> lines;
  for (const auto& e : collector.emits) lines.push_back(std::get<std::string>(e.values.at(0)));
  return lines;
}

class FileSpoutTest : public ::testing::Test {
 protected:
  TempDir dir_;
};

TEST_F(FileSpoutTest, DeclaresLineField) {
  FileSpout spout;
  OutputFieldsDeclarer declarer;
  spout.DeclareOutputFields(declarer);
  EXPECT_EQ(declarer.streams().at("default"), (Fields{"line"}));
}

TEST_F(FileSpoutTest, EmitsEachLineWithItsNumberAsMessageId) {
  std::string path = dir_.Write("in.txt", "alpha\r\nbeta\n\ngamma delta\nlast");
  FileSpout spout;
  FakeSpoutCollector collector;
  spout.Open(PathConfig(path), MakeContext("lines"), collector);
  EXPECT_THAT(Drain(spout, collector), ElementsAre("alpha", "beta", "", "gamma delta", "last"));
  EXPECT_THAT(collector.Ids(), ElementsAre(1u, 2u, 3u, 4u, 5u));
  EXPECT_FALSE(spout.Exhausted());
  for (MessageId id : collector.Ids()) spout.Ack(id);
  EXPECT_TRUE(spout.Exhausted());
  spout.Close();
}

TEST_F(FileSpoutTest, TasksSplitLinesByNumber) {
  std::string content;
  for (int i = 1; i <= 10; ++i) content += "line " + std::to_string(i) + "\n";
  std::string path = dir_.Write("in.txt", content);
  std::set<MessageId> all;
  for (int task = 0; task < 3; ++task) {
    FileSpout spout;
    FakeSpoutCollector collector;
    spout.Open(PathConfig(path), MakeContext("lines", 3, task), collector);
    std::vector<std::string> lines = Drain(spout, collector);
    std::vector<MessageId> ids = collector.Ids();
    ASSERT_EQ(lines.size(), ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) {
      EXPECT_EQ((ids[i] - 1) % 3, static_cast<MessageId>(task));
      EXPECT_EQ(lines[i], "line " + std::to_string(ids[i]));
      EXPECT_TRUE(all.insert(ids[i]).second);
    }
  }
  EXPECT_EQ(all.size(), 10u);
}

TEST_F(FileSpoutTest, FailedLinesAreReplayed) {
  std::string path = dir_.Write("in.txt", "a\nb\nc\n");
  FileSpout spout;
  FakeSpoutCollector collector;
  spout.Open(PathConfig(path), MakeContext("lines"), collector);
  Drain(spout, collector);
  spout.Ack(1);
  spout.Ack(3);
  spout.Fail(2);
  EXPECT_FALSE(spout.Exhausted());
  collector.Clear();
  EXPECT_THAT(Drain(spout, collector), ElementsAre("b"));
  EXPECT_THAT(collector.Ids(), ElementsAre(2u));
  spout.Ack(2);
  EXPECT_TRUE(spout.Exhausted());
}

TEST_F(FileSpoutTest, AckInsideEmitWhenAckingIsOff) {
  std::string path = dir_.Write("in.txt", "x\ny\n");
  FileSpout spout;
  FakeSpoutCollector collector;
  collector.AckImmediately(&spout);
  spout.Open(PathConfig(path), MakeContext("lines"), collector);
  EXPECT_THAT(Drain(spout, collector), ElementsAre("x", "y"));
  EXPECT_TRUE(spout.Exhausted());
}

TEST_F(FileSpoutTest, EmptyFileIsExhaustedAfterOneCall) {
  std::string path = dir_.Write("empty.txt", "");
  FileSpout spout;
  FakeSpoutCollector collector;
  spout.Open(PathConfig(path), MakeContext("lines"), collector);
  spout.NextTuple();
  EXPECT_TRUE(collector.emits.empty());
  EXPECT_TRUE(spout.Exhausted());
}

TEST_F(FileSpoutTest, MissingPathPropertyThrowsConfigError) {
  FileSpout spout;
  FakeSpoutCollector collector;
  try {
    spout.Open(Config("component 'lines'"), MakeContext("lines"), collector);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("component 'lines'"));
    EXPECT_THAT(e.what(), HasSubstr("'path' is missing"));
  }
}

TEST_F(FileSpoutTest, UnreadableFileThrowsNamingThePath) {
  FileSpout spout;
  FakeSpoutCollector collector;
  std::string missing = dir_.File("no-such-file.txt");
  try {
    spout.Open(PathConfig(missing), MakeContext("lines"), collector);
    FAIL() << "expected runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("component 'lines'"));
    EXPECT_THAT(e.what(), HasSubstr(missing));
    EXPECT_THAT(e.what(), HasSubstr("No such file or directory"));
  }
  FileSpout dir_spout;
  try {
    dir_spout.Open(PathConfig(dir_.path().string()), MakeContext("lines"), collector);
    FAIL() << "expected runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("is a directory"));
  }
}

}  // namespace
}  // namespace gale::builtin
