#pragma once

// Semantic checks of a logical topology against the component registry,
// shared by every way a topology arrives (Flux YAML, TopologyBuilder). A
// topology that fails them is never started.

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "gale/config.h"
#include "gale/registry.h"
#include "gale/topology.h"

namespace gale::topology {

// A numeric key gale reads itself and the values it accepts (both ends
// included; docs/user-guide.md has the same table).
struct NumericSetting {
  std::string_view key;
  bool integer;        // else any number
  double min;
  double max;
  bool min_exclusive;  // "> min" rather than ">= min"
  std::string_view meaning;
};
const std::vector<NumericSetting>& NumericSettings();

// The largest parallelism of one component, and of tasks in a topology.
inline constexpr std::int64_t kMaxParallelism = 10000;
inline constexpr std::int64_t kMaxTasks = 100000;

// Checks the value of one configuration key gale reads itself: the numeric
// ones against NumericSettings(), topology.acking, topology.debug and security.curve bools,
// topology.reliability.mode one of ATLEAST_ONCE/ATMOST_ONCE. Any other key
// is ok.
// The message names the key and the value but no location; callers prefix it.
// A key one or two edits away from one of those (topology.workrs) is an
// error suggesting it (CheckConfigKey); other keys are ok.
Status CheckConfigEntry(std::string_view key, const ConfigValue& value);

// Whether `value` reads as a number (an integer when `integer`) from `min`
// (excluded when `min_exclusive`) to `max`; the error names the key, the
// range, `meaning` (a unit or what the value counts) and the value.
Status CheckNumber(std::string_view key, const ConfigValue& value, bool integer, double min,
                   double max, bool min_exclusive, std::string_view meaning);

// Just the spelling check of CheckConfigEntry.
Status CheckConfigKey(std::string_view key);

// Validates `spec` against `registry`: the topology name ([A-Za-z0-9._-]+, not
// starting with ".", at most 128 characters),
// at least one spout, unique component ids, parallelism from 1 to
// kMaxParallelism (kMaxTasks in all), every className
// registered with the right kind, every stream between declared components
// into a bolt, on a stream its source declares (learnt by creating each
// component once and calling DeclareOutputFields; exceptions from user code
// are reported), FIELDS on declared fields, CUSTOM on a registered grouping,
// no bolt subscribed twice to one (component, stream), and the known config
// keys of the topology and of each component, and the values of the keys
// each component declares (type and range, gale/component.h). Every problem is reported, one
// per line, prefixed with its source location when known; kInvalidArgument.
Status ValidateTopology(const TopologySpec& spec, const Registry& registry);

}  // namespace gale::topology
