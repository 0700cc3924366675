#pragma once

// A private network namespace for one test, standing for another host: a
// veth pair with one end in this (the root) namespace and the other in the
// new one, each with an address of a /24 the test owns (10.2xx.y.1 here,
// .2 there). Programs run "on the other host" through Prefix() (`ip netns
// exec NAME`). The destructor kills every process left in the namespace and
// deletes it, which deletes the veth pair too; a namespace left by a test
// that was killed outright (its pid in the name is gone) is removed by the
// next one. Needs root and iproute2 (deploy/install-deps.sh).

#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <string>

#include "support/run_command.h"

namespace gale::testing {

class NetworkNamespace {
 public:
  explicit NetworkNamespace(const ScratchDir& dir) : dir_(dir) {
    RemoveStale();
    static int next = 0;
    const int pid = static_cast<int>(::getpid());
    const int n = next++;
    name_ = kPrefix + std::to_string(pid) + "-" + std::to_string(n);
    const std::string id = std::to_string(pid % 100000) + "x" + std::to_string(n % 10);
    host_link_ = "gvh" + id;
    ns_link_ = "gvn" + id;
    const std::string subnet = FreeSubnet(pid * 7 + n);
    here_ = subnet + ".1";
    there_ = subnet + ".2";
    Run("ip netns add " + name_);
    try {
      Run("ip link add " + host_link_ + " type veth peer name " + ns_link_ + " netns " + name_);
      Run("ip addr add " + here_ + "/24 dev " + host_link_);
      Run("ip link set " + host_link_ + " up");
      Run("ip -n " + name_ + " addr add " + there_ + "/24 dev " + ns_link_);
      Run("ip -n " + name_ + " link set " + ns_link_ + " up");
      Run("ip -n " + name_ + " link set lo up");
    } catch (...) {
      // No destructor runs for a constructor that throws.
      Remove(name_);
      Shell("ip link del " + host_link_);
      throw;
    }
  }
  ~NetworkNamespace() {
    Remove(name_);
    Shell("ip link del " + host_link_);
  }
  NetworkNamespace(const NetworkNamespace&) = delete;
  NetworkNamespace& operator=(const NetworkNamespace&) = delete;

  const std::string& name() const { return name_; }
  // This namespace's address on the pair, and the other host's.
  const std::string& here() const { return here_; }
  const std::string& there() const { return there_; }
  // Prepended to a command to run it in the namespace.
  std::string Prefix() const { return "ip netns exec " + name_ + " "; }

 private:
  static constexpr const char* kPrefix = "gale-net-";

  CommandResult Shell(const std::string& command) const {
    return RunCommand(command, dir_, 30);
  }
  void Run(const std::string& command) const {
    CommandResult r = Shell(command);
    if (r.exit_code != 0) {
      throw std::runtime_error("'" + command + "' failed (exit " + std::to_string(r.exit_code) +
                               "): " + r.err + " (network namespace tests need root and iproute2)");
    }
  }

  // Kills what runs in namespace `name`, then deletes it.
  void Remove(const std::string& name) const {
    std::istringstream pids(Shell("ip netns pids " + name).out);
    for (int pid; pids >> pid;) ::kill(pid, SIGKILL);
    Shell("ip netns del " + name);
  }

  // Namespaces of test processes that no longer exist.
  void RemoveStale() const {
    std::istringstream list(Shell("ip netns list").out);
    for (std::string line; std::getline(list, line);) {
      std::string name = line.substr(0, line.find(' '));
      if (name.rfind(kPrefix, 0) != 0) continue;
      std::string pid = name.substr(std::string(kPrefix).size());
      pid = pid.substr(0, pid.find('-'));
      if (!pid.empty() && !std::filesystem::exists("/proc/" + pid)) Remove(name);
    }
  }

  // "10.A.B" of a /24 that no address or route of this namespace touches.
  std::string FreeSubnet(int seed) const {
    const std::string routes = Shell("ip -4 route show table all").out +
                               Shell("ip -4 -o addr show").out;
    for (int i = 0; i < 500; ++i) {
      int k = seed + i * 31;
      std::string subnet = "10." + std::to_string(201 + k % 50) + "." +
                           std::to_string((k / 50) % 250 + 1);
      if (routes.find(subnet + ".") == std::string::npos) return subnet;
    }
    throw std::runtime_error("no free 10.x.y.0/24 for a test network namespace");
  }

  const ScratchDir& dir_;
  std::string name_, host_link_, ns_link_, here_, there_;
};

}  // namespace gale::testing
