#include "common/log_rotation.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "common/log.h"

namespace gale {
namespace {

std::string Numbered(const std::string& path, int n) { return path + "." + std::to_string(n); }

}  // namespace

bool LogRotation::MaybeRotate(Clock::time_point now) {
  if (options_.path.empty() || now < next_check_) return false;
  next_check_ = now + options_.interval;
  Result<bool> rotated = Rotate();
  if (rotated.ok()) return *rotated;
  if (!failure_logged_) {
    failure_logged_ = true;
    Logger("log")->warn("{} (logged once)", rotated.status().message());
  }
  return false;
}

Result<bool> LogRotation::Rotate() {
  const std::string& path = options_.path;
  if (path.empty()) return false;
  struct stat out;
  struct stat file;
  if (::fstat(2, &out) != 0) return false;
  if (out.st_size < options_.max_bytes) return false;
  // Only the log this process writes: stderr must be the file at `path`.
  if (::stat(path.c_str(), &file) != 0 || file.st_dev != out.st_dev ||
      file.st_ino != out.st_ino) {
    return false;
  }
  // The new file first, so that a failure leaves everything as it was.
  std::string fresh = path + ".new";
  ::unlink(fresh.c_str());
  int fd = ::open(fresh.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    return IoError("cannot rotate " + path + ": cannot create " + fresh + ": " +
                   std::strerror(errno));
  }
  std::fflush(stdout);
  std::fflush(stderr);
  for (int n = options_.max_files - 1; n >= 1; --n) {
    ::rename(Numbered(path, n).c_str(), Numbered(path, n + 1).c_str());  // absent: ENOENT
  }
  if (options_.max_files >= 1) {
    ::rename(path.c_str(), Numbered(path, 1).c_str());
  }
  if (::rename(fresh.c_str(), path.c_str()) != 0) {
    int error = errno;
    ::close(fd);
    ::unlink(fresh.c_str());
    return IoError("cannot rotate " + path + ": " + std::strerror(error));
  }
  ::dup2(fd, 1);
  ::dup2(fd, 2);
  ::close(fd);
  return true;
}

}  // namespace gale
