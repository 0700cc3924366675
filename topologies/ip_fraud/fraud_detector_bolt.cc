#include "fraud_detector_bolt.h"

#include "web_log.h"

namespace gale::examples {
namespace {

constexpr std::string_view kClass = "FraudDetectorBolt";

std::string Owner(const Config& config) {
  return config.owner().empty() ? std::string(kClass) : config.owner();
}

}  // namespace

void FraudDetectorBolt::Prepare(const Config& config, const TopologyContext& context,
                                OutputCollector& collector) {
  collector_ = &collector;
  field_ = config.GetString("field", "value");
  if (!config.Has("fraud.prefixes")) {
    throw ConfigError(Owner(config) +
                      ": property 'fraud.prefixes' is required: the list of first IP octets "
                      "to flag, e.g. [10, 172]");
  }
  std::vector<Value> list = config.GetList("fraud.prefixes");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const auto* octet = std::get_if<std::int64_t>(&list[i]);
    if (octet == nullptr || *octet < 0 || *octet > 255) {
      throw ConfigError(Owner(config) + ": property 'fraud.prefixes' element " + std::to_string(i) +
                        " must be an integer 0..255, got " + ValueToString(list[i]));
    }
    prefixes_.set(static_cast<std::size_t>(*octet));
  }
  if (prefixes_.none()) {
    throw ConfigError(Owner(config) + ": property 'fraud.prefixes' must list at least one octet");
  }
}

void FraudDetectorBolt::Execute(const Tuple& tuple) {
  if (tuple.IsTick()) {
    collector_->Ack(tuple);
    return;
  }
  std::optional<std::size_t> index = tuple.Fields().IndexOf(field_);
  const Value& value = tuple[index.value_or(0)];
  const auto* line = std::get_if<std::string>(&value);
  std::optional<WebLogRecord> record;
  if (line != nullptr) record = ParseWebLogLine(*line);
  if (!record) {
    ++malformed_;
    if (malformed_ <= 10 || malformed_ % 1000 == 0) {
      collector_->ReportError(std::string(kClass) + ": skipping a malformed web-log line (" +
                              std::to_string(malformed_) +
                              " so far): " + ValueToString(value).substr(0, 200));
    }
    collector_->Ack(tuple);
    return;
  }
  if (prefixes_.test(static_cast<std::size_t>(record->octets[0]))) {
    ++frauds_;
    collector_->Emit(tuple, Values{record->ip, *line});
  }
  collector_->Ack(tuple);
}

void FraudDetectorBolt::DeclareOutputFields(OutputFieldsDeclarer& declarer) const {
  declarer.Declare(Fields{"ip", "line"});
}

GALE_REGISTER_BOLT(FraudDetectorBolt);

}  // namespace gale::examples
