#pragma once

// Semantic checks of a logical topology against the component registry,
// shared by every way a topology arrives (Flux YAML, TopologyBuilder). A
// topology that fails them is never started.

#include <string_view>

#include "common/status.h"
#include "gale/config.h"
#include "gale/registry.h"
#include "gale/topology.h"

namespace gale::topology {

// Checks the value of one configuration key gale reads itself
// (topology.workers >= 1, topology.acking a bool, topology.reliability.mode
// one of ATLEAST_ONCE/ATMOST_ONCE, topology.message.timeout.secs > 0,
// topology.max.spout.pending >= 1, topology.tick.tuple.freq.secs a number > 0,
// topology.debug and security.curve bools, backpressure watermarks > 0). Any other key is ok.
// The message names the key and the value but no location; callers prefix it.
// A key one or two edits away from one of those (topology.workrs) is an
// error suggesting it (CheckConfigKey); other keys are ok.
Status CheckConfigEntry(std::string_view key, const ConfigValue& value);

// Just the spelling check of CheckConfigEntry.
Status CheckConfigKey(std::string_view key);

// Validates `spec` against `registry`: the topology name ([A-Za-z0-9._-]+, not
// starting with ".", at most 128 characters),
// at least one spout, unique component ids, parallelism >= 1, every className
// registered with the right kind, every stream between declared components
// into a bolt, on a stream its source declares (learnt by creating each
// component once and calling DeclareOutputFields; exceptions from user code
// are reported), FIELDS on declared fields, CUSTOM on a registered grouping,
// no bolt subscribed twice to one (component, stream), and the known config
// keys of the topology and of each component. Every problem is reported, one
// per line, prefixed with its source location when known; kInvalidArgument.
Status ValidateTopology(const TopologySpec& spec, const Registry& registry);

}  // namespace gale::topology
