#pragma once

// The test Kafka broker (gale-kafka-broker) as a child process on
// 127.0.0.1 with kernel-chosen ports, reading commands from a pipe
// (--stdin commands); stopped (EOF on stdin) or killed when the object goes
// away.

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "child_process.h"

namespace gale::testing {

class TestBroker {
 public:
  // `args`: e.g. {"--brokers", "1", "--topic", "words:4"}. nullptr (and a
  // test failure) when it did not print its bootstrap line within 10 s.
  static std::unique_ptr<TestBroker> Start(const std::string& program,
                                           const std::vector<std::string>& args,
                                           const std::string& stderr_file) {
    ChildProcess::Options o;
    o.argv.push_back(program);
    // The tests drive it through the stdin pipe and stop it with EOF.
    o.argv.push_back("--stdin");
    o.argv.push_back("commands");
    o.argv.insert(o.argv.end(), args.begin(), args.end());
    o.pipe_stdin = true;
    o.pipe_stdout = true;
    o.stderr_file = stderr_file;
    std::unique_ptr<TestBroker> broker(new TestBroker());
    broker->process_ = ChildProcess::Start(o);
    if (!broker->process_) return nullptr;
    std::optional<std::string> line = broker->process_->ReadLine(std::chrono::seconds(10));
    const std::string prefix = "bootstrap.servers=";
    if (!line || line->rfind(prefix, 0) != 0) {
      ADD_FAILURE() << "broker did not start: first line '" << line.value_or("<none>") << "'";
      return nullptr;
    }
    broker->bootstrap_ = line->substr(prefix.size());
    return broker;
  }

  const std::string& bootstrap() const { return bootstrap_; }

  // Sends one command and returns its answer ("ok" or "error: ...").
  std::string Command(const std::string& line) {
    if (!process_->WriteLine(line)) return "<write failed>";
    return process_->ReadLine(std::chrono::seconds(10)).value_or("<no answer>");
  }

  // EOF on stdin; the exit code, or -1 when it had to be killed.
  int Stop() {
    process_->CloseStdin();
    std::optional<int> code = process_->Wait(std::chrono::seconds(10));
    return code.value_or(-1);
  }

  ChildProcess& process() { return *process_; }

 private:
  TestBroker() = default;

  std::unique_ptr<ChildProcess> process_;
  std::string bootstrap_;
};

}  // namespace gale::testing
