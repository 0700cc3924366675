#include "state/state_manager.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <algorithm>
#include <sstream>

namespace gale::state {

namespace fs = std::filesystem;

void KeyValues::Set(const std::string& key, const std::string& value) {
  for (auto& [k, v] : items_) {
    if (k == key) {
      v = value;
      return;
    }
  }
  Add(key, value);
}

std::optional<std::string> KeyValues::Get(const std::string& key) const {
  for (const auto& [k, v] : items_) {
    if (k == key) return v;
  }
  return std::nullopt;
}

std::string KeyValues::GetOr(const std::string& key, const std::string& fallback) const {
  auto v = Get(key);
  return v ? *v : fallback;
}

std::vector<std::string> KeyValues::GetAll(const std::string& key) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : items_) {
    if (k == key) out.push_back(v);
  }
  return out;
}

std::string KeyValues::Serialize() const {
  std::string out;
  for (const auto& [k, v] : items_) {
    out += k;
    out += '=';
    // Values are single-line by construction; newlines would split them.
    for (char c : v) out += (c == '\n' ? ' ' : c);
    out += '\n';
  }
  return out;
}

KeyValues KeyValues::Parse(const std::string& text) {
  KeyValues kv;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    kv.Add(line.substr(0, eq), line.substr(eq + 1));
  }
  return kv;
}

std::string StateManager::DefaultRoot() {
  if (const char* env = std::getenv("GALE_STATE_DIR"); env != nullptr && *env != '\0') return env;
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : "/tmp") + "/.gale";
}

std::string StateManager::TopologyDir(const std::string& topology) const {
  return root_ + "/topologies/" + topology;
}

std::string StateManager::Path(const std::string& topology, const std::string& key) const {
  return TopologyDir(topology) + "/" + key;
}

Status StateManager::Write(const std::string& topology, const std::string& key,
                           const std::string& content) {
  std::string path = Path(topology, key);
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string tmp = path + ".tmp" + std::to_string(getpid()) + "." + std::to_string(rng());
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << content;
    if (!out.good()) return IoError("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    fs::remove(tmp, ec);
    return IoError("cannot rename " + tmp + " to " + path);
  }
  return Status::Ok();
}

Status StateManager::WriteKv(const std::string& topology, const std::string& key,
                             const KeyValues& kv) {
  return Write(topology, key, kv.Serialize());
}

std::optional<std::string> StateManager::Read(const std::string& topology,
                                              const std::string& key) const {
  std::ifstream in(Path(topology, key));
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::optional<KeyValues> StateManager::ReadKv(const std::string& topology,
                                              const std::string& key) const {
  auto text = Read(topology, key);
  if (!text) return std::nullopt;
  return KeyValues::Parse(*text);
}

void StateManager::Remove(const std::string& topology, const std::string& key) {
  std::error_code ec;
  fs::remove(Path(topology, key), ec);
}

std::vector<std::string> StateManager::List(const std::string& topology,
                                            const std::string& prefix) const {
  std::vector<std::string> keys;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(Path(topology, prefix), ec)) {
    std::string name = e.path().filename().string();
    if (name.find(".tmp") != std::string::npos) continue;
    keys.push_back(name);
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::vector<std::string> StateManager::Topologies() const {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root_ + "/topologies", ec)) {
    if (e.is_directory()) names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool StateManager::Exists(const std::string& topology) const {
  std::error_code ec;
  return fs::exists(TopologyDir(topology), ec);
}

Status StateManager::Create(const std::string& topology) {
  std::error_code ec;
  for (const char* sub : {"pids", "metrics", "errors", "logs", "sock"}) {
    fs::create_directories(Path(topology, sub), ec);
    if (ec) return IoError("cannot create " + Path(topology, sub) + ": " + ec.message());
  }
  return Status::Ok();
}

void StateManager::RemoveTopology(const std::string& topology) {
  std::error_code ec;
  fs::remove_all(TopologyDir(topology), ec);
}

Result<int> StateManager::Lock(const std::string& topology, const std::string& name) {
  std::string path = Path(topology, name + ".lock");
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("cannot open lock " + path);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return Status(ErrorCode::kAlreadyExists, "another live process holds " + path);
  }
  return fd;
}

bool ProcessAlive(int pid) {
  if (pid <= 0) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return false;
  std::string line;
  std::getline(stat, line);
  auto close_paren = line.rfind(')');
  if (close_paren == std::string::npos || close_paren + 2 >= line.size()) return false;
  char state = line[close_paren + 2];
  return state != 'Z' && state != 'X';
}

}  // namespace gale::state
