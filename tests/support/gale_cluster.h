#pragma once

// Helpers for tests that run topologies with `gale submit`.

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "support/run_command.h"

namespace gale::testing {

// A state directory for one test; kills whatever is left of its topology.
class Cluster {
 public:
  Cluster(std::string gale, const ScratchDir& dir)
      : gale_(std::move(gale)), dir_(dir), state_(dir.Join("state")) {}
  ~Cluster() {
    if (!name_.empty()) Gale("kill --force " + name_, 60);
  }
  CommandResult Gale(const std::string& args, int timeout = 180) const {
    return RunCommand(gale_ + " --state-dir " + state_ + " " + args, dir_, timeout);
  }
  void Track(const std::string& name) { name_ = name; }
  const std::string& state() const { return state_; }
  std::string TopologyDir(const std::string& name) const {
    return state_ + "/topologies/" + name;
  }
  // The pid recorded under `key` ("tmaster", "pids/task-3", ...), or 0.
  // The master's location is its alive entry, alive/tmaster.
  int Pid(const std::string& name, const std::string& key) const {
    std::string file = key == "tmaster" ? "alive/tmaster" : key;
    std::string text = ReadFile(TopologyDir(name) + "/" + file);
    std::smatch m;
    if (std::regex_search(text, m, std::regex("pid=(\\d+)"))) return std::stoi(m[1]);
    return 0;
  }

 private:
  std::string gale_;
  const ScratchDir& dir_;
  std::string state_;
  std::string name_;
};

inline bool Alive(int pid) {
  std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  auto paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z';
}

// SIGKILLs the process recorded under `key` of topology `name` and waits up
// to 30 s for its supervisor to start a successor (a new pid).
inline void KillAndWaitForRestart(const Cluster& cluster, const std::string& name,
                                  const std::string& key) {
  const int pid = cluster.Pid(name, key);
  ASSERT_GT(pid, 0) << key;
  ASSERT_EQ(::kill(pid, SIGKILL), 0) << key;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (cluster.Pid(name, key) == pid || cluster.Pid(name, key) == 0) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << key << " was not restarted";
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// Every integer value of `"field":N` in a JSON text, in order.
inline std::vector<std::uint64_t> JsonNumbers(const std::string& json, const std::string& field) {
  std::vector<std::uint64_t> out;
  std::regex re("\"" + field + "\":(\\d+)");
  for (auto it = std::sregex_iterator(json.begin(), json.end(), re); it != std::sregex_iterator();
       ++it) {
    out.push_back(std::stoull((*it)[1]));
  }
  return out;
}

// Every string value of `"field":"..."` in a JSON text, in order.
inline std::vector<std::string> JsonStrings(const std::string& json, const std::string& field) {
  std::vector<std::string> out;
  std::regex re("\"" + field + "\":\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(json.begin(), json.end(), re); it != std::sregex_iterator();
       ++it) {
    out.push_back((*it)[1]);
  }
  return out;
}

// A numeric field of one component in `gale status --json` output.
inline double JsonComponentField(const std::string& json, const std::string& component,
                                 const std::string& field) {
  std::smatch m;
  std::regex re("\\{\"id\":\"" + component + "\"[^}]*\"" + field + "\":([0-9.]+)");
  if (std::regex_search(json, m, re)) return std::stod(m[1]);
  return 0;
}

}  // namespace gale::testing
