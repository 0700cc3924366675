#include "state/local_fs_state_manager.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "common/names.h"
#include "common/parse.h"

namespace gale::state {
namespace {

namespace fs = std::filesystem;

class FlockLock final : public StateLock {
 public:
  explicit FlockLock(int fd) : fd_(fd) {}
  ~FlockLock() override { ::close(fd_); }
  FlockLock(const FlockLock&) = delete;
  FlockLock& operator=(const FlockLock&) = delete;

 private:
  int fd_;
};

class FileAliveEntry final : public AliveEntry {
 public:
  FileAliveEntry(LocalFsStateManager* sm, std::string topology, std::string key)
      : sm_(sm), topology_(std::move(topology)), key_(std::move(key)) {}
  ~FileAliveEntry() override { (void)sm_->Remove(topology_, key_); }

 private:
  LocalFsStateManager* sm_;
  std::string topology_;
  std::string key_;
};

class InotifyWatch final : public Watch {
 public:
  InotifyWatch(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
  ~InotifyWatch() override { ::close(fd_); }
  InotifyWatch(const InotifyWatch&) = delete;
  InotifyWatch& operator=(const InotifyWatch&) = delete;

  Result<bool> Wait(std::chrono::milliseconds timeout) override {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!fired_) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() < 0) return false;
      pollfd p{fd_, POLLIN, 0};
      int n = ::poll(&p, 1, static_cast<int>(left.count()));
      if (n < 0 && errno != EINTR) return IoError("watch: poll failed");
      if (n <= 0) continue;
      alignas(inotify_event) char buf[4096];
      ssize_t len = ::read(fd_, buf, sizeof buf);
      if (len <= 0) continue;
      for (ssize_t off = 0; off < len;) {
        auto* ev = reinterpret_cast<inotify_event*>(buf + off);
        if (ev->len > 0 && name_ == ev->name) fired_ = true;
        if (ev->mask & (IN_DELETE_SELF | IN_IGNORED)) fired_ = true;  // directory gone
        off += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
      }
    }
    return true;
  }

 private:
  int fd_;
  std::string name_;
  bool fired_ = false;
};

}  // namespace

std::string LocalFsStateManager::LocalDir(const std::string& topology) const {
  return root_ + "/topologies/" + topology;
}

// What to do about a failed write of `path`, by errno.
static std::string WriteFailureHint(int error, const std::string& dir) {
  switch (error) {
    case ENOSPC:
    case EDQUOT:
      return "the file system holding " + dir + " is full or over quota; free space there " +
             "(df -h " + dir + ") and try again";
    case EACCES:
    case EPERM:
      return dir + " is not writable by this user (ls -ld " + dir +
             "); fix its owner or permissions, or use another --state-dir";
    case EROFS:
      return dir + " is on a read-only file system; use another --state-dir";
    case EIO:
      return "the disk holding " + dir + " reported an I/O error; check it (dmesg)";
    default:
      return "check the file system holding " + dir;
  }
}

Status LocalFsStateManager::Write(const std::string& topology, const std::string& key,
                                  const std::string& bytes) {
  std::string path = Path(topology, key);
  std::string dir = fs::path(path).parent_path().string();
  std::error_code ec;
  fs::create_directories(dir, ec);
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string tmp = path + ".tmp" + std::to_string(getpid()) + "." + std::to_string(rng());
  // The message names the record, the step and the cause, and says what to
  // do; the old value of the record is still in place.
  auto failed = [&](const char* step, int error) {
    return IoError("cannot write record '" + key + "' of topology '" + topology + "' (" +
                   step + " " + path + "): " + std::strerror(error) + "; " +
                   WriteFailureHint(error, dir) + " (the record was not changed)");
  };
  // Readable by the owner only. Every byte must reach the file (a full disk
  // fails the write, not the record) before the rename installs it; records
  // other than the per-second metrics are also on disk before the rename,
  // so a crash cannot leave an empty activation or plan behind.
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return failed("creating a temporary file for", errno);
  auto fail = [&](const char* step) {
    int error = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return failed(step, error);
  };
  for (std::size_t done = 0; done < bytes.size();) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) errno = ENOSPC;  // write(2) returns 0 only when nothing fits
    if (n <= 0) return fail("writing");
    done += static_cast<std::size_t>(n);
  }
  bool durable = key.rfind("metrics/", 0) != 0;
  if (durable && ::fsync(fd) != 0) return fail("syncing");
  if (::close(fd) != 0) {
    int error = errno;
    ::unlink(tmp.c_str());
    return failed("closing", error);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int error = errno;
    ::unlink(tmp.c_str());
    return failed("installing", error);
  }
  if (durable) {
    // The rename itself reaches the disk with the directory. The new record
    // is in place (readers see it) even if this fails.
    int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0 || ::fsync(dir_fd) != 0) {
      int error = errno;
      if (dir_fd >= 0) ::close(dir_fd);
      return IoError("record '" + key + "' of topology '" + topology + "' was written but " +
                     dir + " could not be synced: " + std::strerror(error) + "; " +
                     WriteFailureHint(error, dir));
    }
    ::close(dir_fd);
  }
  return Status::Ok();
}

Result<std::string> LocalFsStateManager::Read(const std::string& topology,
                                              const std::string& key) const {
  std::ifstream in(Path(topology, key), std::ios::binary);
  if (!in) return NotFound("no '" + key + "' for topology '" + topology + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Status LocalFsStateManager::Remove(const std::string& topology, const std::string& key) {
  std::error_code ec;
  fs::remove(Path(topology, key), ec);
  if (ec) return IoError("cannot remove " + Path(topology, key) + ": " + ec.message());
  return Status::Ok();
}

Result<std::vector<std::string>> LocalFsStateManager::List(const std::string& topology,
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

Result<std::vector<std::string>> LocalFsStateManager::Topologies() const {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root_ + "/topologies", ec)) {
    if (e.is_directory()) names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Refuses a name that would reach outside the state root before anything
// is created or removed.
static Status CheckName(const std::string& topology) {
  if (ValidTopologyName(topology)) return Status::Ok();
  return InvalidArgument("'" + topology.substr(0, kMaxTopologyName) +
                         "' is not a topology name (letters, digits, '.', '_' and '-', not "
                         "starting with '.', at most " + std::to_string(kMaxTopologyName) +
                         " characters)");
}

Result<bool> LocalFsStateManager::Exists(const std::string& topology) const {
  if (!ValidTopologyName(topology)) return false;  // "..", "a/b": never a topology here
  std::error_code ec;
  return fs::exists(LocalDir(topology), ec);
}

// An existing root must be this user's and writable by nobody else: a root
// another user can write lets them plant a submission (with plugin paths)
// that this user's processes would load.
static Status CheckRootOwner(const std::string& root) {
  struct stat st;
  if (::stat(root.c_str(), &st) != 0) return Status::Ok();  // created below, 0700
  if (st.st_uid != ::geteuid()) {
    return Status(ErrorCode::kFailedPrecondition,
                  "state directory " + root + " belongs to uid " + std::to_string(st.st_uid) +
                      ", not to this user (uid " + std::to_string(::geteuid()) +
                      "); use a directory of your own with --state-dir");
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return Status(ErrorCode::kFailedPrecondition,
                  "state directory " + root + " is writable by other users; make it private "
                  "(chmod 700 " + root + ") or use another --state-dir");
  }
  return Status::Ok();
}

Status LocalFsStateManager::Create(const std::string& topology) {
  GALE_RETURN_IF_ERROR(CheckName(topology));
  std::error_code ec;
  const bool root_existed = fs::exists(root_, ec);
  if (!root_existed) {
    // Created private from the start; if another user made it first (a
    // default root under /tmp), mkdir fails and the owner check refuses it.
    fs::path parent = fs::path(root_).parent_path();
    if (!parent.empty()) fs::create_directories(parent, ec);
    if (::mkdir(root_.c_str(), 0700) != 0 && errno != EEXIST) {
      int error = errno;
      return IoError("cannot create the state directory " + root_ + ": " +
                     std::strerror(error) + "; " + WriteFailureHint(error, parent.string()));
    }
  }
  GALE_RETURN_IF_ERROR(CheckRootOwner(root_));
  for (const char* sub : {"pids", "metrics", "errors", "logs", "sock"}) {
    fs::create_directories(Path(topology, sub), ec);
    if (ec) return IoError("cannot create " + Path(topology, sub) + ": " + ec.message());
  }
  // topologies/ and the topology's directories (and the root, when this
  // created it; an existing one is the user's choice) are the owner's only:
  // they hold the submission (overrides may carry passwords), the sockets
  // and the logs.
  std::vector<std::string> private_dirs = {root_ + "/topologies", LocalDir(topology)};
  if (!root_existed) private_dirs.push_back(root_);
  for (const char* sub : {"pids", "metrics", "errors", "logs", "sock"}) {
    private_dirs.push_back(Path(topology, sub));
  }
  for (const std::string& dir : private_dirs) {
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (ec) return IoError("cannot make " + dir + " private: " + ec.message());
  }
  return Status::Ok();
}

Status LocalFsStateManager::RemoveTopology(const std::string& topology) {
  GALE_RETURN_IF_ERROR(CheckName(topology));
  std::error_code ec;
  fs::remove_all(LocalDir(topology), ec);
  if (ec) return IoError("cannot remove " + LocalDir(topology) + ": " + ec.message());
  return Status::Ok();
}

Result<std::unique_ptr<StateLock>> LocalFsStateManager::Lock(const std::string& topology,
                                                             const std::string& name) {
  std::string path = Path(topology, name + ".lock");
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot open lock " + path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return Status(ErrorCode::kAlreadyExists, "another live process holds " + path);
  }
  return std::unique_ptr<StateLock>(std::make_unique<FlockLock>(fd));
}

Result<std::unique_ptr<AliveEntry>> LocalFsStateManager::PublishAlive(const std::string& topology,
                                                                      const std::string& name,
                                                                      const std::string& bytes) {
  int pid = static_cast<int>(getpid());
  auto start = ProcessStartTime(pid);
  if (!start) return InternalError("cannot read this process's start time");
  std::string key = "alive/" + name;
  std::string text =
      "owner_pid=" + std::to_string(pid) + "\nowner_start=" + std::to_string(*start) + "\n\n" + bytes;
  GALE_RETURN_IF_ERROR(Write(topology, key, text));
  return std::unique_ptr<AliveEntry>(std::make_unique<FileAliveEntry>(this, topology, key));
}

Result<std::string> LocalFsStateManager::ReadAlive(const std::string& topology,
                                                   const std::string& name) const {
  auto text = Read(topology, "alive/" + name);
  if (!text.ok()) return text.status();
  auto gone = [&] {
    return NotFound("'" + name + "' of topology '" + topology + "' is not alive");
  };
  auto blank = text->find("\n\n");
  if (blank == std::string::npos) return gone();
  auto header = KeyValues::ParseStrict(std::string_view(*text).substr(0, blank));
  if (!header.ok()) return gone();
  auto pid = records::ReadInt(*header, "owner_pid", records::kMinPid, records::kMaxId);
  auto start = records::ReadUint64(*header, "owner_start");
  if (!pid.ok() || !start.ok()) return gone();
  auto actual = ProcessStartTime(static_cast<int>(*pid));
  if (!actual || *actual != *start) return gone();
  return text->substr(blank + 2);
}

Result<std::unique_ptr<Watch>> LocalFsStateManager::WatchKey(const std::string& topology,
                                                             const std::string& key) {
  fs::path path(Path(topology, key));
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return IoError("inotify_init1 failed");
  int wd = ::inotify_add_watch(fd, path.parent_path().c_str(),
                               IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE |
                                   IN_MOVED_FROM | IN_DELETE_SELF);
  if (wd < 0) {
    ::close(fd);
    return IoError("cannot watch " + path.parent_path().string());
  }
  return std::unique_ptr<Watch>(std::make_unique<InotifyWatch>(fd, path.filename().string()));
}

}  // namespace gale::state
