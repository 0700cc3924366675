#include "state/state_manager.h"

#include <cstdlib>
#include <fstream>

#include "common/parse.h"
#include "state/local_fs_state_manager.h"

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

std::string StateManager::DefaultRoot() {
  if (const char* env = std::getenv("GALE_STATE_DIR"); env != nullptr && *env != '\0') return env;
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : "/tmp") + "/.gale";
}

std::unique_ptr<StateManager> MakeStateManager(const std::string& root) {
  return std::make_unique<LocalFsStateManager>(root);
}

bool ProcessAlive(int pid) {
  std::string fields = StatFieldsAfterName(pid);
  if (fields.empty()) return false;
  return fields[0] != 'Z' && fields[0] != 'X';
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

}  // namespace gale::state
