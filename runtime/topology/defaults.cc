#include "topology/defaults.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace gale::topology {

Config DefaultTopologyConfig() {
  Config config("topology defaults");
  config.Set(std::string(kWorkersKey), kDefaultWorkers);
  config.Set(std::string(kAckingKey), kDefaultAcking);
  config.Set(std::string(kMessageTimeoutSecsKey), kDefaultMessageTimeoutSecs);
  config.Set(std::string(kDebugKey), kDefaultDebug);
  config.Set(std::string(kRestartMaxFailuresKey), kDefaultRestartMaxFailures);
  config.Set(std::string(kRestartWindowSecsKey), kDefaultRestartWindowSecs);
  config.Set(std::string(kLogMaxBytesKey), kDefaultLogMaxBytes);
  config.Set(std::string(kLogMaxFilesKey), kDefaultLogMaxFiles);
  config.Set(std::string(kSecurityCurveKey), kDefaultSecurityCurve);
  config.Set(std::string(kTransportUnixPeersKey), kDefaultTransportUnixPeers);
  config.Set(std::string(kBackpressureHighWatermarkBytesKey),
             kDefaultBackpressureHighWatermarkBytes);
  config.Set(std::string(kBackpressureLowWatermarkBytesKey), kDefaultBackpressureLowWatermarkBytes);
  config.Set(std::string(kBackpressureHighWatermarkTuplesKey),
             kDefaultBackpressureHighWatermarkTuples);
  config.Set(std::string(kBackpressureLowWatermarkTuplesKey),
             kDefaultBackpressureLowWatermarkTuples);
  return config;
}

Config LayeredConfig(const TopologySpec& spec, const ComponentSpec& component) {
  Config config("component '" + component.id + "'");
  config.MergeFrom(DefaultTopologyConfig());
  config.MergeFrom(spec.config);
  config.MergeFrom(component.config);
  config.MergeFrom(component.properties);
  if (!component.constructor_args.empty()) {
    config.SetList(std::string(kConstructorArgsKey), component.constructor_args);
  }
  return config;
}

bool AckingEnabled(const Config& config) {
  if (const ConfigValue* mode = config.Find(kReliabilityModeKey)) {
    const auto* value = std::get_if<Value>(mode);
    const auto* text = value != nullptr ? std::get_if<std::string>(value) : nullptr;
    if (text != nullptr) {
      std::string upper = *text;
      std::transform(upper.begin(), upper.end(), upper.begin(),
                     [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
      if (upper == kAtMostOnce) return false;
      if (upper == kAtLeastOnce) return true;
    }
    return true;  // rejected by validation; err on the side of tracking
  }
  try {
    return config.GetBool(kAckingKey, kDefaultAcking);
  } catch (const ConfigError&) {
    return kDefaultAcking;
  }
}

bool CurveEnabled(const Config& config) {
  try {
    return config.GetBool(kSecurityCurveKey, kDefaultSecurityCurve);
  } catch (const ConfigError&) {
    return true;  // rejected by validation; never fall back to plain text
  }
}

bool UnixPeersEnabled(const Config& config) {
  try {
    return config.GetBool(kTransportUnixPeersKey, kDefaultTransportUnixPeers);
  } catch (const ConfigError&) {
    return false;  // rejected by validation; TCP works on every host
  }
}

bool CpuPinningEnabled(const Config& config) {
  try {
    return config.GetBool(kContainerCpuPinningKey, kDefaultContainerCpuPinning);
  } catch (const ConfigError&) {
    return false;  // rejected by validation
  }
}

}  // namespace gale::topology
