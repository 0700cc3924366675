#pragma once

// A raw client of a stream manager's Unix socket, for the link tests.

#include <poll.h>

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "transport/frame_socket.h"

namespace gale::stmgr::testing {

inline std::unique_ptr<transport::FrameSocket> ConnectTo(const std::string& path) {
  auto fd = transport::ConnectUnix(path);
  EXPECT_TRUE(fd.ok()) << path;
  return std::make_unique<transport::FrameSocket>(fd.ok() ? *fd : -1);
}

// True once `client`'s connection was closed by the other side (within
// about a second).
inline bool ClosedByPeer(transport::FrameSocket& client) {
  std::vector<std::string> frames;
  for (int i = 0; i < 50; ++i) {
    pollfd p{client.fd(), POLLIN, 0};
    poll(&p, 1, 20);
    if (!client.Receive(&frames)) return true;
  }
  return false;
}

}  // namespace gale::stmgr::testing
