#include "kafka_broker/stdin_policy.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

namespace gale::kafka_broker {
namespace {

TEST(StdinPolicy, AutoReadsTerminalsPipesAndFilesButNotDevNull) {
  StdinPolicy tty = DecideStdinPolicy(StdinMode::kAuto, StdinKind::kTerminal);
  EXPECT_TRUE(tty.read_commands);
  EXPECT_TRUE(tty.eof_quits);
  EXPECT_TRUE(tty.foreground_only);
  StdinPolicy pipe = DecideStdinPolicy(StdinMode::kAuto, StdinKind::kPipe);
  EXPECT_TRUE(pipe.read_commands);
  EXPECT_TRUE(pipe.eof_quits);
  EXPECT_FALSE(pipe.foreground_only);
  StdinPolicy file = DecideStdinPolicy(StdinMode::kAuto, StdinKind::kFile);
  EXPECT_TRUE(file.read_commands);
  EXPECT_FALSE(file.eof_quits);
  for (StdinKind kind : {StdinKind::kNull, StdinKind::kClosed, StdinKind::kOther}) {
    StdinPolicy p = DecideStdinPolicy(StdinMode::kAuto, kind);
    EXPECT_FALSE(p.read_commands);
    EXPECT_FALSE(p.eof_quits);
    EXPECT_NE(p.description.find("running until SIGINT or SIGTERM"), std::string::npos)
        << p.description;
  }
}

TEST(StdinPolicy, ExplicitModesOverrideTheKind) {
  StdinPolicy commands = DecideStdinPolicy(StdinMode::kCommands, StdinKind::kNull);
  EXPECT_TRUE(commands.read_commands);
  EXPECT_TRUE(commands.eof_quits);
  EXPECT_FALSE(DecideStdinPolicy(StdinMode::kCommands, StdinKind::kClosed).read_commands);
  for (StdinKind kind : {StdinKind::kTerminal, StdinKind::kPipe, StdinKind::kFile}) {
    StdinPolicy p = DecideStdinPolicy(StdinMode::kIgnore, kind);
    EXPECT_FALSE(p.read_commands);
    EXPECT_FALSE(p.eof_quits);
  }
}

TEST(StdinPolicy, ParsesModes) {
  EXPECT_EQ(ParseStdinMode("auto").value(), StdinMode::kAuto);
  EXPECT_EQ(ParseStdinMode("commands").value(), StdinMode::kCommands);
  EXPECT_EQ(ParseStdinMode("ignore").value(), StdinMode::kIgnore);
  EXPECT_FALSE(ParseStdinMode("yes").ok());
}

TEST(StdinPolicy, ClassifiesDescriptors) {
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(null_fd, 0);
  EXPECT_EQ(ClassifyStdin(null_fd), StdinKind::kNull);
  ::close(null_fd);
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  EXPECT_EQ(ClassifyStdin(fds[0]), StdinKind::kPipe);
  ::close(fds[0]);
  ::close(fds[1]);
  EXPECT_EQ(ClassifyStdin(fds[0]), StdinKind::kClosed);
  int file_fd = ::open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(file_fd, 0);
  EXPECT_EQ(ClassifyStdin(file_fd), StdinKind::kFile);
  ::close(file_fd);
}

}  // namespace
}  // namespace gale::kafka_broker
