#pragma once

// The values a Flux file hands to a component: `properties`,
// `constructorArgs`, `configMethods`, and the shared `components:` they may
// reference with `ref`. gale creates components with their default
// constructor, so all of these end up as keys of the component's Config:
//
//   properties:    - name: K, value: V        -> K = V
//                  - name: K, ref: ID         -> K.<key> = <value> for every
//                                                key of shared component ID
//   constructorArgs: [V, {ref: ID}]           -> constructorArgs = [V, "ID"],
//                                                ID.<key> = <value>
//   configMethods: - name: M, args: [A]       -> M = A (no args: true;
//                                                several: the list [A, B])
//
// A shared component's keys are its properties, its configMethods,
// `className` (when given) and `constructorArgs` (when given).

#include <map>
#include <string>
#include <vector>

#include "flux/diagnostics.h"
#include "flux/yaml_reader.h"
#include "gale/config.h"
#include "gale/topology.h"

namespace gale::flux {

// Where each key's value was written.
using ValueLocations = std::map<std::string, SourceLocation, std::less<>>;

// The receiving end of one component's values.
struct ValueSink {
  Config* values;
  ValueLocations* where;
};

// One entry of the top-level `components:` list, flattened.
struct SharedComponent {
  Config values;
  ValueLocations where;
};
using SharedComponents = std::map<std::string, SharedComponent, std::less<>>;

// Reads the top-level `components:` list. Shared components may not `ref`
// each other.
SharedComponents ReadSharedComponents(const MapEntry& entry, Diagnostics& diag);

// Reads `properties` of `place` into `out`; `ref` entries resolve against
// `shared`. Known config keys are checked; a name set twice is an error.
void ReadProperties(const MapEntry& entry, const std::string& place, const SharedComponents& shared,
                    ValueSink out, Diagnostics& diag);

// Reads `configMethods` of `place` into `out` (see above).
void ReadConfigMethods(const MapEntry& entry, const std::string& place, ValueSink out,
                       Diagnostics& diag);

// Reads a list of scalars (`constructorArgs`, grouping `args`) into `list`.
// With `shared` and `refs`, `- ref: ID` items become "ID" and put ID's keys
// into `refs`; without, `ref` is an error.
void ReadValueList(const MapEntry& entry, const std::string& place, const SharedComponents* shared,
                   std::vector<Value>* list, std::optional<ValueSink> refs, Diagnostics& diag);

}  // namespace gale::flux
