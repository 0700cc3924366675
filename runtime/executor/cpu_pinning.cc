#include "executor/cpu_pinning.h"

#include <sched.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

namespace gale::executor {

std::vector<int> ContainerCpus(const std::vector<int>& allowed, int container, int containers) {
  if (allowed.empty() || containers < 1 || container < 0 || container >= containers) return {};
  const std::size_t n = allowed.size();
  const auto c = static_cast<std::size_t>(container);
  const auto w = static_cast<std::size_t>(containers);
  const std::size_t begin = c * n / w;
  const std::size_t end = std::max((c + 1) * n / w, begin + 1);
  return {allowed.begin() + static_cast<std::ptrdiff_t>(begin),
          allowed.begin() + static_cast<std::ptrdiff_t>(end)};
}

Result<std::vector<int>> AllowedCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) != 0) {
    return IoError(std::string("sched_getaffinity failed: ") + std::strerror(errno));
  }
  std::vector<int> cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  }
  return cpus;
}

Status PinToCpus(const std::vector<int>& cpus) {
  if (cpus.empty()) return InvalidArgument("no CPU to pin to");
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int cpu : cpus) {
    if (cpu < 0 || cpu >= CPU_SETSIZE) return InvalidArgument("CPU " + std::to_string(cpu));
    CPU_SET(cpu, &set);
  }
  if (::sched_setaffinity(0, sizeof set, &set) != 0) {
    return IoError("sched_setaffinity(" + CpuListString(cpus) +
                   ") failed: " + std::strerror(errno));
  }
  return Status::Ok();
}

std::string CpuListString(const std::vector<int>& cpus) {
  std::string out;
  for (std::size_t i = 0; i < cpus.size();) {
    std::size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    if (!out.empty()) out += ",";
    out += std::to_string(cpus[i]);
    if (j > i) out += "-" + std::to_string(cpus[j]);
    i = j + 1;
  }
  return out;
}

}  // namespace gale::executor
