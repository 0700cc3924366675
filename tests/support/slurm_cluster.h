#pragma once

// A Slurm cluster of N hosts (default 3) on this one machine, built and torn
// down by a test:
//
//      root namespace (the test, slurmctld, munged, ZooKeeper, clients)
//        bridge gsb<pid>x<c>  10.A.B.1/24
//        |            |            |
//      veth         veth         veth
//        |            |            |
//      netns gn1    netns gn2    netns gn3      one slurmd each, which
//      eth0 10.A.B.2  .3           .4           runs that node's jobs
//
// Every host is a network namespace with an address of its own on a bridge
// whose /24 is free when the cluster is built; the root namespace holds the
// bridge address, where slurmctld and (optionally) a ZooKeeper server
// listen. munged runs with a key generated for this cluster; all state
// (slurm.conf, spools, logs, munge socket) lives in a private scratch
// directory. slurmd is started with `nsenter --net=...` rather than
// `ip netns exec`, which remounts /sys and hides the cgroup mounts slurmd
// needs (docs/operations.md, "Testing gale itself").
//
// Every daemon is a child of the test process that dies with it
// (PR_SET_PDEATHSIG; only with the thread that built the cluster, so build
// it on the test's main thread). The destructor, and a constructor that
// fails half-way, cancel all jobs, kill every process in the hosts'
// namespaces (slurmd, slurmstepd, job processes, anything a test started
// there), stop the daemons and delete the namespaces, veths and bridge.
// Names carry the test's pid: leftovers of a test that was killed outright
// (processes in its namespaces, namespaces, links) are removed by the next
// cluster built on the machine.
//
// Needs root, iproute2, util-linux (nsenter), slurm-wlm, munge and, for
// the ZooKeeper server, zookeeper (deploy/install-deps.sh). Not thread-safe:
// use one cluster from one thread.

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/run_command.h"
#include "support/zookeeper_server.h"

namespace gale::testing {

// A network namespace as the kernel knows it (the inode of its nsfs file).
struct NetNamespaceId {
  dev_t dev = 0;
  ino_t ino = 0;
  bool operator==(const NetNamespaceId&) const = default;
};

// The namespace a process runs in; {0, 0} for a process that is gone or a
// zombie (which has no namespaces left).
inline NetNamespaceId NetNamespaceOf(pid_t pid) {
  struct stat st {};
  if (::stat(("/proc/" + std::to_string(pid) + "/ns/net").c_str(), &st) != 0) return {};
  return {st.st_dev, st.st_ino};
}

// The namespace behind a path such as /var/run/netns/NAME.
inline NetNamespaceId NetNamespaceAt(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  return {st.st_dev, st.st_ino};
}

// Every live (not zombie) process in namespace `id`.
inline std::vector<pid_t> ProcessesInNetNamespace(const NetNamespaceId& id) {
  std::vector<pid_t> pids;
  if (id.ino == 0) return pids;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(name));
    if (pid != ::getpid() && NetNamespaceOf(pid) == id) pids.push_back(pid);
  }
  return pids;
}

// SIGKILLs every process in namespace `id` until none is left (processes
// may fork while they are being killed). False if some survived 10 s.
inline bool KillNetNamespace(const NetNamespaceId& id) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    std::vector<pid_t> pids = ProcessesInNetNamespace(id);
    if (pids.empty()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    for (pid_t pid : pids) ::kill(pid, SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

struct SlurmTestClusterOptions {
  int nodes = 3;                  // 1..9 hosts, named gn1..gnN
  int cpus_per_node = 8;          // as slurm.conf declares them (config_overrides)
  int memory_mb_per_node = 8000;  // likewise
  int jobs_per_cpu = 8;           // OverSubscribe=FORCE:<this>
  // How soon slurmctld marks a silent node down. With SlurmdTimeout=6 it
  // pings every 2 s; a ping to a lost host fails after MessageTimeout.
  // Measured (2 cores): down 13-17 s after a host is lost with
  // MessageTimeout=5, 29 s with Slurm's default of 10.
  int slurmd_timeout_s = 6;       // SlurmdTimeout
  int message_timeout_s = 5;      // MessageTimeout: any RPC's limit
  std::string partition = "gale";
  bool least_loaded = false;      // LLN=YES: each job on the least loaded node
  bool zookeeper = true;          // a ZooKeeper server on the bridge address
  std::string extra_config;       // lines appended to slurm.conf
  int ready_timeout_s = 60;       // for every node to be idle after start
};

class SlurmTestCluster {
 public:
  using Options = SlurmTestClusterOptions;

  // Builds and starts the whole cluster and waits until every node is idle.
  // Throws std::runtime_error (with the daemons' logs) when it cannot; then
  // nothing it started is left behind.
  explicit SlurmTestCluster(Options options = {}) : options_(std::move(options)) {
    if (options_.nodes < 1 || options_.nodes > 9) {
      throw std::invalid_argument("SlurmTestCluster: nodes must be 1..9, got " +
                                  std::to_string(options_.nodes));
    }
    try {
      Build();
    } catch (...) {
      TearDown();  // no destructor runs for a constructor that throws
      throw;
    }
  }
  ~SlurmTestCluster() { TearDown(); }
  SlurmTestCluster(const SlurmTestCluster&) = delete;
  SlurmTestCluster& operator=(const SlurmTestCluster&) = delete;

  // Hosts are numbered 0..size()-1; host i is Slurm node gn<i+1>.
  int size() const { return options_.nodes; }
  const std::string& NodeName(int i) const { return nodes_.at(Index(i)).name; }
  // Host i's address on the bridge (10.A.B.<i+2>).
  const std::string& NodeAddress(int i) const { return nodes_.at(Index(i)).address; }
  // Host i's network namespace: /var/run/netns/<this>.
  const std::string& NodeNamespace(int i) const { return nodes_.at(Index(i)).netns; }
  NetNamespaceId NodeNamespaceId(int i) const { return nodes_.at(Index(i)).netns_id; }
  const std::string& BridgeName() const { return bridge_; }
  // The root namespace's address on the bridge: slurmctld and ZooKeeper.
  const std::string& BridgeAddress() const { return bridge_address_; }
  // "address:port" of the ZooKeeper server (empty without one).
  std::string ZooKeeperConnect() const { return zookeeper_ ? zookeeper_->connect() : ""; }
  // The server itself (to stop, kill or restart it); throws without one.
  ZooKeeperServer& ZooKeeper() {
    if (!zookeeper_) throw std::logic_error("SlurmTestCluster built without ZooKeeper");
    return *zookeeper_;
  }
  // The partition holding every node (also the default partition).
  const std::string& Partition() const { return options_.partition; }
  // The private directory with slurm.conf, spools, logs and munge socket;
  // on every host's file system (they all share this machine's), so job
  // scripts, output files and packages can live there too.
  const std::filesystem::path& Dir() const { return dir_.path(); }
  const ScratchDir& Scratch() const { return dir_; }
  std::string ConfPath() const { return dir_.Join("slurm.conf"); }
  int SlurmctldPort() const { return slurmctld_port_; }

  // The environment Slurm client commands need (SLURM_CONF).
  std::map<std::string, std::string> Env() const { return {{"SLURM_CONF", ConfPath()}}; }
  // "env SLURM_CONF=... ", to put before a client command in a shell line
  // (also after `timeout N`).
  std::string EnvPrefix() const { return "env SLURM_CONF=" + ConfPath() + " "; }
  // "nsenter --net=/var/run/netns/NS ", to run a command on host i.
  std::string NodePrefix(int i) const {
    return "nsenter --net=/var/run/netns/" + NodeNamespace(i) + " ";
  }

  // Runs one Slurm client command (e.g. "sinfo -N") from the root
  // namespace with SLURM_CONF set, killed after timeout_s.
  CommandResult Slurm(const std::string& command, int timeout_s = 30) const {
    return RunCommand(EnvPrefix() + command, dir_, timeout_s);
  }
  // Runs `command` (one program; wrap a pipeline in bash -c '...') on host
  // i, i.e. in its network namespace, with SLURM_CONF set.
  CommandResult OnNode(int i, const std::string& command, int timeout_s = 30) const {
    return RunCommand(NodePrefix(i) + EnvPrefix() + command, dir_, timeout_s);
  }

  // Host i's state as `sinfo` prints it ("idle", "mixed", "allocated",
  // "down*", ...; a trailing '*' means not responding). Empty when sinfo
  // fails.
  std::string NodeState(int i) const {
    CommandResult r = Slurm("sinfo -N -h -n " + NodeName(i) + " -o %T", 10);
    if (r.exit_code != 0) return "";
    std::string state = r.out.substr(0, r.out.find('\n'));
    while (!state.empty() && std::isspace(static_cast<unsigned char>(state.back()))) {
      state.pop_back();
    }
    return state;
  }

  // Host i loses power: its link goes down (nothing it sends leaves any
  // more, not even a reset), then every process in its namespace -- its
  // slurmd, every job process, anything a test started there -- is
  // SIGKILLed. slurmctld notices only by its pings timing out.
  void LoseHost(int i) {
    Node& node = nodes_.at(Index(i));
    Run("ip -n " + node.netns + " link set eth0 down");
    if (!KillNetNamespace(node.netns_id)) {
      throw std::runtime_error("processes of host " + node.name + " survived SIGKILL for 10 s");
    }
    Reap(node.slurmd_pid);
  }

  // Host i comes back: link up and a fresh slurmd; waits (ready_timeout_s)
  // until slurmctld has it responding again (ReturnToService=2 returns a
  // down node to service when it registers).
  void RestoreHost(int i) {
    Node& node = nodes_.at(Index(i));
    Run("ip -n " + node.netns + " link set eth0 up");
    StartSlurmd(node);
    auto responding = [&] {
      std::string s = NodeState(i);
      return !s.empty() && s.back() != '*' && s.rfind("down", 0) != 0;
    };
    if (!WaitUntil(responding, options_.ready_timeout_s)) {
      throw std::runtime_error("host " + node.name + " did not return to service within " +
                               std::to_string(options_.ready_timeout_s) +
                               " s (state '" + NodeState(i) + "')\n" + Logs());
    }
  }

  // Live processes on host i (in its network namespace).
  std::vector<pid_t> ProcessesOnNode(int i) const {
    return ProcessesInNetNamespace(NodeNamespaceId(i));
  }
  // munged, slurmctld and the running slurmds (not ZooKeeper's JVM).
  std::vector<pid_t> DaemonPids() const {
    std::vector<pid_t> pids;
    for (pid_t p : {munged_pid_, slurmctld_pid_}) {
      if (p > 0) pids.push_back(p);
    }
    for (const Node& n : nodes_) {
      if (n.slurmd_pid > 0) pids.push_back(n.slurmd_pid);
    }
    return pids;
  }

  // The last lines of every daemon's log, for failure messages.
  std::string Logs() const {
    std::string out;
    auto add = [&](const std::string& title, const std::string& path) {
      std::string text = ReadFile(path);
      if (text.empty()) return;
      std::size_t pos = text.size();
      for (int lines = 0; pos > 0 && lines < 25; ++lines) {
        pos = text.rfind('\n', pos - 1);
        if (pos == std::string::npos) {
          pos = 0;
          break;
        }
      }
      out += "--- " + title + " (" + path + ")\n" + text.substr(pos) + "\n";
    };
    add("munged", dir_.Join("munged.out"));
    add("slurmctld", dir_.Join("slurmctld.log"));
    add("slurmctld output", dir_.Join("slurmctld.out"));
    for (const Node& n : nodes_) {
      add("slurmd " + n.name, dir_.Join("slurmd-" + n.name + ".log"));
      add("slurmd " + n.name + " output", dir_.Join("slurmd-" + n.name + ".out"));
    }
    if (zookeeper_) add("zookeeper", (zookeeper_->dir() / "zk.log").string());
    return out;
  }

 private:
  static constexpr const char* kNetnsPrefix = "gale-slurm-";
  static constexpr const char* kBridgePrefix = "gsb";
  static constexpr const char* kVethPrefix = "gsv";

  struct Node {
    std::string name, netns, veth, address;
    NetNamespaceId netns_id;
    pid_t slurmd_pid = 0;
  };

  std::size_t Index(int i) const {
    if (i < 0 || i >= options_.nodes) {
      throw std::out_of_range("SlurmTestCluster: no host " + std::to_string(i) + " (hosts 0.." +
                              std::to_string(options_.nodes - 1) + ")");
    }
    return static_cast<std::size_t>(i);
  }

  CommandResult Shell(const std::string& command, int timeout_s = 30) const {
    return RunCommand(command, dir_, timeout_s);
  }
  void Run(const std::string& command) const {
    CommandResult r = Shell(command);
    if (r.exit_code != 0) {
      throw std::runtime_error("'" + command + "' failed (exit " + std::to_string(r.exit_code) +
                               "): " + r.err +
                               " (the Slurm test cluster needs root, iproute2, util-linux, "
                               "slurm-wlm and munge: deploy/install-deps.sh)");
    }
  }

  void Build() {
    RemoveStale();
    static int next = 0;
    const int pid = static_cast<int>(::getpid());
    const int n = next++ % 10;
    const std::string tag = std::to_string(pid) + "x" + std::to_string(n);
    bridge_ = kBridgePrefix + tag;
    const std::string subnet = FreeSubnet(pid * 13 + n);
    bridge_address_ = subnet + ".1";

    // The network: a bridge and one namespace per host.
    bridge_created_ = true;
    Run("ip link add " + bridge_ + " type bridge");
    Run("ip addr add " + bridge_address_ + "/24 dev " + bridge_);
    Run("ip link set " + bridge_ + " up");
    for (int i = 0; i < options_.nodes; ++i) {
      Node node;
      node.name = "gn" + std::to_string(i + 1);
      node.netns = kNetnsPrefix + std::to_string(pid) + "-" + std::to_string(n) + "-" + node.name;
      node.veth = kVethPrefix + tag + std::to_string(i + 1);
      node.address = subnet + "." + std::to_string(i + 2);
      nodes_.push_back(node);
      Node& added = nodes_.back();
      Run("ip netns add " + added.netns);
      added.netns_id = NetNamespaceAt("/var/run/netns/" + added.netns);
      Run("ip link add " + added.veth + " type veth peer name eth0 netns " + added.netns);
      Run("ip link set " + added.veth + " master " + bridge_ + " up");
      Run("ip -n " + added.netns + " addr add " + added.address + "/24 dev eth0");
      Run("ip -n " + added.netns + " link set eth0 up");
      Run("ip -n " + added.netns + " link set lo up");
    }

    StartMunge();
    WriteSlurmConf();
    std::filesystem::create_directories(dir_.Join("state"));
    slurmctld_pid_ =
        Spawn({"slurmctld", "-D", "-i", "-f", ConfPath()}, dir_.Join("slurmctld.out"));
    for (Node& node : nodes_) StartSlurmd(node);
    // ZooKeeper's JVM starts while Slurm comes up.
    if (options_.zookeeper) {
      zookeeper_ = std::make_unique<ZooKeeperServer>(bridge_address_);
      if (!zookeeper_->Start()) {
        throw std::runtime_error("ZooKeeper did not start on " + zookeeper_->connect() + "\n" +
                                 Logs());
      }
    }
    WaitAllIdle();
  }

  void StartMunge() {
    const std::string munge_dir = dir_.Join("munge");
    std::filesystem::create_directories(munge_dir);
    std::filesystem::permissions(munge_dir, std::filesystem::perms::owner_all);
    const std::string key = munge_dir + "/munge.key";
    {
      std::ifstream random("/dev/urandom", std::ios::binary);
      std::string bytes(1024, '\0');
      random.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      std::ofstream(key, std::ios::binary) << bytes;
    }
    std::filesystem::permissions(key, std::filesystem::perms::owner_read |
                                          std::filesystem::perms::owner_write);
    munge_socket_ = munge_dir + "/munge.sock";
    // -F: in the foreground, so it stays our child and dies with us.
    munged_pid_ = Spawn({"munged", "-F", "--force", "--socket=" + munge_socket_,
                         "--pid-file=" + munge_dir + "/munged.pid",
                         "--log-file=" + munge_dir + "/munged.log",
                         "--seed-file=" + munge_dir + "/munged.seed", "--key-file=" + key},
                        dir_.Join("munged.out"));
    auto serving = [&] {
      return Alive(munged_pid_) &&
             Shell("munge -S " + munge_socket_ + " -n", 5).exit_code == 0;
    };
    if (!WaitUntil(serving, 10)) {
      throw std::runtime_error("munged did not serve on " + munge_socket_ + "\n" + Logs());
    }
  }

  void WriteSlurmConf() {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    std::string short_host(host);
    short_host = short_host.substr(0, short_host.find('.'));
    slurmctld_port_ = FreeTcpPort("0.0.0.0");
    const std::string d = dir_.path().string();
    std::ostringstream conf;
    conf << "ClusterName=galetest\n"
         // Must name this machine's short hostname, or slurmctld refuses to run.
         << "SlurmctldHost=" << short_host << "(" << bridge_address_ << ")\n"
         << "SlurmctldPort=" << slurmctld_port_ << "\n"
         << "SlurmdPort=6818\n"  // each host has a network stack of its own
         << "AuthType=auth/munge\n"
         << "CredType=cred/munge\n"
         << "AuthInfo=socket=" << munge_socket_ << "\n"
         << "SlurmUser=root\nSlurmdUser=root\n"
         << "StateSaveLocation=" << d << "/state\n"
         << "SlurmctldPidFile=" << d << "/slurmctld.pid\n"
         << "SlurmctldLogFile=" << d << "/slurmctld.log\n"
         << "SlurmdSpoolDir=" << d << "/spool-%n\n"
         << "SlurmdPidFile=" << d << "/slurmd-%n.pid\n"
         << "SlurmdLogFile=" << d << "/slurmd-%n.log\n"
         // Nodes are as declared here, not as the hardware says.
         << "SlurmdParameters=config_overrides\n"
         // No systemd or cgroup delegation on a test machine.
         << "ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\n"
         << "SelectType=select/cons_tres\nSelectTypeParameters=CR_CPU\n"
         << "AccountingStorageType=accounting_storage/none\n"
         << "JobAcctGatherType=jobacct_gather/none\nJobCompType=jobcomp/none\n"
         << "MpiDefault=none\nMailProg=/bin/true\n"
         << "SlurmdTimeout=" << options_.slurmd_timeout_s << "\n"
         << "MessageTimeout=" << options_.message_timeout_s << "\n"
         << "ReturnToService=2\nJobRequeue=1\nKillWait=2\n"
         << "SlurmctldDebug=info\nSlurmdDebug=info\n";
    for (const Node& node : nodes_) {
      conf << "NodeName=" << node.name << " NodeAddr=" << node.address
           << " CPUs=" << options_.cpus_per_node << " RealMemory=" << options_.memory_mb_per_node
           << "\n";
    }
    conf << "PartitionName=" << options_.partition
         << " Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:"
         << options_.jobs_per_cpu << (options_.least_loaded ? " LLN=YES" : "") << "\n"
         << options_.extra_config << "\n";
    dir_.Write("slurm.conf", conf.str());
  }

  void StartSlurmd(Node& node) {
    // nsenter execs slurmd in place: the pid (and the death signal) stay.
    node.slurmd_pid = Spawn({"nsenter", "--net=/var/run/netns/" + node.netns, "slurmd", "-D",
                             "-N", node.name, "-f", ConfPath()},
                            dir_.Join("slurmd-" + node.name + ".out"));
  }

  // Until `sinfo -N` shows every node idle; fails at once when a daemon
  // exits.
  void WaitAllIdle() {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(options_.ready_timeout_s);
    std::string last;
    for (;;) {
      for (pid_t p : DaemonPids()) {
        if (!Alive(p)) {
          throw std::runtime_error("a Slurm daemon (pid " + std::to_string(p) +
                                   ") exited while the test cluster started\n" + Logs());
        }
      }
      CommandResult r = Slurm("sinfo -N -h -o '%N %T'", 10);
      last = r.out + r.err;
      int idle = 0;
      std::istringstream lines(r.out);
      for (std::string name, state; lines >> name >> state;) {
        if (state == "idle") ++idle;
      }
      if (r.exit_code == 0 && idle == options_.nodes) return;
      if (std::chrono::steady_clock::now() >= deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    throw std::runtime_error("Slurm test cluster: not every node idle within " +
                             std::to_string(options_.ready_timeout_s) + " s; sinfo said:\n" +
                             last + "\n" + Logs());
  }

  // Safe to call on a half-built cluster and more than once.
  void TearDown() {
    if (slurmctld_pid_ > 0 && Alive(slurmctld_pid_)) {
      Slurm("scancel --partition=" + options_.partition, 5);
    }
    for (Node& node : nodes_) {
      KillNetNamespace(node.netns_id);
      Reap(node.slurmd_pid);
    }
    for (pid_t* p : {&slurmctld_pid_, &munged_pid_}) {
      if (*p > 0) ::kill(*p, SIGKILL);
      Reap(*p);
    }
    zookeeper_.reset();
    for (Node& node : nodes_) {
      Shell("ip netns del " + node.netns);
      if (std::filesystem::exists("/sys/class/net/" + node.veth)) Shell("ip link del " + node.veth);
    }
    nodes_.clear();
    if (bridge_created_) {
      if (std::filesystem::exists("/sys/class/net/" + bridge_)) Shell("ip link del " + bridge_);
      bridge_created_ = false;
    }
  }

  // Leftovers of clusters whose test process is gone.
  void RemoveStale() const {
    auto gone = [](const std::string& rest) {
      std::string pid = rest.substr(0, rest.find_first_not_of("0123456789"));
      return !pid.empty() && !std::filesystem::exists("/proc/" + pid);
    };
    std::istringstream list(Shell("ip netns list").out);
    for (std::string line; std::getline(list, line);) {
      std::string name = line.substr(0, line.find(' '));
      if (name.rfind(kNetnsPrefix, 0) != 0 || !gone(name.substr(std::string(kNetnsPrefix).size())))
        continue;
      KillNetNamespace(NetNamespaceAt("/var/run/netns/" + name));
      Shell("ip netns del " + name);
    }
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/sys/class/net", ec)) {
      std::string link = entry.path().filename().string();
      for (const char* prefix : {kVethPrefix, kBridgePrefix}) {
        if (link.rfind(prefix, 0) == 0 && gone(link.substr(3))) Shell("ip link del " + link);
      }
    }
  }

  // "10.A.B" of a /24 that no address or route of this namespace touches.
  std::string FreeSubnet(int seed) const {
    const std::string used =
        Shell("ip -4 route show table all").out + Shell("ip -4 -o addr show").out;
    for (int i = 0; i < 500; ++i) {
      int k = seed + i * 37;
      std::string subnet =
          "10." + std::to_string(151 + k % 50) + "." + std::to_string((k / 50) % 250 + 1);
      if (used.find(subnet + ".") == std::string::npos) return subnet;
    }
    throw std::runtime_error("no free 10.x.y.0/24 for the Slurm test cluster's bridge");
  }

  // Starts argv[0] (found on PATH) as a child of this process that gets
  // SIGKILL when the calling thread ends; stdout and stderr go to log_path.
  static pid_t Spawn(const std::vector<std::string>& args, const std::string& log_path) {
    // Everything the child needs is ready before fork: the test process may
    // have threads, so the child may only make system calls until exec.
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed for " + args[0]);
    if (pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlives the test
      if (::getppid() != parent) ::_exit(1);
      int null = ::open("/dev/null", O_RDONLY);
      if (null >= 0) ::dup2(null, 0);
      int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      if (log >= 0) {
        ::dup2(log, 1);
        ::dup2(log, 2);
      }
      ::execvp(argv[0], argv.data());
      ::_exit(127);
    }
    return pid;
  }

  // Whether our child `pid` still runs. One that exited is left for Reap
  // (WNOWAIT), so its pid cannot be reused before then.
  static bool Alive(pid_t pid) {
    if (pid <= 0) return false;
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
      return false;
    }
    return info.si_pid == 0;
  }

  // Waits for our child `pid` (already signalled) to exit; SIGKILL after 10 s.
  static void Reap(pid_t& pid) {
    if (pid <= 0) return;
    int status = 0;
    if (!WaitUntil([&] { return ::waitpid(pid, &status, WNOHANG) != 0; }, 10)) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
    }
    pid = 0;
  }

  Options options_;
  ScratchDir dir_;
  std::string bridge_, bridge_address_, munge_socket_;
  bool bridge_created_ = false;
  std::vector<Node> nodes_;
  int slurmctld_port_ = 0;
  pid_t munged_pid_ = 0, slurmctld_pid_ = 0;
  std::unique_ptr<ZooKeeperServer> zookeeper_;
};

}  // namespace gale::testing
