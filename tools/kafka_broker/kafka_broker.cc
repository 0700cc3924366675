#include "kafka_broker/kafka_broker.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>

#include "common/log.h"
#include "kafka_broker/broker_command.h"
#include "kafka_broker/stdin_policy.h"

namespace gale::kafka_broker {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitInvalid = 2;
constexpr int kMaxBrokers = 32;
// How often the stdin wait wakes up to look for a signal.
constexpr int kSignalCheckMs = 200;

volatile std::sig_atomic_t g_stop_signal = 0;

void OnStopSignal(int signal) { g_stop_signal = signal; }

// Installs the stop handlers (without SA_RESTART, so a blocked read returns
// EINTR) and ignores SIGPIPE; restores everything on destruction.
class SignalScope {
 public:
  SignalScope() {
    g_stop_signal = 0;
    struct sigaction action {};
    action.sa_handler = OnStopSignal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGPIPE, &ignore, &old_pipe_);
  }
  ~SignalScope() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
    sigaction(SIGPIPE, &old_pipe_, nullptr);
  }
  SignalScope(const SignalScope&) = delete;
  SignalScope& operator=(const SignalScope&) = delete;

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
  struct sigaction old_pipe_ {};
};

std::string ErrText(rd_kafka_resp_err_t err) {
  return std::string(rd_kafka_err2name(err)) + ": " + rd_kafka_err2str(err);
}

// Owns the rd_kafka_t that librdkafka requires as the mock cluster's owner,
// and the cluster itself. Used by one thread.
class MockCluster {
 public:
  static Result<std::unique_ptr<MockCluster>> Create(int brokers) {
    char errstr[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    // The owner never talks to a cluster; keep it quiet.
    if (rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return InternalError(std::string("librdkafka configuration: ") + errstr);
    }
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (rk == nullptr) {
      rd_kafka_conf_destroy(conf);
      return InternalError(std::string("cannot create the librdkafka handle: ") + errstr);
    }
    rd_kafka_mock_cluster_t* mc = rd_kafka_mock_cluster_new(rk, brokers);
    if (mc == nullptr) {
      rd_kafka_destroy(rk);
      return IoError("cannot start a mock cluster with " + std::to_string(brokers) +
                     " brokers (librdkafka could not open its listening sockets)");
    }
    return std::unique_ptr<MockCluster>(new MockCluster(rk, mc, brokers));
  }

  ~MockCluster() {
    rd_kafka_mock_cluster_destroy(mc_);
    rd_kafka_destroy(rk_);
  }
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  std::string Bootstraps() const { return rd_kafka_mock_cluster_bootstraps(mc_); }

  Status CreateTopic(const std::string& name, int partitions) {
    int replication = std::min(brokers_, 3);
    rd_kafka_resp_err_t err =
        rd_kafka_mock_topic_create(mc_, name.c_str(), partitions, replication);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return InvalidArgument("cannot create topic '" + name + "': " + ErrText(err));
    }
    return Status::Ok();
  }

  Status Apply(const BrokerCommand& cmd) {
    using Kind = BrokerCommand::Kind;
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    switch (cmd.kind) {
      case Kind::kDown:
        GALE_RETURN_IF_ERROR(CheckBroker(cmd.broker, true));
        err = rd_kafka_mock_broker_set_down(mc_, cmd.broker);
        break;
      case Kind::kUp:
        GALE_RETURN_IF_ERROR(CheckBroker(cmd.broker, true));
        err = rd_kafka_mock_broker_set_up(mc_, cmd.broker);
        break;
      case Kind::kRtt:
        GALE_RETURN_IF_ERROR(CheckBroker(cmd.broker, true));
        err = rd_kafka_mock_broker_set_rtt(mc_, cmd.broker, cmd.rtt_ms);
        break;
      case Kind::kLeader:
        if (cmd.broker != -1) GALE_RETURN_IF_ERROR(CheckBroker(cmd.broker, false));
        err = rd_kafka_mock_partition_set_leader(mc_, cmd.topic.c_str(), cmd.partition, cmd.broker);
        break;
      case Kind::kCoordinator:
        GALE_RETURN_IF_ERROR(CheckBroker(cmd.broker, false));
        err = rd_kafka_mock_coordinator_set(mc_, cmd.key_type.c_str(), cmd.key.c_str(), cmd.broker);
        break;
      case Kind::kCreate: return CreateTopic(cmd.topic, cmd.partitions);
      case Kind::kEmpty:
      case Kind::kHelp:
      case Kind::kQuit: break;
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return InvalidArgument(ErrText(err));
    return Status::Ok();
  }

 private:
  MockCluster(rd_kafka_t* rk, rd_kafka_mock_cluster_t* mc, int brokers)
      : rk_(rk), mc_(mc), brokers_(brokers) {}

  Status CheckBroker(std::int32_t broker, bool allow_all) const {
    if ((allow_all && broker == -1) || (broker >= 1 && broker <= brokers_)) return Status::Ok();
    return InvalidArgument("no broker " + std::to_string(broker) + "; brokers are 1.." +
                           std::to_string(brokers_));
  }

  rd_kafka_t* rk_;
  rd_kafka_mock_cluster_t* mc_;
  int brokers_;
};

void WriteLine(const std::string& line) {
  std::string text = line + "\n";
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

enum class LineResult { kContinue, kQuit };

LineResult HandleLine(MockCluster& cluster, std::string_view line) {
  Result<BrokerCommand> cmd = ParseBrokerCommand(line);
  if (!cmd.ok()) {
    WriteLine("error: " + cmd.status().message());
    return LineResult::kContinue;
  }
  switch (cmd->kind) {
    case BrokerCommand::Kind::kEmpty: return LineResult::kContinue;
    case BrokerCommand::Kind::kHelp:
      WriteLine("ok " + BrokerCommandHelp());
      return LineResult::kContinue;
    case BrokerCommand::Kind::kQuit: WriteLine("ok"); return LineResult::kQuit;
    default: break;
  }
  Status s = cluster.Apply(*cmd);
  if (s.ok()) {
    Logger("kafka_broker")->info("applied: {}", line);
    WriteLine("ok");
  } else {
    WriteLine("error: " + s.message());
  }
  return LineResult::kContinue;
}

// Whether this process is in the foreground process group of its terminal
// (reading the terminal from the background would stop it with SIGTTIN).
bool InForeground() { return ::tcgetpgrp(STDIN_FILENO) == ::getpgrp(); }

// Serves until a stop signal or `quit`; reads commands from stdin as
// `policy` says, and returns at its EOF only when the policy says EOF quits.
void ServeCommands(MockCluster& cluster, const StdinPolicy& policy) {
  std::string pending;
  char buf[4096];
  bool reading = policy.read_commands;
  while (g_stop_signal == 0) {
    const bool poll_stdin = reading && (!policy.foreground_only || InForeground());
    // poll ignores a negative fd: then this only waits for a signal.
    pollfd pfd{poll_stdin ? STDIN_FILENO : -1, POLLIN, 0};
    int ready = ::poll(&pfd, 1, kSignalCheckMs);
    if (ready < 0) {
      if (errno == EINTR) continue;
      Logger("kafka_broker")->error("waiting for stdin failed: {}", std::strerror(errno));
      return;
    }
    if (ready == 0 || !poll_stdin) continue;
    ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      Logger("kafka_broker")->error("reading stdin failed: {}", std::strerror(errno));
      if (policy.eof_quits) return;
      reading = false;
      continue;
    }
    if (n == 0) {  // EOF: a last line without newline still counts
      if (!pending.empty() && HandleLine(cluster, pending) == LineResult::kQuit) return;
      pending.clear();
      if (policy.eof_quits) return;
      Logger("kafka_broker")->info("end of stdin; running until SIGINT or SIGTERM");
      reading = false;
      continue;
    }
    pending.append(buf, static_cast<std::size_t>(n));
    std::size_t newline;
    while ((newline = pending.find('\n')) != std::string::npos) {
      std::string line = pending.substr(0, newline);
      pending.erase(0, newline + 1);
      if (HandleLine(cluster, line) == LineResult::kQuit) return;
    }
  }
}

}  // namespace

Status KafkaBrokerOptions::Validate() const {
  if (port != 0) {
    return InvalidArgument(
        "--port " + std::to_string(port) +
        ": librdkafka 2.0.2's mock cluster always listens on ports chosen by the kernel and "
        "cannot use a fixed port; leave --port out (or pass 0) and read the addresses from the "
        "first output line 'bootstrap.servers=...'");
  }
  if (brokers < 1 || brokers > kMaxBrokers) {
    return InvalidArgument("--brokers must be between 1 and " + std::to_string(kMaxBrokers) +
                           ", got " + std::to_string(brokers));
  }
  for (const std::string& topic : topics) {
    Result<TopicSpec> spec = ParseTopicSpec(topic);
    if (!spec.ok()) return InvalidArgument("--topic " + spec.status().message());
  }
  return Status::Ok();
}

int RunKafkaBroker(const KafkaBrokerOptions& options) {
  if (Status s = options.Validate(); !s.ok()) {
    std::fprintf(stderr, "gale kafka-broker: %s\n", s.message().c_str());
    return kExitInvalid;
  }
  SignalScope signals;
  Result<std::unique_ptr<MockCluster>> cluster = MockCluster::Create(options.brokers);
  if (!cluster.ok()) {
    std::fprintf(stderr, "gale kafka-broker: %s\n", cluster.status().message().c_str());
    return kExitFailure;
  }
  for (const std::string& topic : options.topics) {
    TopicSpec spec = ParseTopicSpec(topic).value();
    if (Status s = (*cluster)->CreateTopic(spec.name, spec.partitions); !s.ok()) {
      std::fprintf(stderr, "gale kafka-broker: %s\n", s.message().c_str());
      return kExitFailure;
    }
  }
  const std::string bootstraps = (*cluster)->Bootstraps();
  WriteLine("bootstrap.servers=" + bootstraps);
  Logger("kafka_broker")
      ->info("mock Kafka cluster up: brokers={} bootstrap.servers={} topics={}", options.brokers,
             bootstraps, options.topics.size());
  const StdinPolicy policy = DecideStdinPolicy(options.stdin_mode, ClassifyStdin(STDIN_FILENO));
  Logger("kafka_broker")->info("{}", policy.description);
  ServeCommands(**cluster, policy);
  if (g_stop_signal != 0) {
    Logger("kafka_broker")->info("stopping on signal {}", static_cast<int>(g_stop_signal));
  }
  cluster->reset();
  return kExitOk;
}

}  // namespace gale::kafka_broker
