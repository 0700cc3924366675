// `gale top NAME`: reads the topology like `gale status` (TakeSnapshot),
// twice an interval apart, and draws top_frame.h's frame.
//
// The loop sleeps in poll() on stdin and a self-pipe that the SIGINT,
// SIGTERM and SIGWINCH handlers write to, with the time left until the next
// read as its timeout: it wakes for a key, a signal or the next read, never
// otherwise.

#include "top_command.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <exception>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

#include "cluster_commands.h"
#include "top_frame.h"
#include "topology_snapshot.h"

namespace gale::cli {
namespace {

using Clock = std::chrono::steady_clock;
using state::StateManager;

// One read of the topology.
struct Reading {
  Snapshot snapshot;
  Clock::time_point at;
  std::set<int> live_tasks;
  FrameHeader header;
};

// Seconds since process `pid` started, from /proc; nullopt when unknown.
std::optional<double> UptimeOf(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  auto paren = text.rfind(')');
  if (paren == std::string::npos) return std::nullopt;
  // After ") ": state is field 3; starttime is field 22.
  std::istringstream fields(text.substr(paren + 2));
  std::string field;
  for (int i = 3; i < 22 && fields >> field; ++i) {
  }
  unsigned long long start_ticks = 0;
  if (!(fields >> start_ticks)) return std::nullopt;
  std::ifstream proc_uptime("/proc/uptime");
  double since_boot = 0;
  if (!(proc_uptime >> since_boot)) return std::nullopt;
  long ticks = ::sysconf(_SC_CLK_TCK);
  if (ticks <= 0) return std::nullopt;
  double up = since_boot - static_cast<double>(start_ticks) / static_cast<double>(ticks);
  return up < 0 ? 0 : up;
}

std::string WallClock() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::localtime_r(&now, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
  return buf;
}

// Reads the topology; nullopt when it is gone or its state cannot be read
// (RequireTopology then says which).
std::optional<Reading> Read(const StateManager& sm, const std::string& name,
                            const TopOptions& options) {
  auto exists = sm.Exists(name);
  if (!exists.ok() || !*exists) return std::nullopt;
  Reading r;
  r.snapshot = TakeSnapshot(sm, name);
  r.at = Clock::now();
  for (const metrics::TaskSnapshot& t : r.snapshot.tasks) {
    if (state::IsTopologyProcess(t.pid, name)) r.live_tasks.insert(t.task);
  }
  FrameHeader& h = r.header;
  h.name = name;
  h.running = SchedulerAlive(sm, name);
  if (h.running) h.uptime_secs = UptimeOf(PidOf(sm, name, "scheduler").pid);
  auto act = sm.ReadKv(name, "activation");
  h.active = !act.ok() || act->GetOr("active", "1") == "1";
  h.tasks_live = r.snapshot.tasks_live;
  h.tasks_total = r.snapshot.metrics.tasks_total;
  h.interval_secs = options.interval_secs;
  h.clock = WallClock();
  h.backpressure = r.snapshot.metrics.backpressure;
  return r;
}

std::vector<std::string> Frame(const Reading& before, const Reading& now, FrameHeader header,
                               const FrameStyle& style) {
  double secs = std::chrono::duration<double>(now.at - before.at).count();
  std::vector<ComponentRow> rows = ComputeRows(before.snapshot, now.snapshot, secs,
                                               now.live_tasks);
  return FormatFrame(header, rows, style);
}

bool WriteAll(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

bool ColourWanted() {
  const char* no_colour = std::getenv("NO_COLOR");
  return ::isatty(STDOUT_FILENO) == 1 && (no_colour == nullptr || *no_colour == '\0');
}

// Columns and rows of the terminal on stdout; 0 when unknown.
std::pair<int, int> TerminalSize() {
  winsize ws{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0) return {0, 0};
  return {ws.ws_col, ws.ws_row};
}

void SleepMs(int ms) {
  // poll() with no descriptors: a sleep that a signal ends early.
  (void)::poll(nullptr, 0, ms);
}

// After a read found no topology: RequireTopology says why.
int Gone(const StateManager& sm, const std::string& name) {
  int code = RequireTopology(sm, name);
  return code == kExitOk ? kExitFailure : code;
}

int RemainingMs(Clock::time_point deadline) {
  auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

// One frame, plain lines: --once or stdout not a terminal.
int Once(const StateManager& sm, const std::string& name, const TopOptions& options) {
  std::optional<Reading> before = Read(sm, name, options);
  if (!before) return Gone(sm, name);
  auto deadline = before->at + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(options.interval_secs));
  while (Clock::now() < deadline) SleepMs(RemainingMs(deadline));
  std::optional<Reading> now = Read(sm, name, options);
  if (!now) return Gone(sm, name);
  FrameStyle style;
  style.colour = ColourWanted();
  if (::isatty(STDOUT_FILENO) == 1) style.width = TerminalSize().first;
  std::string out;
  for (const std::string& line : Frame(*before, *now, now->header, style)) out += line + "\n";
  return WriteAll(STDOUT_FILENO, out) ? kExitOk : kExitFailure;
}

// The self-pipe the signal handlers wake the loop through.
int g_wake_write = -1;
volatile std::sig_atomic_t g_stop_signal = 0;

void OnSignal(int signal) {
  int saved = errno;
  if (signal != SIGWINCH) g_stop_signal = signal;
  char byte = 0;
  (void)!::write(g_wake_write, &byte, 1);
  errno = saved;
}

// The handlers for SIGINT, SIGTERM and SIGWINCH while the view runs; the
// previous ones come back on destruction.
class SignalScope {
 public:
  explicit SignalScope(int wake_write) {
    g_wake_write = wake_write;
    g_stop_signal = 0;
    struct sigaction sa {};
    sa.sa_handler = OnSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: poll() returns EINTR
    for (std::size_t i = 0; i < kSignals.size(); ++i) ::sigaction(kSignals[i], &sa, &old_[i]);
  }
  ~SignalScope() {
    for (std::size_t i = 0; i < kSignals.size(); ++i) ::sigaction(kSignals[i], &old_[i], nullptr);
    g_wake_write = -1;
  }
  SignalScope(const SignalScope&) = delete;
  SignalScope& operator=(const SignalScope&) = delete;

 private:
  static constexpr std::array<int, 3> kSignals = {SIGINT, SIGTERM, SIGWINCH};
  std::array<struct sigaction, 3> old_{};
};

// The terminal while the view runs: stdin (when a terminal) without line
// buffering, echo or the suspend key; stdout on the alternate screen with the
// cursor hidden. Everything is put back on destruction.
class TerminalScope {
 public:
  TerminalScope() {
    if (::isatty(STDIN_FILENO) == 1 && ::tcgetattr(STDIN_FILENO, &saved_) == 0) {
      termios raw = saved_;
      raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO | IEXTEN);
      raw.c_cc[VMIN] = 1;
      raw.c_cc[VTIME] = 0;
      raw.c_cc[VSUSP] = _POSIX_VDISABLE;  // a stopped view would leave the terminal raw
      raw_ = ::tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
    }
    (void)WriteAll(STDOUT_FILENO, "\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J");
  }
  ~TerminalScope() {
    (void)WriteAll(STDOUT_FILENO, "\x1b[?25h\x1b[?1049l");
    if (raw_) (void)::tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
  }
  TerminalScope(const TerminalScope&) = delete;
  TerminalScope& operator=(const TerminalScope&) = delete;

 private:
  termios saved_{};
  bool raw_ = false;
};

class Pipe {
 public:
  Pipe() {
    if (::pipe2(fds_, O_CLOEXEC | O_NONBLOCK) != 0) fds_[0] = fds_[1] = -1;
  }
  ~Pipe() {
    if (fds_[0] >= 0) ::close(fds_[0]);
    if (fds_[1] >= 0) ::close(fds_[1]);
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  bool ok() const { return fds_[0] >= 0; }
  int read_end() const { return fds_[0]; }
  int write_end() const { return fds_[1]; }

 private:
  int fds_[2];
};

void Draw(const std::vector<std::string>& lines) {
  auto [cols, rows] = TerminalSize();
  (void)cols;
  std::string out = "\x1b[H";
  std::size_t shown = rows > 0 ? std::min<std::size_t>(lines.size(), rows) : lines.size();
  for (std::size_t i = 0; i < shown; ++i) {
    out += lines[i] + "\x1b[K";
    if (i + 1 < shown) out += "\r\n";
  }
  out += "\x1b[J";
  (void)WriteAll(STDOUT_FILENO, out);
}

// Why the loop ended.
enum class End { kQuit, kGone, kError };

int Live(const StateManager& sm, const std::string& name, const TopOptions& options) {
  Pipe wake;
  if (!wake.ok()) {
    Error(std::string("cannot create a pipe: ") + std::strerror(errno));
    return kExitFailure;
  }
  const auto interval = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(options.interval_secs));
  std::optional<Reading> before = Read(sm, name, options);
  if (!before) return Gone(sm, name);
  End end = End::kQuit;
  std::string error;
  {
    SignalScope signals(wake.write_end());
    TerminalScope terminal;
    Draw({"topology " + name + ": reading its metrics for " +
          FormatDuration(options.interval_secs) + "... (q quits)"});
    std::optional<Reading> shown;  // the newest read, for redrawing on resize
    std::optional<Reading> shown_before;
    Clock::time_point next = before->at + interval;
    bool watch_stdin = true;
    auto redraw = [&] {
      if (!shown) return;
      FrameStyle style;
      style.colour = ColourWanted();
      style.width = TerminalSize().first;
      FrameHeader header = shown->header;
      header.interactive = true;
      Draw(Frame(*shown_before, *shown, header, style));
    };
    for (;;) {
      pollfd fds[2] = {{wake.read_end(), POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
      int n = ::poll(fds, watch_stdin ? 2 : 1, RemainingMs(next));
      if (n < 0 && errno != EINTR) {
        end = End::kError;
        error = std::string("poll failed: ") + std::strerror(errno);
        break;
      }
      if (g_stop_signal != 0) break;
      bool resized = false;
      if (n > 0 && (fds[0].revents & POLLIN)) {
        char drain[64];
        while (::read(wake.read_end(), drain, sizeof drain) > 0) {
        }
        resized = true;  // the only other signal
      }
      bool quit = false;
      if (n > 0 && watch_stdin && fds[1].revents != 0) {
        char keys[64];
        ssize_t got = ::read(STDIN_FILENO, keys, sizeof keys);
        if (got <= 0 && !(got < 0 && (errno == EINTR || errno == EAGAIN))) {
          watch_stdin = false;  // end of input: only signals stop the view now
        }
        for (ssize_t i = 0; i < got; ++i) quit = quit || keys[i] == 'q' || keys[i] == 'Q';
      }
      if (quit) break;
      if (Clock::now() >= next) {
        std::optional<Reading> now = Read(sm, name, options);
        if (!now) {
          end = End::kGone;
          break;
        }
        shown_before = std::move(before);
        shown = now;
        before = std::move(now);
        next += interval;
        if (next <= Clock::now()) next = Clock::now() + interval;
        redraw();
      } else if (resized) {
        redraw();
      }
    }
  }
  // The terminal is itself again: messages are seen.
  if (end == End::kGone) return Gone(sm, name);
  if (end == End::kError) {
    Error(error);
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

int Top(const StateManager& sm, const std::string& name, const TopOptions& options) {
  // Caught here so that the terminal scope unwinds (and restores the
  // terminal) before the message.
  try {
    if (options.once || ::isatty(STDOUT_FILENO) != 1) return Once(sm, name, options);
    return Live(sm, name, options);
  } catch (const std::exception& e) {
    Error(std::string("top: ") + e.what());
    return kExitFailure;
  }
}

}  // namespace gale::cli
