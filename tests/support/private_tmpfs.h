#pragma once

// Runs a test body on a small tmpfs that nobody else sees and that vanishes
// with the test, however it ends: the body runs in a forked child that
// enters a private mount namespace (unshare(CLONE_NEWNS), mounts made
// private) and mounts the tmpfs there. The child's mounts die with its
// namespace, i.e. with the child and whatever it started. Processes the
// body started and left behind are found by a marker in their command line
// (the tmpfs path, unique per test) and killed by the parent.
//
// The body reports failures as text (Checks); gtest assertions do not cross
// the fork. Needs CAP_SYS_ADMIN (root, as the test machines run); without
// it RunOnPrivateTmpfs says so and the caller skips.

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace gale::testing {

// Failures collected by a body running in the child.
class Checks {
 public:
  void Expect(bool ok, const std::string& what) {
    if (!ok) failures_ += what + "\n";
  }
  const std::string& failures() const { return failures_; }

 private:
  std::string failures_;
};

struct TmpfsRun {
  bool unavailable = false;  // no mount namespace here: skip, do not pass
  std::string failures;      // empty: the body passed
};

// Pids of processes whose command line contains `marker`.
inline std::vector<pid_t> ProcessesMentioning(const std::string& marker) {
  std::vector<pid_t> pids;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return pids;
  while (dirent* e = ::readdir(proc)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0' || pid == ::getpid()) continue;
    std::ifstream in(std::string("/proc/") + e->d_name + "/cmdline", std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (text.str().find(marker) != std::string::npos) pids.push_back(static_cast<pid_t>(pid));
  }
  ::closedir(proc);
  return pids;
}

// Mounts a tmpfs of `size_bytes` at `dir` (which must exist) in a private
// mount namespace of a child and runs `body` there; body returns its
// failures ("" when it passed). Afterwards processes whose command line
// holds `marker` (default `dir`) are killed.
inline TmpfsRun RunOnPrivateTmpfs(const std::string& dir, std::size_t size_bytes,
                                  const std::function<std::string()>& body,
                                  std::string marker = "") {
  if (marker.empty()) marker = dir;
  int out[2];
  if (::pipe(out) != 0) return {false, "pipe failed"};
  pid_t child = ::fork();
  if (child < 0) return {false, "fork failed"};
  if (child == 0) {
    ::close(out[0]);
    std::string report;
    if (::unshare(CLONE_NEWNS) != 0) {
      report = "unavailable: unshare(CLONE_NEWNS): " + std::string(std::strerror(errno));
    } else if (::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
      report = "unavailable: making mounts private: " + std::string(std::strerror(errno));
    } else {
      std::string options = "size=" + std::to_string(size_bytes) + ",mode=0700";
      if (::mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
        report = "unavailable: mounting a tmpfs: " + std::string(std::strerror(errno));
      } else {
        report = body();
        if (report.empty()) report = "ok";
      }
    }
    for (std::size_t done = 0; done < report.size();) {
      ssize_t n = ::write(out[1], report.data() + done, report.size() - done);
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    ::_exit(0);
  }
  ::close(out[1]);
  std::string report;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(out[0], buf, sizeof buf)) > 0) report.append(buf, static_cast<std::size_t>(n));
  ::close(out[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  // Whatever the body started and left running (it shares the namespace,
  // keeping the tmpfs alive) goes now.
  for (pid_t pid : ProcessesMentioning(marker)) ::kill(pid, SIGKILL);
  TmpfsRun run;
  if (report.rfind("unavailable: ", 0) == 0) {
    run.unavailable = true;
    run.failures = report;
  } else if (report != "ok") {
    run.failures = report.empty() ? "the child died (status " + std::to_string(status) + ")"
                                  : report;
  }
  return run;
}

// Fills the file system holding `dir` with new files of `chunk` bytes named
// <dir>/fill-N until a write fails; the number of files written.
inline int FillDisk(const std::string& dir, std::size_t chunk = 4096) {
  std::string block(chunk, 'x');
  int files = 0;
  for (int i = 0;; ++i) {
    std::string path = dir + "/fill-" + std::to_string(i);
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0 && errno == EEXIST) continue;  // from an earlier fill
    if (fd < 0) break;
    ssize_t n = ::write(fd, block.data(), block.size());
    bool full = n != static_cast<ssize_t>(block.size());
    full = (::close(fd) != 0) || full;
    if (full) {
      ::unlink(path.c_str());
      break;
    }
    ++files;
  }
  return files;
}

// Removes every file FillDisk wrote in `dir`.
inline void FreeDisk(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) {
    if (std::string(e->d_name).rfind("fill-", 0) == 0) names.push_back(e->d_name);
  }
  ::closedir(d);
  for (const std::string& n : names) ::unlink((dir + "/" + n).c_str());
}

}  // namespace gale::testing
