// The directory state manager and the record writer on a full file system:
// a small tmpfs in a private mount namespace (support/private_tmpfs.h),
// filled up. A write that does not fit fails with a message naming the
// record, the cause and the fix, and never installs an empty or partial
// record: a reader sees the previous value, or nothing for a new key.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "state/local_fs_state_manager.h"
#include "state/record_writer.h"
#include "support/private_tmpfs.h"
#include "support/run_command.h"

namespace gale::state {
namespace {

using testing::Checks;
using testing::FillDisk;
using testing::FreeDisk;
using testing::RunOnPrivateTmpfs;
using testing::ScratchDir;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Names of files in `dir` (recursively) that are a temporary file of Write.
std::string Leftovers(const std::string& dir) {
  std::string found;
  std::error_code ec;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (e.path().filename().string().find(".tmp") != std::string::npos) {
      found += e.path().string() + " ";
    }
  }
  return found;
}

void RunOrSkip(const ScratchDir& dir, std::size_t size, const std::function<std::string()>& body) {
  testing::TmpfsRun run = RunOnPrivateTmpfs(dir.path().string(), size, body);
  if (run.unavailable) GTEST_SKIP() << run.failures;
  EXPECT_EQ(run.failures, "");
}

TEST(FullDiskTest, AWriteThatDoesNotFitKeepsThePreviousRecord) {
  ScratchDir dir;
  const std::string root = dir.path().string();
  RunOrSkip(dir, 256 * 1024, [&] {
    Checks c;
    LocalFsStateManager sm(root + "/state");
    c.Expect(sm.Create("t").ok(), "Create");
    c.Expect(sm.WriteRecord("t", "activation", records::Activation{false}).ok(),
             "the first activation write");
    // Everything but one 4 KiB block is taken; the record below needs more.
    int files = FillDisk(root);
    c.Expect(files > 0, "the filler wrote nothing");
    ::unlink((root + "/fill-0").c_str());
    std::string big(64 * 1024, 'p');
    Status s = sm.Write("t", "packing", "workers=1\n" + big);
    c.Expect(!s.ok(), "a 64 KiB record fit in 4 KiB");
    c.Expect(s.code() == ErrorCode::kIo, "not an I/O error: " + s.message());
    c.Expect(Contains(s.message(), "record 'packing' of topology 't'"), s.message());
    c.Expect(Contains(s.message(), "No space left on device"), s.message());
    c.Expect(Contains(s.message(), "df -h"), s.message());
    c.Expect(!sm.Read("t", "packing").ok(), "a partial packing record was installed");
    // Nothing fits at all now.
    FillDisk(root, 512);
    s = sm.WriteRecord("t", "activation", records::Activation{true});
    c.Expect(!s.ok(), "the activation write succeeded on a full disk");
    c.Expect(Contains(s.message(), "the record was not changed"), s.message());
    auto kept = sm.ReadRecord<records::Activation>("t", "activation");
    c.Expect(kept.ok() && !kept->active, "the previous activation record is gone or changed");
    c.Expect(!sm.Write("t", "metrics/task-1", "x=1\n" + big).ok(), "metrics on a full disk");
    c.Expect(!sm.Read("t", "metrics/task-1").ok(), "a partial metrics record");
    c.Expect(Leftovers(root + "/state").empty(), "temporary files left: " + Leftovers(root));
    // With space again, the same writes succeed.
    FreeDisk(root);
    c.Expect(sm.WriteRecord("t", "activation", records::Activation{true}).ok(), "after freeing");
    auto now = sm.ReadRecord<records::Activation>("t", "activation");
    c.Expect(now.ok() && now->active, "the new activation record is not there");
    return c.failures();
  });
}

TEST(FullDiskTest, RecordWriterKeepsAFailedRecordAndWritesItOnceThereIsSpace) {
  ScratchDir dir;
  const std::string root = dir.path().string();
  RunOrSkip(dir, 128 * 1024, [&] {
    Checks c;
    LocalFsStateManager sm(root + "/state");
    c.Expect(sm.Create("t").ok(), "Create");
    RecordWriter writer(&sm, "t", "test", std::chrono::milliseconds(0));
    c.Expect(FillDisk(root) > 0, "the filler wrote nothing");
    FillDisk(root, 256);
    records::PhysicalPlan plan;
    plan.version = "v1";
    plan.stmgrs.push_back({0, "tcp://127.0.0.1:1", 42});
    c.Expect(!writer.WriteRecord("physical", plan).ok(), "physical fit on a full disk");
    plan.version = "v2";
    c.Expect(!writer.WriteRecord("physical", plan).ok(), "physical fit on a full disk");
    c.Expect(writer.pending() == 1, "the failed record is not kept once");
    c.Expect(!writer.Retry(), "a retry succeeded on a full disk");
    c.Expect(!sm.Read("t", "physical").ok(), "a partial physical record");
    // WriteOnce keeps nothing.
    c.Expect(!writer.WriteOnce("metrics/stmgr-0", "x=1\n").ok(), "metrics on a full disk");
    c.Expect(writer.pending() == 1, "WriteOnce kept its record");
    FreeDisk(root);
    c.Expect(writer.Retry(), "the retry failed with space");
    c.Expect(writer.pending() == 0, "still pending after a successful retry");
    auto written = sm.ReadRecord<records::PhysicalPlan>("t", "physical");
    c.Expect(written.ok() && written->version == "v2", "the newest value was not written");
    return c.failures();
  });
}

}  // namespace
}  // namespace gale::state
