// How often the machine takes a CPU away, before anything of gale runs.
// One thread per CPU this process may use, pinned to it, reads the
// monotonic clock in a loop; a gap between two consecutive readings is time
// the thread did not run: the hypervisor not running the virtual CPU, or a
// kernel thread or interrupt on it. A stream of tuple trees passing through
// several processes waits for each such gap that hits one of them, so the
// gaps set a floor under the tail of the complete latency that no change in
// gale removes. bench/run.sh runs this for a few seconds before its runs.
// It keeps both CPUs busy while it runs: a measuring tool, not a pattern.
//
// Usage: gale_bench_cpu_gaps [--seconds S] [--json FILE]
//   Prints one line per CPU and a summary line; with --json also writes
//   {"seconds":S,"cpus":N,"over_1ms":K,"longest_ms":L,"lost_ms":T}.

#include <pthread.h>
#include <sched.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr double kCountedGapMs = 0.25;  // shorter gaps are ordinary interrupts

double NowMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

struct CpuGaps {
  int cpu = 0;
  int over_half_ms = 0;
  int over_1ms = 0;
  int over_2ms = 0;
  double longest_ms = 0;
  double lost_ms = 0;  // sum of the counted gaps
};

void Watch(CpuGaps* out, double seconds) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(out->cpu, &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);
  const double end = NowMs() + seconds * 1e3;
  double last = NowMs();
  while (last < end) {
    double now = NowMs();
    double gap = now - last;
    if (gap > kCountedGapMs) {
      out->lost_ms += gap;
      out->longest_ms = std::max(out->longest_ms, gap);
      if (gap > 0.5) ++out->over_half_ms;
      if (gap > 1) ++out->over_1ms;
      if (gap > 2) ++out->over_2ms;
    }
    last = now;
  }
}

[[noreturn]] void Usage(const char* why) {
  std::fprintf(stderr,
               "gale_bench_cpu_gaps: %s\nusage: gale_bench_cpu_gaps [--seconds "
               "S] [--json FILE]\n",
               why);
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 5;
  std::string json;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
      char* end = nullptr;
      seconds = std::strtod(argv[++i], &end);
      if (*end != '\0' || seconds <= 0 || seconds > 3600) Usage("--seconds takes 0 < S <= 3600");
    } else if (std::strcmp(argv[i], "--json") == 0 && i + 1 < argc) {
      json = argv[++i];
    } else {
      Usage((std::string("unknown argument '") + argv[i] + "'").c_str());
    }
  }
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) Usage("cannot read the CPU set");
  std::vector<CpuGaps> cpus;
  for (int c = 0; c < CPU_SETSIZE; ++c) {
    if (CPU_ISSET(c, &allowed)) cpus.push_back(CpuGaps{c});
  }
  std::vector<std::thread> threads;
  for (CpuGaps& g : cpus) threads.emplace_back(Watch, &g, seconds);
  for (std::thread& t : threads) t.join();

  CpuGaps all;
  for (const CpuGaps& g : cpus) {
    std::printf(
        "cpu %d: gaps over 0.5 ms %d, over 1 ms %d, over 2 ms %d; "
        "longest %.2f ms; %.1f ms lost\n",
        g.cpu, g.over_half_ms, g.over_1ms, g.over_2ms, g.longest_ms, g.lost_ms);
    all.over_1ms += g.over_1ms;
    all.longest_ms = std::max(all.longest_ms, g.longest_ms);
    all.lost_ms += g.lost_ms;
  }
  std::printf(
      "%zu CPUs over %.0f s: %d gaps over 1 ms, longest %.2f ms, %.1f "
      "ms lost in all\n",
      cpus.size(), seconds, all.over_1ms, all.longest_ms, all.lost_ms);
  if (!json.empty()) {
    FILE* f = std::fopen(json.c_str(), "w");
    if (f == nullptr) Usage(("cannot write " + json).c_str());
    std::fprintf(f,
                 "{\"seconds\":%.0f,\"cpus\":%zu,\"over_1ms\":%d,\"longest_ms\":%.2f,"
                 "\"lost_ms\":%.1f}\n",
                 seconds, cpus.size(), all.over_1ms, all.longest_ms, all.lost_ms);
    std::fclose(f);
  }
  return 0;
}
