#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gale/fields.h"
#include "gale/value.h"

namespace gale {

inline constexpr std::string_view kDefaultStream = "default";
inline constexpr std::string_view kSystemComponent = "__system";
inline constexpr std::string_view kTickStream = "__tick";

namespace internal {

inline constexpr std::uint32_t kNoStreamIndex = 0xffffffff;

// What the runtime knows about the stream a tuple arrived on. Owned by the
// runtime's topology plan and alive for the whole run.
struct StreamMeta {
  std::string component;
  std::string stream;
  gale::Fields fields;
  // The stream's index in the topology's stream table, which the runtime's
  // per-stream counters are indexed by; kNoStreamIndex for tick tuples and
  // tuples made for tests.
  std::uint32_t index = kNoStreamIndex;
};

// One tuple tree this tuple belongs to: the spout task that owns the tree,
// the tree's root id and the edge id this tuple was emitted with.
struct Anchor {
  std::int32_t spout_task = 0;
  std::uint64_t root = 0;
  std::uint64_t edge = 0;
};

struct TupleAccess;

}  // namespace internal

// One tuple as handed to Bolt::Execute. A value type: copying it keeps every
// value and the acking information, so a bolt may hold tuples and ack them
// later. Ack or fail a tuple through the copy you anchored emits to.
class Tuple {
 public:
  Tuple() = default;

  // A tuple outside any topology, for unit-testing user bolts.
  static Tuple ForTesting(Values values, gale::Fields fields,
                          std::string component = "test",
                          std::string stream = std::string(kDefaultStream), int source_task = 0);

  std::size_t size() const { return values_.size(); }
  const Value& operator[](std::size_t i) const { return values_[i]; }
  const Values& GetValues() const { return values_; }

  // Typed access by position or by field name. A wrong type, a position out
  // of range or an unknown field name throws std::invalid_argument naming
  // the field and the stream.
  const std::string& GetString(std::size_t i) const;
  const std::string& GetString(std::string_view field) const;
  std::int64_t GetInt(std::size_t i) const;
  std::int64_t GetInt(std::string_view field) const;
  double GetDouble(std::size_t i) const;
  double GetDouble(std::string_view field) const;
  bool GetBool(std::size_t i) const;
  bool GetBool(std::string_view field) const;
  const Bytes& GetBytes(std::size_t i) const;
  const Bytes& GetBytes(std::string_view field) const;
  const Value& GetValue(std::string_view field) const;

  const gale::Fields& Fields() const;
  const std::string& SourceComponent() const;
  const std::string& SourceStream() const;
  int SourceTask() const { return source_task_; }
  bool IsTick() const { return tick_; }

  // "split:3/default [hello, 1]"
  std::string ToString() const;

 private:
  friend struct internal::TupleAccess;

  std::size_t IndexOf(std::string_view field) const;
  const Value& At(std::size_t i) const;
  template <typename T>
  const T& As(std::size_t i, std::string_view wanted) const;

  Values values_;
  const internal::StreamMeta* meta_ = nullptr;
  std::shared_ptr<const internal::StreamMeta> owned_meta_;  // only for ForTesting
  int source_task_ = -1;
  int dest_task_ = -1;
  bool tick_ = false;
  std::vector<internal::Anchor> anchors_;  // empty when the tuple is not tracked
  // XOR of the edge ids of tuples emitted anchored to this one since it
  // arrived; sent back with the ack (Storm's algorithm).
  mutable std::uint64_t out_xor_ = 0;
  mutable bool settled_ = false;  // acked or failed already
};

}  // namespace gale
