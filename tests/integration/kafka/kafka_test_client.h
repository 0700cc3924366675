#pragma once

// A small librdkafka client for the Kafka integration tests: produce a batch,
// read a whole topic, and read end offsets and a group's committed offsets.
// Every call blocks with a deadline and reports failures as gtest failures.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gale::testing {

struct KafkaRecord {
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<std::pair<std::string, std::string>> headers;  // in order
};

// A record to produce: key and value, either may be null.
struct KeyValue {
  std::optional<std::string> key;
  std::optional<std::string> value;
};

class KafkaTestClient {
 public:
  explicit KafkaTestClient(std::string bootstrap_servers)
      : bootstrap_servers_(std::move(bootstrap_servers)) {}

  // Produces every record (key, value) to `topic` and waits until all were
  // delivered. Returns false (and adds a test failure) otherwise.
  bool Produce(const std::string& topic,
               const std::vector<std::pair<std::optional<std::string>, std::string>>& records,
               int timeout_ms = 30000);

  // The same with null values allowed (a null value is a tombstone).
  bool ProduceRecords(const std::string& topic, const std::vector<KeyValue>& records,
                      int timeout_ms = 30000);

  // Reads every record of every partition of `topic`, from the beginning to
  // the end offsets observed when the call starts.
  std::vector<KafkaRecord> ReadAll(const std::string& topic, int timeout_ms = 30000);

  // partition -> high watermark.
  std::map<std::int32_t, std::int64_t> EndOffsets(const std::string& topic, int timeout_ms = 10000);

  // partition -> committed offset of `group` (-1001 when none).
  std::map<std::int32_t, std::int64_t> Committed(const std::string& group, const std::string& topic,
                                                 int timeout_ms = 10000);

 private:
  std::vector<std::int32_t> Partitions(const std::string& topic, int timeout_ms);

  std::string bootstrap_servers_;
};

}  // namespace gale::testing
