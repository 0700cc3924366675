#include "executor/supervisor.h"

#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <sys/wait.h>

#include <algorithm>
#include <set>
#include <thread>

#include "common/log.h"

namespace gale::executor {

Supervisor::Supervisor(state::StateManager* sm, std::string topology, std::string owner,
                       RestartPolicy policy)
    : sm_(sm),
      writer_(sm, topology, owner),
      topology_(std::move(topology)),
      owner_(std::move(owner)),
      policy_(policy) {
  // SIGCHLD stays pending for Wait's sigtimedwait instead of being
  // discarded; children get an empty mask again (Spawn).
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  pthread_sigmask(SIG_BLOCK, &chld, nullptr);
}

void Supervisor::Wait(std::chrono::milliseconds max) {
  auto now = Clock::now();
  auto until = now + max;
  for (const Child& c : children_) {
    if (c.pid == 0 && !c.given_up) until = std::min(until, c.next_start);
  }
  if (until <= now) return;
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(until - now).count();
  timespec timeout{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  // Returns at once if a child already exited; EINTR when a stop signal's
  // handler ran.
  (void)sigtimedwait(&chld, nullptr, &timeout);
}

void Supervisor::Add(ChildSpec spec) {
  Child c;
  c.spec = std::move(spec);
  c.next_start = Clock::now();
  children_.push_back(std::move(c));
}

int Supervisor::restarts(const std::string& name) const {
  for (const Child& c : children_) {
    if (c.spec.name == name) return c.restarts;
  }
  return 0;
}

void Supervisor::StartChild(Child& c) {
  SpawnOptions o;
  o.argv = c.spec.argv;
  o.log_path = c.spec.log_path;
  o.die_with_parent = true;
  auto pid = Spawn(o);
  if (!pid.ok()) {
    Logger(owner_)->error("cannot start {}: {}", c.spec.name, pid.status().message());
    c.next_start = Clock::now() + c.backoff;
    return;
  }
  c.pid = *pid;
  // Read before the child can be reaped: fork set it, exec keeps it.
  c.start = state::ProcessStartTime(c.pid).value_or(0);
  c.started = Clock::now();
  Record(c);
  Logger(owner_)->info("started {} (pid {}{})", c.spec.name, c.pid,
                       c.restarts > 0 ? ", restart " + std::to_string(c.restarts) : "");
}

void Supervisor::Record(const Child& c, const std::string& given_up) {
  // Logged and written again by Poll when it fails; the child runs anyway.
  (void)writer_.WriteRecord("pids/" + c.spec.name,
                            records::ProcessRecord{c.pid, c.restarts, given_up, c.start, host_});
}

void Supervisor::Poll() {
  int status = 0;
  pid_t pid;
  while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
    for (Child& c : children_) {
      if (c.pid != pid) continue;
      c.pid = 0;
      auto ran = Clock::now() - c.started;
      if (ran > std::chrono::seconds(30)) c.backoff = std::chrono::milliseconds(100);
      std::string how = WIFEXITED(status) ? "exited with " + std::to_string(WEXITSTATUS(status))
                        : WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status))
                                              : "stopped";
      auto now = Clock::now();
      std::erase_if(c.failures, [&](Clock::time_point t) { return now - t > policy_.window; });
      c.failures.push_back(now);
      if (policy_.max_failures > 0 &&
          static_cast<int>(c.failures.size()) >= policy_.max_failures) {
        std::string why = how + "; " + std::to_string(c.failures.size()) + " exits within " +
                          std::to_string(policy_.window.count()) + " s, no more restarts";
        Logger(owner_)->error("{} (pid {}) {} (see its log)", c.spec.name, pid, why);
        c.given_up = true;
        c.pid = pid;  // the record keeps the last pid; it is not running
        Record(c, why);
        c.pid = 0;
        continue;
      }
      Logger(owner_)->warn("{} (pid {}) {}; restarting in {} ms", c.spec.name, pid, how,
                           c.backoff.count());
      c.next_start = Clock::now() + c.backoff;
      c.backoff = std::min(c.backoff * 2, std::chrono::milliseconds(5000));
      ++c.restarts;
    }
  }
  auto now = Clock::now();
  for (Child& c : children_) {
    if (c.pid == 0 && !c.given_up && now >= c.next_start) StartChild(c);
  }
  writer_.Retry(now);
}

void Supervisor::Stop(std::chrono::milliseconds grace) {
  std::set<int> orders;
  for (const Child& c : children_) orders.insert(c.spec.stop_order);
  for (int order : orders) {
    for (Child& c : children_) {
      if (c.spec.stop_order == order && c.pid > 0) ::kill(c.pid, SIGTERM);
    }
    auto deadline = Clock::now() + grace;
    while (true) {
      int status = 0;
      pid_t pid;
      while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
        for (Child& c : children_) {
          if (c.pid == pid) c.pid = 0;
        }
      }
      bool alive = false;
      for (const Child& c : children_) alive = alive || (c.spec.stop_order == order && c.pid > 0);
      if (!alive) break;
      if (Clock::now() >= deadline) {
        for (Child& c : children_) {
          if (c.spec.stop_order == order && c.pid > 0) {
            Logger(owner_)->warn("{} did not stop in time; killing it", c.spec.name);
            ::kill(c.pid, SIGKILL);
          }
        }
        deadline = Clock::now() + std::chrono::seconds(5);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  for (const Child& c : children_) {
    writer_.Forget("pids/" + c.spec.name);
    (void)sm_->Remove(topology_, "pids/" + c.spec.name);
  }
}

}  // namespace gale::executor
