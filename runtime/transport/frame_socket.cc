#include "transport/frame_socket.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "transport/zmq_util.h"
#include "wire/bytes.h"

namespace gale::transport {
namespace {

constexpr std::size_t kHeaderBytes = 4;
// Frames sent with one sendmsg at most; more go through the output buffer.
constexpr std::size_t kMaxIovFrames = 256;
constexpr std::size_t kReadChunk = 256 * 1024;

std::uint32_t GetLength(const char* p) {
  std::uint32_t n = 0;
  (void)wire::Reader(std::string_view(p, kHeaderBytes)).GetFixed32(&n);
  return n;
}

bool Broken(int err) { return err != EAGAIN && err != EWOULDBLOCK && err != EINTR; }

Result<sockaddr_un> UnixAddress(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) {
    return InvalidArgument("Unix socket path '" + path + "' is over " +
                           std::to_string(sizeof(addr.sun_path) - 1) + " bytes");
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

}  // namespace

FrameSocket::FrameSocket(int fd) : fd_(fd) {
  int flags = fcntl(fd_, F_GETFL, 0);
  if (flags >= 0) fcntl(fd_, F_SETFL, flags | O_NONBLOCK);
}

FrameSocket::~FrameSocket() {
  if (fd_ >= 0) close(fd_);
}

bool FrameSocket::Send(const std::vector<std::string_view>& frames) {
  if (frames.empty()) return true;
  if (!wants_write() && frames.size() <= kMaxIovFrames) {
    // The usual case: nothing waits, so the frames go straight from the
    // caller's buffers.
    char headers[kMaxIovFrames][kHeaderBytes];
    iovec iov[2 * kMaxIovFrames];
    std::size_t total = 0;
    for (std::size_t i = 0; i < frames.size(); ++i) {
      wire::WriteFixed32(headers[i], static_cast<std::uint32_t>(frames[i].size()));
      iov[2 * i] = {headers[i], kHeaderBytes};
      iov[2 * i + 1] = {const_cast<char*>(frames[i].data()), frames[i].size()};
      total += kHeaderBytes + frames[i].size();
    }
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = 2 * frames.size();
    ssize_t n = sendmsg(fd_, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (Broken(errno)) return false;
      n = 0;
    }
    if (static_cast<std::size_t>(n) == total) return true;
    // Keep what the socket did not take.
    out_.clear();
    out_pos_ = 0;
    std::size_t skip = static_cast<std::size_t>(n);
    for (std::size_t i = 0; i < 2 * frames.size(); ++i) {
      std::size_t len = iov[i].iov_len;
      if (skip >= len) {
        skip -= len;
        continue;
      }
      out_.append(static_cast<const char*>(iov[i].iov_base) + skip, len - skip);
      skip = 0;
    }
    return true;
  }
  if (out_pos_ == out_.size()) {
    out_.clear();
    out_pos_ = 0;
  }
  for (std::string_view f : frames) {
    char header[kHeaderBytes];
    wire::WriteFixed32(header, static_cast<std::uint32_t>(f.size()));
    out_.append(header, kHeaderBytes);
    out_.append(f);
  }
  return FlushOut();
}

bool FrameSocket::FlushOut() {
  while (out_pos_ < out_.size()) {
    ssize_t n = send(fd_, out_.data() + out_pos_, out_.size() - out_pos_,
                     MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      return !Broken(errno);
    }
    out_pos_ += static_cast<std::size_t>(n);
  }
  out_.clear();
  out_pos_ = 0;
  return true;
}

bool FrameSocket::Receive(std::vector<std::string>* frames) {
  // A few reads at most, so one busy peer cannot keep its reader from the
  // others.
  for (int reads = 0; reads < 4; ++reads) {
    if (in_start_ == in_end_) in_start_ = in_end_ = 0;
    if (in_end_ == in_.size()) {
      // Move what is unread to the front, then grow if that is not room.
      if (in_start_ > 0) {
        std::memmove(in_.data(), in_.data() + in_start_, in_end_ - in_start_);
        in_end_ -= in_start_;
        in_start_ = 0;
      }
      if (in_end_ == in_.size()) in_.resize(std::max(kReadChunk, 2 * in_.size()));
    }
    ssize_t n = read(fd_, in_.data() + in_end_, in_.size() - in_end_);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const bool broken = n == 0 || Broken(errno);  // 0: closed by the peer
      return TakeFrames(frames) && !broken;
    }
    in_end_ += static_cast<std::size_t>(n);
    const bool full = in_end_ == in_.size();
    if (!TakeFrames(frames)) return false;
    if (!full) return true;
  }
  return true;
}

bool FrameSocket::TakeFrames(std::vector<std::string>* frames) {
  while (in_end_ - in_start_ >= kHeaderBytes) {
    std::uint32_t len = GetLength(in_.data() + in_start_);
    if (len > static_cast<std::uint64_t>(kMaxMessageBytes)) return false;
    std::size_t need = kHeaderBytes + len;
    if (in_end_ - in_start_ < need) {
      // A frame longer than the buffer: make room for all of it.
      if (need > in_.size()) {
        std::memmove(in_.data(), in_.data() + in_start_, in_end_ - in_start_);
        in_end_ -= in_start_;
        in_start_ = 0;
        in_.resize(need);
      }
      return true;
    }
    frames->emplace_back(in_.data() + in_start_ + kHeaderBytes, len);
    in_start_ += need;
  }
  return true;
}

std::string StmgrLocalSocket(const std::string& topology_dir, int container) {
  return topology_dir + "/sock/stmgr-" + std::to_string(container);
}

std::string StmgrPeerSocket(const std::string& topology_dir, int container) {
  return topology_dir + "/sock/peer-" + std::to_string(container);
}

Result<int> ListenUnix(const std::string& path) {
  auto addr = UnixAddress(path);
  if (!addr.ok()) return addr.status();
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return IoError(std::string("socket: ") + std::strerror(errno));
  unlink(path.c_str());
  if (bind(fd, reinterpret_cast<const sockaddr*>(&*addr), sizeof(*addr)) != 0 ||
      listen(fd, 64) != 0) {
    int err = errno;
    close(fd);
    return IoError("cannot listen on " + path + ": " + std::strerror(err));
  }
  return fd;
}

int AcceptUnix(int listener, std::uint32_t* peer_uid) {
  for (;;) {
    int fd = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return -1;
    }
    ucred cred{};
    socklen_t len = sizeof(cred);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
      close(fd);
      continue;
    }
    *peer_uid = cred.uid;
    return fd;
  }
}

void AcceptOwnUser(int listener, const std::function<std::size_t()>& open, std::size_t max_open,
                   const std::function<void(int fd)>& admit,
                   const std::function<void(const std::string& why)>& refuse) {
  for (;;) {
    std::uint32_t uid = 0;
    int fd = AcceptUnix(listener, &uid);
    if (fd < 0) return;
    if (uid != geteuid()) {
      close(fd);
      refuse("a connection of user " + std::to_string(uid));
    } else if (open() >= max_open) {
      close(fd);
      refuse("a connection past the bound of " + std::to_string(max_open));
    } else {
      admit(fd);
    }
  }
}

Result<int> ConnectUnix(const std::string& path, bool nonblocking) {
  auto addr = UnixAddress(path);
  if (!addr.ok()) return addr.status();
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0), 0);
  if (fd < 0) return IoError(std::string("socket: ") + std::strerror(errno));
  while (connect(fd, reinterpret_cast<const sockaddr*>(&*addr), sizeof(*addr)) != 0) {
    if (errno == EINTR) continue;
    int err = errno;
    close(fd);
    return Unavailable("cannot connect to " + path + ": " + std::strerror(err));
  }
  return fd;
}

}  // namespace gale::transport
