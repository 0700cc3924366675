// LogRotation on this process's own stdout and stderr, pointed at a log
// file in a private directory for the test and restored afterwards.

#include "common/log_rotation.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "support/run_command.h"

namespace gale {
namespace {

using testing::ReadFile;
using testing::ScratchDir;

// Points stdout and stderr at `path` while alive.
class RedirectedOutput {
 public:
  explicit RedirectedOutput(const std::string& path) {
    std::fflush(stdout);
    std::fflush(stderr);
    saved_out_ = ::dup(1);
    saved_err_ = ::dup(2);
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::close(fd);
  }
  ~RedirectedOutput() {
    std::fflush(stdout);
    std::fflush(stderr);
    ::dup2(saved_out_, 1);
    ::dup2(saved_err_, 2);
    ::close(saved_out_);
    ::close(saved_err_);
  }

 private:
  int saved_out_;
  int saved_err_;
};

void Write(int fd, const std::string& text) {
  ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
}

std::uintmax_t Size(const std::string& path) {
  std::error_code ec;
  auto n = std::filesystem::file_size(path, ec);
  return ec ? 0 : n;
}

TEST(LogRotationTest, PastTheCapTheLogMovesAsideAndWritesGoToAFreshFile) {
  ScratchDir dir;
  const std::string log = dir.Join("task-1.log");
  LogRotationOptions o{log, 1000, 2, std::chrono::milliseconds(1000)};
  LogRotation rotation(o);
  std::string kept_1, kept_2;
  {
    RedirectedOutput out(log);
    Write(2, std::string(999, 'a'));
    EXPECT_FALSE(*rotation.Rotate());  // under the cap
    Write(2, "A\n");
    EXPECT_TRUE(*rotation.Rotate());
    Write(2, std::string(1000, 'b'));
    Write(1, "B\n");  // stdout follows stderr
    EXPECT_TRUE(*rotation.Rotate());
    Write(2, std::string(1000, 'c'));
    EXPECT_TRUE(*rotation.Rotate());  // the 'a' file is dropped: 2 kept
    Write(2, "current\n");
  }
  EXPECT_EQ(ReadFile(log), "current\n");
  EXPECT_EQ(ReadFile(log + ".1"), std::string(1000, 'c'));
  EXPECT_EQ(ReadFile(log + ".2"), std::string(1000, 'b') + "B\n");
  EXPECT_FALSE(std::filesystem::exists(log + ".3"));
  EXPECT_FALSE(std::filesystem::exists(log + ".new"));
}

TEST(LogRotationTest, ChecksAtMostOncePerInterval) {
  ScratchDir dir;
  const std::string log = dir.Join("stmgr-0.log");
  LogRotation rotation({log, 100, 3, std::chrono::milliseconds(1000)});
  const auto t0 = LogRotation::Clock::time_point{} + std::chrono::hours(1);
  {
    RedirectedOutput out(log);
    Write(2, "small\n");
    EXPECT_FALSE(rotation.MaybeRotate(t0));  // checked: under the cap
    Write(2, std::string(200, 'x'));
    EXPECT_FALSE(rotation.MaybeRotate(t0 + std::chrono::milliseconds(999)));  // not due
    EXPECT_TRUE(rotation.MaybeRotate(t0 + std::chrono::milliseconds(1000)));
  }
  EXPECT_EQ(Size(log + ".1"), 206u);
  EXPECT_EQ(Size(log), 0u);
}

TEST(LogRotationTest, LeavesAFileThatIsNotItsOutputAlone) {
  ScratchDir dir;
  const std::string log = dir.Join("task-2.log");
  const std::string other = dir.Join("elsewhere.log");
  { std::FILE* f = std::fopen(log.c_str(), "w"); std::fputs(std::string(500, 'z').c_str(), f); std::fclose(f); }
  LogRotation rotation({log, 100, 3, std::chrono::milliseconds(0)});
  {
    RedirectedOutput out(other);  // stderr is not `log`
    Write(2, std::string(500, 'y'));
    EXPECT_FALSE(*rotation.Rotate());
  }
  EXPECT_FALSE(std::filesystem::exists(log + ".1"));
  EXPECT_EQ(Size(log), 500u);
}

TEST(LogRotationTest, OffWithoutAPath) {
  LogRotation off;
  EXPECT_FALSE(off.MaybeRotate());
  EXPECT_FALSE(*off.Rotate());
}

}  // namespace
}  // namespace gale
