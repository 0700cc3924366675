#pragma once

// An Outbox and an Inbox for driving one task executor in a unit test,
// without queues or sockets.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "task/task_io.h"

namespace gale::test_support {

// Keeps every batch sent, with its destination task.
class KeepingOutbox : public task::Outbox {
 public:
  void Send(std::int32_t dest, std::string batch) override {
    sent.emplace_back(dest, std::move(batch));
  }
  std::vector<std::pair<std::int32_t, std::string>> sent;
};

// Hands over the scripted batches at the first Receive, then stops the
// executor at the next.
class OnceInbox : public task::Inbox {
 public:
  void Receive(std::vector<std::string>* out, std::chrono::nanoseconds) override {
    if (given_) {
      signals->stop.store(true);
      return;
    }
    given_ = true;
    for (const std::string& b : batches) out->push_back(b);
  }
  void Done(std::size_t) override {}
  std::vector<std::string> batches;
  task::Signals* signals = nullptr;

 private:
  bool given_ = false;
};

}  // namespace gale::test_support
