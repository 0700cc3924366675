// `gale top` of a submitted topology: one frame when stdout is not a
// terminal, the live view under a pseudo-terminal (raw mode while it runs,
// `q` or SIGTERM ends it and the terminal mode comes back), and an unknown
// topology refused like `gale status` refuses it.

#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/gale_cluster.h"
#include "support/run_command.h"

namespace gale {
namespace {

using Clock = std::chrono::steady_clock;
using testing::Cluster;
using testing::CommandResult;
using testing::JsonComponentField;
using testing::ScratchDir;
using testing::WaitUntil;

const std::string kGale = GALE_BIN;

std::string Yaml(const std::string& name) {
  return "name: " + name + R"(
config:
  topology.workers: 1
  topology.max.spout.pending: 200
spouts:
  - {id: sentences, className: RandomSentenceSpout}
bolts:
  - {id: split, className: SplitSentenceBolt, parallelism: 2}
  - {id: count, className: WordCountBolt}
streams:
  - {from: sentences, to: split, grouping: {type: SHUFFLE}}
  - {from: split, to: count, grouping: {type: FIELDS, args: [word]}}
)";
}

// Submits `name` and waits until every component has executed or emitted.
void SubmitRunning(Cluster& cluster, const ScratchDir& dir, const std::string& name) {
  cluster.Track(name);
  CommandResult submit = cluster.Gale("submit " + dir.Write(name + ".yaml", Yaml(name)));
  ASSERT_EQ(submit.exit_code, 0) << submit.err;
  std::string json;
  ASSERT_TRUE(WaitUntil(
      [&] {
        json = cluster.Gale("status " + name + " --json").out;
        return JsonComponentField(json, "sentences", "acked") > 0 &&
               JsonComponentField(json, "count", "executed") > 0;
      },
      120))
      << json;
}

// The whitespace-separated fields of the line of `text` that starts with
// `first` followed by a space.
std::vector<std::string> RowOf(const std::string& text, const std::string& first) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(first + " ", 0) != 0) continue;
    std::istringstream fields(line);
    std::vector<std::string> out;
    std::string f;
    while (fields >> f) out.push_back(f);
    return out;
  }
  return {};
}

// Column positions in a row: COMPONENT KIND TASKS RST EMIT/s EXEC/s ACK/s.
constexpr int kTasks = 2, kEmit = 4, kExec = 5, kAck = 6;

double Number(const std::vector<std::string>& row, int column) {
  if (static_cast<int>(row.size()) <= column) return -1;
  return std::stod(row[column]);
}

TEST(TopOnce, ShowsEveryComponentWithLiveRates) {
  ScratchDir dir;
  Cluster cluster(kGale, dir);
  ASSERT_NO_FATAL_FAILURE(SubmitRunning(cluster, dir, "toponce"));
  // Two seconds apart: every task rewrites its metrics at least once.
  CommandResult top = cluster.Gale("top toponce --once --interval 2");
  ASSERT_EQ(top.exit_code, 0) << top.err;
  EXPECT_NE(top.out.find("topology toponce: running, active"), std::string::npos) << top.out;
  EXPECT_NE(top.out.find("4/4 tasks live"), std::string::npos) << top.out;
  EXPECT_NE(top.out.find("backpressure: "), std::string::npos) << top.out;
  EXPECT_EQ(top.out.find('\x1b'), std::string::npos) << "not a terminal: no escapes";
  std::vector<std::string> sentences = RowOf(top.out, "sentences");
  std::vector<std::string> split = RowOf(top.out, "split");
  std::vector<std::string> count = RowOf(top.out, "count");
  ASSERT_FALSE(sentences.empty()) << top.out;
  ASSERT_FALSE(split.empty()) << top.out;
  ASSERT_FALSE(count.empty()) << top.out;
  EXPECT_EQ(split[kTasks], "2/2") << top.out;
  EXPECT_GT(Number(sentences, kEmit), 0) << top.out;
  EXPECT_GT(Number(sentences, kAck), 0) << top.out;
  EXPECT_GT(Number(split, kExec), 0) << top.out;
  EXPECT_GT(Number(split, kEmit), 0) << top.out;
  EXPECT_GT(Number(count, kExec), 0) << top.out;
}

TEST(TopOnce, RefusesAnUnknownTopologyLikeStatus) {
  ScratchDir dir;
  Cluster cluster(kGale, dir);
  CommandResult status = cluster.Gale("status nosuch");
  CommandResult top = cluster.Gale("top nosuch --once");
  EXPECT_NE(top.exit_code, 0);
  EXPECT_EQ(top.exit_code, status.exit_code);
  EXPECT_NE(top.err.find("no topology 'nosuch'"), std::string::npos) << top.err;
  EXPECT_EQ(top.err, status.err);
  EXPECT_TRUE(top.out.empty()) << top.out;
  CommandResult bad = cluster.Gale("top nosuch --interval 0");
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("--interval"), std::string::npos) << bad.err;
}

// `gale top` on the slave side of a pseudo-terminal; the test holds the
// master. The child is killed if the test ends before it exits.
class PtyTop {
 public:
  PtyTop(const Cluster& cluster, const std::string& name) {
    // The mode a fresh terminal starts in: line editing and echo on.
    int m = -1, s = -1;
    if (::openpty(&m, &s, nullptr, nullptr, nullptr) == 0) {
      ::tcgetattr(s, &initial_);
      ::close(m);
      ::close(s);
    }
    winsize ws{};
    ws.ws_col = 120;
    ws.ws_row = 40;
    pid_ = ::forkpty(&master_, nullptr, &initial_, &ws);
    if (pid_ == 0) {
      ::unsetenv("NO_COLOR");
      ::execl(kGale.c_str(), kGale.c_str(), "--state-dir", cluster.state().c_str(), "top",
              name.c_str(), "--interval", "0.5", static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  ~PtyTop() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (master_ >= 0) ::close(master_);
  }

  bool started() const { return pid_ > 0 && master_ >= 0; }
  const termios& initial() const { return initial_; }
  termios Mode() const {
    termios t{};
    ::tcgetattr(master_, &t);
    return t;
  }
  void Type(const std::string& keys) { (void)!::write(master_, keys.data(), keys.size()); }
  void Signal(int sig) { ::kill(pid_, sig); }
  const std::string& output() const { return output_; }

  // Reads the terminal until `done` holds or `secs` pass.
  bool ReadUntil(const std::function<bool()>& done, double secs) {
    auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                       std::chrono::duration<double>(secs));
    while (!done()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return false;
      pollfd p{master_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[4096];
      ssize_t n = ::read(master_, buf, sizeof buf);
      if (n <= 0) return done();  // the slave side closed
      output_.append(buf, static_cast<std::size_t>(n));
    }
    return true;
  }

  // Waits for the child to exit, reading what it writes meanwhile; its wait
  // status, or -1 when it is still running after `secs`.
  int WaitExit(double secs) {
    int status = -1;
    bool ok = ReadUntil(
        [&] {
          if (::waitpid(pid_, &status, WNOHANG) == pid_) exited_ = true;
          return exited_;
        },
        secs);
    // ReadUntil sleeps in poll(); after the last output, waitpid decides.
    if (!ok) ok = WaitUntil([&] { return ::waitpid(pid_, &status, WNOHANG) == pid_; }, secs);
    if (ok) exited_ = true;
    // What it wrote just before exiting may still be unread: the terminal
    // keeps it after the child is gone, until read (then read fails: EIO).
    while (ok) {
      pollfd p{master_, POLLIN, 0};
      if (::poll(&p, 1, 1000) <= 0) break;
      char buf[4096];
      ssize_t n = ::read(master_, buf, sizeof buf);
      if (n <= 0) break;
      output_.append(buf, static_cast<std::size_t>(n));
    }
    return ok ? status : -1;
  }

  std::size_t Count(const std::string& needle) const {
    std::size_t n = 0;
    for (auto at = output_.find(needle); at != std::string::npos;
         at = output_.find(needle, at + 1)) {
      ++n;
    }
    return n;
  }

 private:
  termios initial_{};
  int master_ = -1;
  pid_t pid_ = -1;
  bool exited_ = false;
  std::string output_;
};

void ExpectLiveFrames(PtyTop& top, const std::string& name) {
  ASSERT_TRUE(top.started());
  // Two frames: the header names the topology each time.
  bool two = top.ReadUntil([&] { return top.Count(name + "\x1b[0m: ") >= 2; }, 60);
  ASSERT_TRUE(two) << top.output();
  EXPECT_NE(top.output().find("\x1b[?1049h"), std::string::npos) << "alternate screen";
  for (const char* component : {"sentences", "split", "count"}) {
    EXPECT_NE(top.output().find(component), std::string::npos) << top.output();
  }
  EXPECT_NE(top.output().find("(q quits)"), std::string::npos) << top.output();
  // Raw while it runs: no line editing, no echo.
  termios raw = top.Mode();
  EXPECT_EQ(raw.c_lflag & (ICANON | ECHO), 0u);
}

void ExpectRestored(const PtyTop& top) {
  termios after = top.Mode();
  EXPECT_EQ(after.c_lflag, top.initial().c_lflag);
  EXPECT_NE(after.c_lflag & ICANON, 0u);
  EXPECT_NE(after.c_lflag & ECHO, 0u);
  EXPECT_EQ(after.c_cc[VSUSP], top.initial().c_cc[VSUSP]);
  EXPECT_NE(top.output().find("\x1b[?1049l"), std::string::npos) << "left the alternate screen";
}

TEST(TopLive, QuitsOnQAndRestoresTheTerminal) {
  ScratchDir dir;
  Cluster cluster(kGale, dir);
  ASSERT_NO_FATAL_FAILURE(SubmitRunning(cluster, dir, "toplive"));
  PtyTop top(cluster, "toplive");
  ASSERT_NO_FATAL_FAILURE(ExpectLiveFrames(top, "toplive"));
  top.Type("q");
  int status = top.WaitExit(10);
  ASSERT_NE(status, -1) << "still running after q";
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
  ExpectRestored(top);
}

TEST(TopLive, StopsOnSigtermAndRestoresTheTerminal) {
  ScratchDir dir;
  Cluster cluster(kGale, dir);
  ASSERT_NO_FATAL_FAILURE(SubmitRunning(cluster, dir, "topterm"));
  PtyTop top(cluster, "topterm");
  ASSERT_NO_FATAL_FAILURE(ExpectLiveFrames(top, "topterm"));
  top.Signal(SIGTERM);
  int status = top.WaitExit(10);
  ASSERT_NE(status, -1) << "still running after SIGTERM";
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
  ExpectRestored(top);
}

}  // namespace
}  // namespace gale
