#pragma once

// Frames over a Unix stream socket: the link between a stream manager and
// the instances of its container. Each frame is a fixed32 length and its
// bytes. The link has no I/O thread: a send is one sendmsg(2) from the
// caller's thread and the receiver wakes once, where a ZeroMQ message wakes
// the sender's I/O thread, the receiver's I/O thread and the receiver
// (docs/decisions.md, "Instance links without ZeroMQ").
//
// A FrameSocket never blocks: what the kernel does not take waits in its
// output buffer until FlushOut. Every read is bounded: a frame longer than
// kMaxMessageBytes breaks the connection.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace gale::transport {

class FrameSocket {
 public:
  // Takes ownership of a connected socket and makes it non-blocking.
  explicit FrameSocket(int fd);
  ~FrameSocket();
  FrameSocket(const FrameSocket&) = delete;
  FrameSocket& operator=(const FrameSocket&) = delete;

  int fd() const { return fd_; }

  // Sends the frames as far as the socket takes them and buffers the rest;
  // false when the connection is broken.
  bool Send(const std::vector<std::string_view>& frames);
  // Writes buffered output; false when the connection is broken.
  bool FlushOut();
  bool wants_write() const { return out_pos_ < out_.size(); }

  // Reads what has arrived (one read unless it filled the buffer) and
  // appends each complete frame to *frames. False when the peer closed the
  // connection, it failed, or a frame is over the limit; complete frames
  // read before are still appended.
  bool Receive(std::vector<std::string>* frames);

 private:
  bool TakeFrames(std::vector<std::string>* frames);

  int fd_;
  std::string out_;         // unsent bytes from out_pos_
  std::size_t out_pos_ = 0;
  std::string in_;          // read bytes in [in_start_, in_end_)
  std::size_t in_start_ = 0;
  std::size_t in_end_ = 0;
};

// The socket on which a container's stream manager accepts its instances,
// in the owner-only (0700) topology directory.
std::string StmgrLocalSocket(const std::string& topology_dir, int container);

// A listening Unix stream socket at `path` (a stale socket file there is
// replaced), non-blocking.
Result<int> ListenUnix(const std::string& path);
// Accepts one connection without blocking: the fd, or -1 when none waits.
// *peer_uid gets the connecting process's user id (SO_PEERCRED).
int AcceptUnix(int listener, std::uint32_t* peer_uid);
// Accepts every connection waiting on `listener`: one of this process's user
// goes to `admit` while `open` (how many the caller holds) is below
// `max_open`; any other is closed and why goes to `refuse`.
void AcceptOwnUser(int listener, const std::function<std::size_t()>& open, std::size_t max_open,
                   const std::function<void(int fd)>& admit,
                   const std::function<void(const std::string& why)>& refuse);
// Connects to a listening socket at `path`; an error when nothing listens.
// Non-blocking: a listener whose backlog is full is an error too, rather
// than a wait.
Result<int> ConnectUnix(const std::string& path, bool nonblocking = false);

// The socket on which a container's stream manager accepts the stream
// managers of its host (stmgr/peer_mesh.h).
std::string StmgrPeerSocket(const std::string& topology_dir, int container);

}  // namespace gale::transport
