#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace gale {

// The closed set of failure kinds inside the runtime.
enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,   // bad user input: arguments, topology, config
  kNotFound,          // a file, class, topology or key that does not exist
  kAlreadyExists,
  kFailedPrecondition,
  kIo,                // file or socket failure
  kProtocol,          // malformed or incompatible bytes from a peer
  kUserCode,          // a spout or bolt threw
  kInternal,
  kUnavailable,       // a service (ZooKeeper) cannot be reached now; retrying may work
};

const char* ErrorCodeName(ErrorCode code);

// The result of a fallible call: ok, or a code with a message that says what
// went wrong, where, and how to fix it.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {ErrorCode::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
inline Status IoError(std::string m) { return {ErrorCode::kIo, std::move(m)}; }
inline Status ProtocolError(std::string m) { return {ErrorCode::kProtocol, std::move(m)}; }
inline Status InternalError(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }
inline Status Unavailable(std::string m) { return {ErrorCode::kUnavailable, std::move(m)}; }

// A value or the Status explaining why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}  // NOLINT: implicit by design

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  // The value, or `fallback` when there is none.
  T value_or(T fallback) const& { return value_ ? *value_ : std::move(fallback); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace gale

#define GALE_RETURN_IF_ERROR(expr)            \
  do {                                        \
    ::gale::Status gale_status_ = (expr);     \
    if (!gale_status_.ok()) return gale_status_; \
  } while (0)
