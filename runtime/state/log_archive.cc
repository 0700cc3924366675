#include "state/log_archive.h"

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/parse.h"

namespace gale::state {
namespace {

namespace fs = std::filesystem;

std::string UtcNow() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The value of `key=` in a small key=value text, or "".
std::string ValueOf(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + "=", 0) == 0) return line.substr(key.size() + 1);
  }
  return "";
}

std::string ReadText(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Run numbers of the directories under `dir` whose name is a positive integer.
std::vector<int> RunNumbers(const fs::path& dir) {
  std::vector<int> runs;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (!e.is_directory(ec)) continue;
    auto n = ParseInt(e.path().filename().string(), 1, 1'000'000'000, "run");
    if (n.ok()) runs.push_back(static_cast<int>(*n));
  }
  std::sort(runs.begin(), runs.end());
  return runs;
}

}  // namespace

std::vector<int> RunsToPrune(std::vector<int> runs, int keep) {
  std::sort(runs.begin(), runs.end());
  std::size_t n = keep < 0 ? 0 : static_cast<std::size_t>(keep);
  if (runs.size() <= n) return {};
  runs.resize(runs.size() - n);
  return runs;
}

int LogArchive::KeepRunsFromEnv() {
  const char* env = std::getenv(kKeepRunsEnv);
  if (env == nullptr || *env == '\0') return kDefaultKeepRuns;
  auto n = ParseInt(env, 0, 1'000'000, kKeepRunsEnv);
  return n.ok() ? static_cast<int>(*n) : kDefaultKeepRuns;
}

std::string LogArchive::TopologyDir(const std::string& name) const {
  return root_ + "/archive/" + name;
}

Result<ArchivedRun> LogArchive::Archive(const std::string& name, const std::string& topology_dir,
                                        const std::string& reason,
                                        const std::map<std::string, std::string>& records) {
  if (keep_runs_ <= 0) {
    return Status(ErrorCode::kFailedPrecondition,
                  std::string("log archiving is off (") + kKeepRunsEnv + "=0)");
  }
  std::error_code ec;
  const fs::path logs = fs::path(topology_dir) / "logs";
  if (!fs::is_directory(logs, ec)) return NotFound("no logs directory in " + topology_dir);
  const fs::path base = TopologyDir(name);
  fs::create_directories(base, ec);
  if (ec) return IoError("cannot create " + base.string() + ": " + ec.message());
  // Claim the next run number; create_directory fails if another process
  // took it first.
  std::vector<int> existing = RunNumbers(base);
  int run = existing.empty() ? 1 : existing.back() + 1;
  fs::path dir;
  for (;; ++run) {
    dir = base / std::to_string(run);
    if (fs::create_directory(dir, ec)) break;
    if (ec) return IoError("cannot create " + dir.string() + ": " + ec.message());
  }
  fs::rename(logs, dir / "logs", ec);
  if (ec) {  // another filesystem: copy instead
    ec.clear();
    fs::copy(logs, dir / "logs", fs::copy_options::recursive, ec);
    if (ec) return IoError("cannot archive " + logs.string() + ": " + ec.message());
  }
  for (const char* record : {"submit", "packing"}) {
    if (auto it = records.find(record); it != records.end()) {
      std::ofstream(dir / record, std::ios::trunc) << it->second;
      continue;
    }
    fs::copy_file(fs::path(topology_dir) / record, dir / record, ec);
    ec.clear();
  }
  ArchivedRun result;
  result.run = run;
  result.dir = dir.string();
  result.reason = reason;
  result.archived = UtcNow();
  {
    std::ofstream out(dir / "run", std::ios::trunc);
    out << "run=" << run << "\ntopology=" << name << "\nreason=" << reason
        << "\narchived=" << result.archived << "\n";
    out.close();  // a full disk shows up when the buffer is written
    if (out.fail()) {
      return IoError("the logs were moved to " + dir.string() + " but its record " +
                     (dir / "run").string() + " could not be written (is the disk full?)");
    }
  }
  for (const auto& e : fs::directory_iterator(dir / "logs", ec)) {
    (void)e;
    ++result.log_files;
  }
  Prune(name);
  return result;
}

std::vector<ArchivedRun> LogArchive::Runs(const std::string& name) const {
  std::vector<ArchivedRun> out;
  const fs::path base = TopologyDir(name);
  for (int run : RunNumbers(base)) {
    ArchivedRun r;
    r.run = run;
    r.dir = (base / std::to_string(run)).string();
    std::string info = ReadText(fs::path(r.dir) / "run");
    r.reason = ValueOf(info, "reason");
    r.archived = ValueOf(info, "archived");
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(r.LogsDir(), ec)) {
      (void)e;
      ++r.log_files;
    }
    out.push_back(std::move(r));
  }
  return out;
}

Result<ArchivedRun> LogArchive::Find(const std::string& name, std::string_view selector) const {
  std::vector<ArchivedRun> runs = Runs(name);
  if (runs.empty()) return NotFound("no archived runs of topology '" + name + "' in " + root_);
  if (selector == "latest" || selector == "last") return runs.back();
  auto n = ParseInt(selector, 1, 1'000'000'000, "--run");
  if (!n.ok()) {
    return InvalidArgument("--run '" + std::string(selector) +
                           "': expected a run number or 'latest'");
  }
  std::string numbers;
  for (const ArchivedRun& r : runs) {
    if (r.run == *n) return r;
    numbers += (numbers.empty() ? "" : ", ") + std::to_string(r.run);
  }
  return NotFound("topology '" + name + "' has no archived run " + std::to_string(*n) +
                  " (archived runs: " + numbers + ")");
}

void LogArchive::Prune(const std::string& name) const {
  const fs::path base = TopologyDir(name);
  for (int run : RunsToPrune(RunNumbers(base), keep_runs_)) {
    std::error_code ec;
    fs::remove_all(base / std::to_string(run), ec);
  }
}

}  // namespace gale::state
