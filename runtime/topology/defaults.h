#pragma once

// Well-known topology configuration keys, their defaults, and the layering of
// a component's configuration (defaults < topology config < component config
// < component properties).

#include <cstdint>
#include <string_view>

#include "gale/config.h"
#include "gale/topology.h"

namespace gale::topology {

// Keys gale itself reads.
inline constexpr std::string_view kWorkersKey = "topology.workers";
inline constexpr std::string_view kAckingKey = "topology.acking";
inline constexpr std::string_view kReliabilityModeKey = "topology.reliability.mode";
inline constexpr std::string_view kMessageTimeoutSecsKey = "topology.message.timeout.secs";
inline constexpr std::string_view kMaxSpoutPendingKey = "topology.max.spout.pending";
inline constexpr std::string_view kTickTupleFreqSecsKey = "topology.tick.tuple.freq.secs";
inline constexpr std::string_view kDebugKey = "topology.debug";
inline constexpr std::string_view kBackpressureHighWatermarkBytesKey =
    "topology.backpressure.high.watermark.bytes";
inline constexpr std::string_view kBackpressureLowWatermarkBytesKey =
    "topology.backpressure.low.watermark.bytes";
inline constexpr std::string_view kBackpressureHighWatermarkTuplesKey =
    "topology.backpressure.high.watermark.tuples";
inline constexpr std::string_view kBackpressureLowWatermarkTuplesKey =
    "topology.backpressure.low.watermark.tuples";
// When a supervisor stops restarting a process that keeps exiting.
inline constexpr std::string_view kRestartMaxFailuresKey = "topology.restart.max.failures";
inline constexpr std::string_view kRestartWindowSecsKey = "topology.restart.window.secs";
// Size cap and rotation of each process's log (common/log_rotation.h).
inline constexpr std::string_view kLogMaxBytesKey = "topology.log.max.bytes";
inline constexpr std::string_view kLogMaxFilesKey = "topology.log.max.files";
// Whether the ZeroMQ sockets between the processes of a submitted topology
// use CURVE (docs/architecture.md, "Transport security").
inline constexpr std::string_view kSecurityCurveKey = "security.curve";
// Whether the stream managers of one host link over Unix sockets in the
// topology directory rather than TCP (stmgr/peer_mesh.h).
inline constexpr std::string_view kTransportUnixPeersKey = "transport.unix.peers";
// Whether each container's executor pins the container's processes to a
// share of the host's CPUs (executor/cpu_pinning.h); local scheduler only.
inline constexpr std::string_view kContainerCpuPinningKey = "container.cpu.pinning";
// Where the topology master serves HTTP (/metrics, /api/v1): loopback and
// any free port unless set (docs/observability.md).
inline constexpr std::string_view kHttpBindAddressKey = "http.bind.address";
inline constexpr std::string_view kHttpPortKey = "http.port";
// A component's Flux `constructorArgs`, as a list, in its layered Config.
inline constexpr std::string_view kConstructorArgsKey = "constructorArgs";

// Values of topology.reliability.mode (Heron's names).
inline constexpr std::string_view kAtLeastOnce = "ATLEAST_ONCE";
inline constexpr std::string_view kAtMostOnce = "ATMOST_ONCE";
inline constexpr std::string_view kEffectivelyOnce = "EFFECTIVELY_ONCE";  // not supported

// Defaults (DefaultTopologyConfig). topology.max.spout.pending and
// topology.tick.tuple.freq.secs have none: unset means unbounded / no ticks.
inline constexpr std::int64_t kDefaultWorkers = 1;
inline constexpr bool kDefaultAcking = true;
inline constexpr std::int64_t kDefaultMessageTimeoutSecs = 30;
inline constexpr bool kDefaultDebug = false;
inline constexpr std::int64_t kDefaultRestartMaxFailures = 10;  // 0: restart forever
inline constexpr std::int64_t kDefaultRestartWindowSecs = 300;
inline constexpr std::int64_t kDefaultLogMaxBytes = 64 * 1024 * 1024;
inline constexpr std::int64_t kDefaultLogMaxFiles = 3;
inline constexpr bool kDefaultSecurityCurve = true;
inline constexpr bool kDefaultTransportUnixPeers = true;
inline constexpr bool kDefaultContainerCpuPinning = false;
inline constexpr std::string_view kDefaultHttpBindAddress = "127.0.0.1";
inline constexpr std::int64_t kDefaultHttpPort = 0;  // any free port
inline constexpr std::int64_t kDefaultBackpressureHighWatermarkBytes = 32 * 1024 * 1024;
inline constexpr std::int64_t kDefaultBackpressureLowWatermarkBytes = 16 * 1024 * 1024;
// Tuples queued towards one task. The tuple watermarks bound queueing *time*
// for slow bolts (10,000 tuples at 1 ms each is 10 s, well inside the default
// 30 s message timeout); the byte watermarks bound memory for large tuples.
// docs/backpressure.md explains the choice.
inline constexpr std::int64_t kDefaultBackpressureHighWatermarkTuples = 10000;
inline constexpr std::int64_t kDefaultBackpressureLowWatermarkTuples = 5000;

// The configuration every topology starts from.
Config DefaultTopologyConfig();

// The Config handed to one component's Open/Prepare (and DeclareOutputFields):
// defaults, overlaid by spec.config, by component.config, by
// component.properties; non-empty constructorArgs as a list under
// kConstructorArgsKey. Its owner is "component '<id>'".
Config LayeredConfig(const TopologySpec& spec, const ComponentSpec& component);

// Whether tuple trees are tracked. topology.reliability.mode (ATLEAST_ONCE or
// ATMOST_ONCE, any case) takes precedence over topology.acking (bool). Never
// throws: values ValidateTopology would reject count as acking on.
bool AckingEnabled(const Config& config);

// Whether security.curve is on (the default). Never throws: a value
// ValidateTopology would reject counts as on.
bool CurveEnabled(const Config& config);
// Whether transport.unix.peers is on (the default). Never throws: a value
// ValidateTopology would reject counts as off (TCP reaches every peer).
bool UnixPeersEnabled(const Config& config);
// Whether container.cpu.pinning is on (off by default). Never throws: a value
// ValidateTopology would reject counts as off.
bool CpuPinningEnabled(const Config& config);

}  // namespace gale::topology
