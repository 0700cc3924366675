#pragma once

// How a task executor talks to the rest of the topology. Local mode backs
// these with in-memory queues; the multi-process runtime with ZeroMQ sockets
// to the container's stream manager. Batches are wire::BatchWriter output.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace gale::task {

// Sends finished batches towards their destination task. Called only on the
// owning executor thread.
class Outbox {
 public:
  virtual ~Outbox() = default;
  // Hands over one batch; it leaves by the next Commit() at the latest.
  virtual void Send(std::int32_t dest_task, std::string batch) = 0;
  // Sends what Send (and Inbox::Done) left since the last call, together as
  // one message where the transport allows: one wake-up on the way instead
  // of one per batch. Outboxes that send at once need nothing here.
  virtual void Commit() {}
};

// Batches addressed to one task. Used only by that task's executor thread.
class Inbox {
 public:
  virtual ~Inbox() = default;
  // Moves every waiting batch into *out; waits up to `timeout` when none is
  // waiting (returns as soon as one arrives).
  virtual void Receive(std::vector<std::string>* out, std::chrono::nanoseconds timeout) = 0;
  // The executor finished `n` received batches, including sending what they
  // caused (used to detect a drained topology). An inbox that is also the
  // outbox may hold the report until the outbox's next Commit().
  virtual void Done(std::size_t n) = 0;
  // True if Receive returns as soon as a Signals flag changes (the stream
  // manager sends them as messages on the inbox); false if the executor must
  // re-check the flags on its own while it waits.
  virtual bool wakes_on_signals() const { return false; }
};

// Topology-wide switches every executor reads (shared, lock-free).
struct Signals {
  std::atomic<bool> stop{false};        // leave the run loop
  std::atomic<bool> active{true};       // spouts call NextTuple only while active
  std::atomic<int> backpressure{0};     // > 0: some queue is above its high watermark
};

}  // namespace gale::task
