#pragma once

// Helpers for integration tests that run the real gale binary.

#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace gale::testing {

// A fresh directory under the system temp dir, removed on destruction.
class ScratchDir {
 public:
  ScratchDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("gale-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string Join(const std::string& name) const { return (path_ / name).string(); }
  std::string Write(const std::string& name, const std::string& content) const {
    std::ofstream(path_ / name) << content;
    return Join(name);
  }

 private:
  std::filesystem::path path_;
};

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Lines of every file in `dir` whose name starts with `prefix`.
inline std::vector<std::string> ReadLines(const ScratchDir& dir, const std::string& prefix) {
  std::vector<std::string> lines;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    if (entry.path().filename().string().rfind(prefix, 0) != 0) continue;
    std::istringstream in(ReadFile(entry.path().string()));
    std::string line;
    while (std::getline(in, line)) lines.push_back(line);
  }
  return lines;
}

// The same lines split on tabs (FileSinkBolt's format).
inline std::vector<std::vector<std::string>> ReadTsvFiles(const ScratchDir& dir,
                                                          const std::string& prefix) {
  std::vector<std::vector<std::string>> rows;
  for (const std::string& line : ReadLines(dir, prefix)) {
    std::vector<std::string> cols;
    std::istringstream f(line);
    std::string col;
    while (std::getline(f, col, '\t')) cols.push_back(col);
    rows.push_back(cols);
  }
  return rows;
}

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `command` through the shell with a time limit (killed after
// timeout_secs), capturing stdout and stderr into files of `dir`.
inline CommandResult RunCommand(const std::string& command, const ScratchDir& dir,
                                int timeout_secs = 120) {
  static int counter = 0;
  std::string base = dir.Join("cmd" + std::to_string(counter++));
  std::string full = "timeout -k 5 " + std::to_string(timeout_secs) + " " + command + " > " +
                     base + ".out 2> " + base + ".err";
  int status = std::system(full.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadFile(base + ".out");
  r.err = ReadFile(base + ".err");
  return r;
}

// Polls `done` every 100 ms until it holds or `secs` pass; its last answer.
inline bool WaitUntil(const std::function<bool()>& done, double secs) {
  using Clock = std::chrono::steady_clock;
  auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::duration<double>(secs));
  while (Clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return done();
}

}  // namespace gale::testing
