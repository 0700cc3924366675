#include "bolts/file_sink_bolt.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <stdexcept>
#include <string_view>
#include <system_error>

#include "bolts/bolt_support.h"

namespace gale::builtin {
namespace {

constexpr std::string_view kName = "FileSinkBolt";

void ReplaceAll(std::string& text, std::string_view from, std::string_view to) {
  for (std::size_t pos = text.find(from); pos != std::string::npos;
       pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
}

void AppendEscaped(std::string& out, std::string_view text) {
  if (text.find_first_of("\\\t\n\r") == std::string_view::npos) {
    out += text;
    return;
  }
  for (char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
}

void AppendValue(std::string& out, const Value& value) {
  if (const auto* s = std::get_if<std::string>(&value)) {
    AppendEscaped(out, *s);
  } else if (const auto* i = std::get_if<std::int64_t>(&value)) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *i);
    out.append(buf, end);
  } else {
    AppendEscaped(out, ValueToString(value));
  }
}

std::string ErrnoText(int error) { return std::generic_category().message(error); }

}  // namespace

FileSinkBolt::~FileSinkBolt() {
  if (fd_ < 0) return;
  std::string ignored;
  Flush(&ignored);
  ::close(fd_);
}

void FileSinkBolt::Prepare(const Config& config, const TopologyContext& context,
                           OutputCollector& collector) {
  collector_ = &collector;
  path_ = config.GetString("path");
  ReplaceAll(path_, "{task}", std::to_string(context.TaskId()));
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw std::runtime_error(DescribeOwner(config, kName) + ": cannot open '" + path_ +
                             "' (property 'path') for appending: " + ErrnoText(errno));
  }
  buffered_ = config.GetBool("buffered", false);
  buffer_.reserve(buffered_ ? kFlushBytes + 4096 : 256);
}

void FileSinkBolt::AppendLine(const Tuple& tuple) {
  const Values& values = tuple.GetValues();
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) buffer_ += '\t';
    AppendValue(buffer_, values[i]);
  }
  buffer_ += '\n';
}

void FileSinkBolt::Execute(const Tuple& tuple) {
  if (tuple.IsTick()) {
    FlushAndSettle();
    collector_->Ack(tuple);
    return;
  }
  AppendLine(tuple);
  unwritten_.push_back(tuple);
  if (!buffered_ || buffer_.size() > kFlushBytes) FlushAndSettle();
}

void FileSinkBolt::Cleanup() {
  if (fd_ < 0) return;
  FlushAndSettle();
  ::close(fd_);
  fd_ = -1;
}

bool FileSinkBolt::Flush(std::string* error) {
  const char* data = buffer_.data();
  std::size_t left = buffer_.size();
  bool ok = true;
  // One call normally writes everything; a short write (a signal, a full
  // disk) continues with the rest.
  while (left > 0) {
    ssize_t n = ::write(fd_, data, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      int saved = errno;
      auto lost = std::count(data, data + left, '\n');
      *error = "write to '" + path_ + "' failed: " + ErrnoText(saved) + "; " +
               std::to_string(lost) + " buffered lines lost";
      ok = false;
      break;
    }
    data += n;
    left -= static_cast<std::size_t>(n);
  }
  buffer_.clear();
  return ok;
}

void FileSinkBolt::FlushAndSettle() {
  if (buffer_.empty()) return;
  std::string error;
  bool ok = Flush(&error);
  if (!ok) collector_->ReportError(std::string(kName) + ": " + error);
  for (const Tuple& t : unwritten_) {
    if (ok) {
      collector_->Ack(t);
    } else {
      collector_->Fail(t);
    }
  }
  unwritten_.clear();
}

GALE_REGISTER_BOLT(FileSinkBolt);

}  // namespace gale::builtin
