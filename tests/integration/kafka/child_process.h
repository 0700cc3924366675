#pragma once

// A child process for integration tests: started with fork/exec, stdin and
// stdout optionally piped to the test, stderr (and stdout when not piped)
// written to files. Reads and waits take deadlines. The destructor kills a
// child that is still running.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace gale::testing {

class ChildProcess {
 public:
  struct Options {
    std::vector<std::string> argv;  // argv[0]: the program path
    bool pipe_stdin = false;
    bool pipe_stdout = false;
    std::string stdout_file;  // when stdout is not piped ("" = /dev/null)
    std::string stderr_file;  // "" = /dev/null
  };

  // nullptr (and a test failure) when the program cannot be started.
  static std::unique_ptr<ChildProcess> Start(const Options& options);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // One line of piped stdout without its newline; nullopt at EOF or timeout.
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout);
  bool WriteLine(const std::string& line);
  void CloseStdin();
  // The exit code (128 + signal when killed), or nullopt on timeout.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  void Signal(int signal);
  int pid() const { return pid_; }

 private:
  ChildProcess() = default;

  int pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  std::string buffered_;
  std::optional<int> exit_code_;
};

}  // namespace gale::testing
