#pragma once

// Stream groupings: which target tasks receive a tuple. One Grouping object
// exists per (emitting task, subscription) and is used only on the thread
// that routes for that task. Built-in groupings work on the encoded values
// (fields grouping hashes the encoded bytes of the key fields) and never
// decode user values; only CUSTOM groupings see decoded values.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "gale/grouping.h"
#include "gale/topology.h"
#include "gale/value.h"
#include "wire/codec.h"

namespace gale::grouping {

// What a grouping may look at for one tuple.
struct RoutingInput {
  std::int32_t source_task = 0;
  std::string_view encoded_values;     // as written by wire::EncodeValues
  const std::vector<wire::Span>* spans = nullptr;  // byte range of each value in encoded_values
  const Values* values = nullptr;      // decoded values; may be null (CUSTOM then decodes)
};

class Grouping {
 public:
  virtual ~Grouping() = default;
  // Appends the chosen task ids to *out.
  virtual void Choose(const RoutingInput& in, std::vector<std::int32_t>* out) = 0;
};

// Everything needed to build a grouping for one subscription.
struct GroupingOptions {
  GroupingSpec spec;
  std::string source_component;
  std::string stream;
  std::vector<std::int32_t> target_tasks;  // ascending
  std::vector<std::size_t> key_indexes;    // FIELDS: positions of the key fields
  std::vector<std::int32_t> local_tasks;   // LOCAL_OR_SHUFFLE: targets in the same container
  std::uint64_t seed = 0;                  // shuffle start position
};

// DIRECT subscriptions get no Grouping (the emitter names the task); asking
// for one is an error, as is an unknown custom class.
Result<std::unique_ptr<Grouping>> MakeGrouping(const GroupingOptions& options);

// Deterministic 64-bit hash of the key fields' encoded bytes: the same key
// always goes to the same task for a given parallelism, in every process.
std::uint64_t HashKey(const RoutingInput& in, const std::vector<std::size_t>& key_indexes);

}  // namespace gale::grouping
