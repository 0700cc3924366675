#include "gale/tuple.h"

#include "gale/collector.h"

#include <stdexcept>

namespace gale {
namespace {

const internal::StreamMeta& EmptyMeta() {
  static const internal::StreamMeta kEmpty{"", "", {}, internal::kNoStreamIndex};
  return kEmpty;
}

}  // namespace

Tuple Tuple::ForTesting(Values values, gale::Fields fields, std::string component,
                        std::string stream, int source_task) {
  Tuple t;
  t.owned_meta_ = std::make_shared<internal::StreamMeta>(
      internal::StreamMeta{std::move(component), std::move(stream), std::move(fields),
                           internal::kNoStreamIndex});
  t.meta_ = t.owned_meta_.get();
  t.values_ = std::move(values);
  t.source_task_ = source_task;
  return t;
}

const gale::Fields& Tuple::Fields() const { return (meta_ ? *meta_ : EmptyMeta()).fields; }
const std::string& Tuple::SourceComponent() const {
  return (meta_ ? *meta_ : EmptyMeta()).component;
}
const std::string& Tuple::SourceStream() const { return (meta_ ? *meta_ : EmptyMeta()).stream; }

std::size_t Tuple::IndexOf(std::string_view field) const {
  auto index = Fields().IndexOf(field);
  if (!index) {
    throw std::invalid_argument("tuple from " + SourceComponent() + "/" + SourceStream() +
                                " has no field '" + std::string(field) + "' (fields are " +
                                Fields().ToString() + ")");
  }
  return *index;
}

const Value& Tuple::At(std::size_t i) const {
  if (i >= values_.size()) {
    throw std::invalid_argument("tuple from " + SourceComponent() + "/" + SourceStream() +
                                " has " + std::to_string(values_.size()) +
                                " values, no index " + std::to_string(i));
  }
  return values_[i];
}

template <typename T>
const T& Tuple::As(std::size_t i, std::string_view wanted) const {
  const Value& v = At(i);
  if (const T* p = std::get_if<T>(&v)) return *p;
  std::string name = i < Fields().size() ? "'" + Fields()[i] + "'" : "#" + std::to_string(i);
  throw std::invalid_argument("field " + name + " of tuple from " + SourceComponent() + "/" +
                              SourceStream() + " is " + std::string(ValueTypeName(v)) +
                              ", not " + std::string(wanted));
}

const std::string& Tuple::GetString(std::size_t i) const { return As<std::string>(i, "string"); }
const std::string& Tuple::GetString(std::string_view f) const { return GetString(IndexOf(f)); }
std::int64_t Tuple::GetInt(std::size_t i) const { return As<std::int64_t>(i, "int"); }
std::int64_t Tuple::GetInt(std::string_view f) const { return GetInt(IndexOf(f)); }
double Tuple::GetDouble(std::size_t i) const { return As<double>(i, "double"); }
double Tuple::GetDouble(std::string_view f) const { return GetDouble(IndexOf(f)); }
bool Tuple::GetBool(std::size_t i) const { return As<bool>(i, "bool"); }
bool Tuple::GetBool(std::string_view f) const { return GetBool(IndexOf(f)); }
const Bytes& Tuple::GetBytes(std::size_t i) const { return As<Bytes>(i, "bytes"); }
const Bytes& Tuple::GetBytes(std::string_view f) const { return GetBytes(IndexOf(f)); }
const Value& Tuple::GetValue(std::string_view f) const { return At(IndexOf(f)); }

std::string Tuple::ToString() const {
  std::string out = SourceComponent() + ":" + std::to_string(source_task_) + "/" +
                    SourceStream() + " [";
  for (std::size_t i = 0; i < values_.size(); ++i) {
    if (i > 0) out += ", ";
    out += ValueToString(values_[i]);
  }
  return out + "]";
}

namespace internal {

void CheckDirectTask(int task) {
  if (task < 0) {
    throw std::invalid_argument("EmitDirect to task " + std::to_string(task) +
                                ": task ids are positive (see TopologyContext::ComponentTasks)");
  }
}

}  // namespace internal
}  // namespace gale
