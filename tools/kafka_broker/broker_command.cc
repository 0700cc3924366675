#include "kafka_broker/broker_command.h"

#include <charconv>
#include <limits>
#include <vector>

namespace gale::kafka_broker {
namespace {

std::vector<std::string_view> Split(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    std::size_t begin = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
    if (i > begin) words.push_back(line.substr(begin, i - begin));
  }
  return words;
}

// A whole-word decimal integer in [min, max].
bool ParseInt(std::string_view text, std::int64_t min, std::int64_t max, std::int64_t* out) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return false;
  if (value < min || value > max) return false;
  *out = value;
  return true;
}

// A broker id, or -1 / "all" for every broker when `allow_all`.
bool ParseBroker(std::string_view text, bool allow_all, std::int32_t* out) {
  if (allow_all && text == "all") {
    *out = -1;
    return true;
  }
  std::int64_t value = 0;
  if (!ParseInt(text, allow_all ? -1 : 0, std::numeric_limits<std::int32_t>::max(), &value)) {
    return false;
  }
  *out = static_cast<std::int32_t>(value);
  return true;
}

Status Usage(std::string_view what, std::string_view usage) {
  return InvalidArgument(std::string(what) + "; usage: " + std::string(usage));
}

}  // namespace

Result<TopicSpec> ParseTopicSpec(std::string_view text) {
  TopicSpec spec;
  std::size_t colon = text.rfind(':');
  spec.name = std::string(colon == std::string_view::npos ? text : text.substr(0, colon));
  if (spec.name.empty()) {
    return InvalidArgument("topic '" + std::string(text) +
                           "' has an empty name; expected NAME or NAME:PARTITIONS");
  }
  if (colon != std::string_view::npos) {
    std::int64_t partitions = 0;
    if (!ParseInt(text.substr(colon + 1), 1, 100000, &partitions)) {
      return InvalidArgument("topic '" + std::string(text) +
                             "': the partition count after ':' must be an integer >= 1");
    }
    spec.partitions = static_cast<int>(partitions);
  }
  return spec;
}

Result<BrokerCommand> ParseBrokerCommand(std::string_view line) {
  std::vector<std::string_view> w = Split(line);
  BrokerCommand cmd;
  if (w.empty() || w[0][0] == '#') return cmd;
  const std::string_view verb = w[0];
  if (verb == "down" || verb == "up") {
    const char* usage = verb == "down" ? "down BROKER (1..N, or all)" : "up BROKER (1..N, or all)";
    if (w.size() != 2) return Usage("expected one broker id", usage);
    if (!ParseBroker(w[1], true, &cmd.broker)) return Usage("bad broker id", usage);
    cmd.kind = verb == "down" ? BrokerCommand::Kind::kDown : BrokerCommand::Kind::kUp;
    return cmd;
  }
  if (verb == "leader") {
    constexpr std::string_view kUsage = "leader TOPIC PARTITION BROKER (-1: no leader)";
    if (w.size() != 4) return Usage("expected topic, partition and broker", kUsage);
    std::int64_t partition = 0, broker = 0;
    if (!ParseInt(w[2], 0, std::numeric_limits<std::int32_t>::max(), &partition)) {
      return Usage("bad partition", kUsage);
    }
    if (!ParseInt(w[3], -1, std::numeric_limits<std::int32_t>::max(), &broker)) {
      return Usage("bad broker id", kUsage);
    }
    cmd.kind = BrokerCommand::Kind::kLeader;
    cmd.topic = std::string(w[1]);
    cmd.partition = static_cast<std::int32_t>(partition);
    cmd.broker = static_cast<std::int32_t>(broker);
    return cmd;
  }
  if (verb == "coordinator") {
    constexpr std::string_view kUsage = "coordinator group|transaction KEY BROKER";
    if (w.size() != 4) return Usage("expected key type, key and broker", kUsage);
    if (w[1] != "group" && w[1] != "transaction") {
      return Usage("the key type must be 'group' or 'transaction'", kUsage);
    }
    if (!ParseBroker(w[3], false, &cmd.broker)) return Usage("bad broker id", kUsage);
    cmd.kind = BrokerCommand::Kind::kCoordinator;
    cmd.key_type = std::string(w[1]);
    cmd.key = std::string(w[2]);
    return cmd;
  }
  if (verb == "create") {
    constexpr std::string_view kUsage = "create TOPIC PARTITIONS";
    if (w.size() != 3) return Usage("expected topic and partition count", kUsage);
    std::int64_t partitions = 0;
    if (!ParseInt(w[2], 1, 100000, &partitions)) {
      return Usage("the partition count must be an integer >= 1", kUsage);
    }
    cmd.kind = BrokerCommand::Kind::kCreate;
    cmd.topic = std::string(w[1]);
    cmd.partitions = static_cast<int>(partitions);
    return cmd;
  }
  if (verb == "rtt") {
    constexpr std::string_view kUsage = "rtt BROKER MILLIS (BROKER 1..N, or all)";
    if (w.size() != 3) return Usage("expected broker and milliseconds", kUsage);
    std::int64_t ms = 0;
    if (!ParseBroker(w[1], true, &cmd.broker)) return Usage("bad broker id", kUsage);
    if (!ParseInt(w[2], 0, 3'600'000, &ms)) return Usage("bad round-trip time", kUsage);
    cmd.kind = BrokerCommand::Kind::kRtt;
    cmd.rtt_ms = static_cast<int>(ms);
    return cmd;
  }
  if (verb == "help" || verb == "quit") {
    if (w.size() != 1) return InvalidArgument("'" + std::string(verb) + "' takes no arguments");
    cmd.kind = verb == "help" ? BrokerCommand::Kind::kHelp : BrokerCommand::Kind::kQuit;
    return cmd;
  }
  return InvalidArgument("unknown command '" + std::string(verb) +
                         "'; commands: " + BrokerCommandHelp());
}

std::string BrokerCommandHelp() {
  return "down BROKER | up BROKER | leader TOPIC PARTITION BROKER | "
         "coordinator group|transaction KEY BROKER | create TOPIC PARTITIONS | "
         "rtt BROKER MILLIS | help | quit";
}

}  // namespace gale::kafka_broker
