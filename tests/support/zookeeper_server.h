#pragma once

// A real ZooKeeper server (Debian's `zookeeper` package) for tests: a
// standalone QuorumPeerMain on a free port of loopback (or of the IPv4
// address given, e.g. a test bridge other network namespaces reach) with a
// private data directory, started as a child of the test process (it dies with it, even
// when the test crashes) and stopped by its destructor. Start, Stop, Kill
// and Restart let tests take it down and bring it back on the same port
// with the same data, as an operator restarting ZooKeeper would.
//
// The JVM needs a few seconds to start: share one server per test binary
// (SharedZooKeeper below) and give each test its own zookeeper.root.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

#include "support/run_command.h"

namespace gale::testing {

// A TCP port on IPv4 `address` (dotted quad; "0.0.0.0" for every address)
// that nothing listened on a moment ago.
inline int FreeTcpPort(const std::string& address) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  if (::inet_pton(AF_INET, address.c_str(), &addr.sin_addr) != 1) {
    throw std::runtime_error("'" + address + "' is not an IPv4 address");
  }
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("no free TCP port on " + address);
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

// A TCP port on 127.0.0.1 that nothing listened on a moment ago.
inline int FreeLoopbackPort() { return FreeTcpPort("127.0.0.1"); }

class ZooKeeperServer {
 public:
  // Serves on `bind_address` (an IPv4 address of this namespace).
  explicit ZooKeeperServer(std::string bind_address = "127.0.0.1")
      : address_(std::move(bind_address)), port_(FreeTcpPort(address_)) {
    std::filesystem::create_directories(dir_.Join("data"));
    std::ofstream(dir_.Join("zoo.cfg")) << "tickTime=500\n"
                                        << "dataDir=" << dir_.Join("data") << "\n"
                                        << "clientPort=" << port_ << "\n"
                                        << "clientPortAddress=" << address_ << "\n"
                                        << "admin.enableServer=false\n"
                                        << "4lw.commands.whitelist=srvr,ruok\n"
                                        << "minSessionTimeout=1000\n"
                                        << "maxSessionTimeout=30000\n";
  }
  ~ZooKeeperServer() { Stop(); }
  ZooKeeperServer(const ZooKeeperServer&) = delete;
  ZooKeeperServer& operator=(const ZooKeeperServer&) = delete;

  int port() const { return port_; }
  const std::string& address() const { return address_; }
  // "address:port", a ZooKeeper connect string.
  std::string connect() const { return address_ + ":" + std::to_string(port_); }
  // The private directory holding zoo.cfg, the data and zk.log.
  const std::filesystem::path& dir() const { return dir_.path(); }
  std::string log() const { return ReadFile(dir_.Join("zk.log")); }

  // Starts the server and waits (up to 60 s) until it serves. False when it
  // did not come up; log() says why.
  bool Start() {
    if (pid_ > 0) return true;
    // Everything the child needs is ready before fork: the test process
    // has threads, so the child may only make system calls until exec.
    const std::string log_path = dir_.Join("zk.log");
    const std::string cp = dir_.path().string() +
                           ":/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar";
    const std::string cfg = dir_.Join("zoo.cfg");
    pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0) return false;
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlives the test
      if (::getppid() != parent) ::_exit(1);
      int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      if (log >= 0) {
        ::dup2(log, 1);
        ::dup2(log, 2);
      }
      ::execlp("java", "java", "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
               "-cp", cp.c_str(), "org.apache.zookeeper.server.quorum.QuorumPeerMain",
               cfg.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      if (Serving()) return true;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = 0;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  // SIGTERM, then SIGKILL after 10 s; reaps the process.
  void Stop() { Signal(SIGTERM); }
  // The server dies at once, as in a crash.
  void Kill() { Signal(SIGKILL); }
  bool Restart() {
    Stop();
    return Start();
  }

  // Whether the server answers the `srvr` command with its mode.
  bool Serving() const {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    ::inet_pton(AF_INET, address_.c_str(), &addr.sin_addr);
    addr.sin_port = htons(static_cast<std::uint16_t>(port_));
    bool ok = false;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::write(fd, "srvr", 4) == 4) {
      timeval tv{2, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      std::string reply;
      char buf[512];
      ssize_t n;
      while ((n = ::read(fd, buf, sizeof buf)) > 0) reply.append(buf, static_cast<std::size_t>(n));
      ok = reply.find("Mode:") != std::string::npos;
    }
    ::close(fd);
    return ok;
  }

 private:
  void Signal(int sig) {
    if (pid_ <= 0) return;
    ::kill(pid_, sig);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() >= deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    pid_ = 0;
  }

  ScratchDir dir_;
  std::string address_;
  int port_;
  pid_t pid_ = 0;
};

// One server for a whole test binary, started by the first test that asks
// and stopped when the binary exits (a static's destructor; the server also
// dies with the process if it crashes).
inline ZooKeeperServer& SharedZooKeeper() {
  static ZooKeeperServer server;
  return server;
}

}  // namespace gale::testing
