#include "headless_browser.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>

namespace gale::testing {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool IsZombie(int pid) {
  std::string stat = Slurp("/proc/" + std::to_string(pid) + "/stat");
  auto paren = stat.rfind(')');
  return paren == std::string::npos || paren + 2 >= stat.size() || stat[paren + 2] == 'Z';
}

// Kills `pid`, which is not our child, and waits until it has exited (its
// pidfd turns readable then), at most 10 s: SIGKILL takes effect
// asynchronously, and on a loaded machine a killed renderer can still be
// running when the caller looks again.
void KillAndWait(int pid) {
  const int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  kill(pid, SIGKILL);
  if (fd < 0) return;  // gone already
  pollfd p{fd, POLLIN, 0};
  while (poll(&p, 1, 10'000) < 0 && errno == EINTR) {
  }
  close(fd);
}

}  // namespace

std::vector<int> ProcessesNaming(const std::string& text) {
  std::vector<int> pids;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    const int pid = std::stoi(name);
    if (pid == getpid()) continue;
    if (Slurp("/proc/" + name + "/cmdline").find(text) == std::string::npos) continue;
    if (!IsZombie(pid)) pids.push_back(pid);
  }
  return pids;
}

BrowserResult RunHeadlessChromium(const std::string& dir, const std::vector<std::string>& args,
                                  const std::string& url, int timeout_secs) {
  static std::atomic<int> runs{0};
  const std::string base = dir + "/chromium-" + std::to_string(runs++);
  const std::string home = base + "/home";
  std::filesystem::create_directories(home);
  std::vector<std::string> argv = {"/usr/bin/chromium",
                                   "--headless",
                                   "--no-sandbox",
                                   "--disable-gpu",
                                   "--no-first-run",
                                   "--disable-extensions",
                                   "--disable-background-networking",
                                   "--disable-component-update",
                                   "--disable-sync",
                                   "--user-data-dir=" + base + "/profile"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back(url);
  const std::string out_file = base + "/stdout";
  const std::string err_file = base + "/stderr";

  const pid_t pid = fork();
  if (pid < 0) return {};
  if (pid == 0) {
    setpgid(0, 0);
    int out = open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int in = open("/dev/null", O_RDONLY);
    if (out < 0 || err < 0 || in < 0) _exit(127);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    // Everything chromium writes outside its profile (crash reports,
    // caches) lands in the private HOME too.
    setenv("HOME", home.c_str(), 1);
    setenv("XDG_CONFIG_HOME", (home + "/.config").c_str(), 1);
    setenv("XDG_CACHE_HOME", (home + "/.cache").c_str(), 1);
    std::vector<char*> cargv;
    for (std::string& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  setpgid(pid, pid);  // also here: whichever runs first

  // Waits in waitpid(2) on another thread; this one sleeps until it returns
  // or the timeout passes.
  auto exited = std::async(std::launch::async, [pid] {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
  });
  BrowserResult r;
  r.finished = exited.wait_for(std::chrono::seconds(timeout_secs)) == std::future_status::ready;
  // Stop the whole group, whatever happened, then whatever left it but
  // still names the private directory (chromium's crash handlers start
  // their own sessions).
  kill(-pid, SIGKILL);
  const int status = exited.get();
  if (r.finished && WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  for (int other : ProcessesNaming(base)) KillAndWait(other);
  r.out = Slurp(out_file);
  r.err = Slurp(err_file);
  return r;
}

}  // namespace gale::testing
