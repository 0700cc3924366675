#include "state/state_manager.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "common/parse.h"
#include "state/local_fs_state_manager.h"
#include "state/zookeeper_state_manager.h"

namespace gale::state {
namespace {

// The fields of /proc/<pid>/stat after the command name, or "" if absent.
std::string StatFieldsAfterName(int pid) {
  if (pid <= 0) return "";
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return "";
  std::string line;
  std::getline(stat, line);
  auto close_paren = line.rfind(')');
  if (close_paren == std::string::npos || close_paren + 2 >= line.size()) return "";
  return line.substr(close_paren + 2);
}

}  // namespace

StateManager::RootChoice StateManager::ChooseDefaultRoot() {
  if (const char* env = std::getenv("GALE_STATE_DIR"); env != nullptr && *env != '\0') {
    return {env, ""};
  }
  const char* home = std::getenv("HOME");
  if (home != nullptr && *home != '\0') return {std::string(home) + "/.gale", ""};
  // No home: a directory of this user's own, never one shared by everyone
  // in /tmp where another user could plant records (Create makes it 0700
  // and refuses it when another user owns it). Said out loud: /tmp may be
  // cleared at boot, taking the topologies' state with it.
  std::string root = "/tmp/gale-" + std::to_string(::geteuid());
  return {root, "HOME is not set: the state directory is " + root +
                    " (private to this user, but /tmp may be cleared at reboot); set "
                    "GALE_STATE_DIR or pass --state-dir DIR to choose another"};
}

bool IsHostLocalKey(const std::string& key) {
  return key == "metrics" || key == "logs" || key.rfind("metrics/", 0) == 0 ||
         key.rfind("logs/", 0) == 0;
}

bool IsSecretKey(const std::string& key) { return key == "keys" || key == "http_token"; }

std::vector<std::string> StateOptions::ChildArgs() const {
  std::vector<std::string> args;
  if (!cluster_file.empty()) args = {"--cluster", cluster_file};
  args.push_back("--state-dir");
  args.push_back(root);
  return args;
}

std::string StateOptions::Describe() const {
  if (!zookeeper) return root;
  return "ZooKeeper " + zookeeper->connect + " under " + zookeeper->root;
}

std::string StateManager::DefaultRoot() { return ChooseDefaultRoot().root; }

std::unique_ptr<StateManager> MakeStateManager(const std::string& root) {
  return std::make_unique<LocalFsStateManager>(root);
}

Result<std::unique_ptr<StateManager>> OpenStateManager(const StateOptions& options) {
  if (!options.zookeeper) return MakeStateManager(options.root);
  auto zk = ZooKeeperStateManager::Open(*options.zookeeper, options.root);
  if (!zk.ok()) return zk.status();
  return std::unique_ptr<StateManager>(std::move(zk).value());
}

bool ProcessAlive(int pid) {
  std::string fields = StatFieldsAfterName(pid);
  if (fields.empty()) return false;
  return fields[0] != 'Z' && fields[0] != 'X';
}

bool IsTopologyProcess(int pid, const std::string& topology, std::uint64_t start) {
  if (pid <= 1 || !ProcessAlive(pid)) return false;
  if (start != 0 && ProcessStartTime(pid) != start) return false;
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  if (!in) return false;
  std::vector<std::string> args;
  std::string arg;
  while (std::getline(in, arg, '\0') && args.size() < 64) args.push_back(arg);
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    const std::string& a = args[i];
    bool role = a == "_scheduler" || a == "_tmaster" || a == "_executor" || a == "_stmgr" ||
                a == "_instance";
    if (role && args[i + 1] == topology) return true;
  }
  return false;
}

std::optional<std::uint64_t> ProcessStartTime(int pid) {
  std::string fields = StatFieldsAfterName(pid);
  if (fields.empty() || fields[0] == 'Z' || fields[0] == 'X') return std::nullopt;
  // Field 3 (state) is the first word here; field 22 (starttime) the 20th.
  std::size_t pos = 0;
  for (int i = 0; i < 19; ++i) {
    pos = fields.find(' ', pos);
    if (pos == std::string::npos) return std::nullopt;
    ++pos;
  }
  std::size_t end = fields.find(' ', pos);
  auto v = ParseUint64(std::string_view(fields).substr(pos, end == std::string::npos
                                                                ? std::string::npos
                                                                : end - pos),
                       "starttime");
  if (!v.ok()) return std::nullopt;
  return *v;
}

std::uint64_t SelfStartTime() { return ProcessStartTime(static_cast<int>(::getpid())).value_or(0); }

}  // namespace gale::state
