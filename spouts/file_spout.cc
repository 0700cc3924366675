#include "spouts/file_spout.h"

#include <cerrno>
#include <filesystem>
#include <stdexcept>
#include <system_error>

#include "spouts/spout_support.h"

namespace gale::builtin {
namespace {
constexpr std::string_view kFileSpout = "FileSpout";
}  // namespace

void FileSpout::Open(const Config& config, const TopologyContext& context,
                     SpoutOutputCollector& collector) {
  collector_ = &collector;
  path_ = config.GetString("path");
  batch_ = CheckAtLeast(config, kFileSpout, "batch", config.GetInt("batch", 1), 1);
  int parallelism = context.ComponentParallelism();
  stride_ = parallelism > 0 ? static_cast<std::uint64_t>(parallelism) : 1;
  index_ = static_cast<std::uint64_t>(context.TaskIndex());

  std::error_code ec;
  if (std::filesystem::is_directory(path_, ec)) {
    throw std::runtime_error(OwnerName(config, kFileSpout) + ": cannot read '" + path_ +
                             "' (property 'path'): it is a directory");
  }
  errno = 0;
  in_.open(path_, std::ios::in | std::ios::binary);
  if (!in_.is_open()) {
    std::string reason = errno != 0 ? std::generic_category().message(errno) : "open failed";
    throw std::runtime_error(OwnerName(config, kFileSpout) + ": cannot open '" + path_ +
                             "' (property 'path'): " + reason);
  }
}

bool FileSpout::ReadOwnLine() {
  while (!at_end_) {
    if (!std::getline(in_, line_)) {
      at_end_ = true;
      if (in_.bad()) {
        collector_->ReportError(std::string(kFileSpout) + ": read error in '" + path_ + "' after line " +
                                std::to_string(line_no_) + "; treating it as the end of the file");
      }
      in_.close();
      return false;
    }
    ++line_no_;
    if ((line_no_ - 1) % stride_ != index_) continue;
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();
    return true;
  }
  return false;
}

void FileSpout::EmitLine(MessageId id, const std::string& line) {
  // Callers record the line in pending_ first: with acking off the runtime
  // acks it right after NextTuple (Storm's behaviour).
  collector_->Emit(Values{line}, id);
}

void FileSpout::NextTuple() {
  for (std::int64_t i = 0; i < batch_; ++i) {
    MessageId id;
    const std::string* line;
    if (pending_.NextReplay(&id, &line)) {
      EmitLine(id, *line);
      continue;
    }
    if (!ReadOwnLine()) return;
    id = line_no_;
    EmitLine(id, pending_.Add(id, line_));
  }
}

void FileSpout::Ack(MessageId id) { pending_.Ack(id); }

void FileSpout::Fail(MessageId id) { pending_.Queue(id); }

void FileSpout::Close() {
  if (in_.is_open()) in_.close();
}

bool FileSpout::Exhausted() const { return at_end_ && pending_.empty(); }

void FileSpout::DeclareOutputFields(OutputFieldsDeclarer& declarer) const {
  declarer.Declare(Fields{"line"});
}

GALE_REGISTER_SPOUT(FileSpout);

}  // namespace gale::builtin
