#pragma once

// container.cpu.pinning: the executor of a container pins itself to a share
// of the host's CPUs before it starts the container's stream manager and
// instances, which inherit the mask. The processes of one container then
// hand tuples to each other on the same CPUs, where a wake-up does not have
// to reach another, possibly idle, CPU (docs/decisions.md, "Pinning a
// container to its CPUs").

#include <string>
#include <vector>

#include "common/status.h"

namespace gale::executor {

// The CPUs of `allowed` (the CPUs this process may run on, in order) that
// container `container` of `containers` on this host gets: a contiguous
// share, as even as the counts allow; with more containers than CPUs,
// neighbouring containers share one CPU. Never empty when `allowed` is not;
// every CPU of `allowed` goes to some container.
std::vector<int> ContainerCpus(const std::vector<int>& allowed, int container, int containers);

// The CPUs the calling thread may run on (sched_getaffinity), ascending.
Result<std::vector<int>> AllowedCpus();

// Restricts the calling thread, and every process it starts afterwards, to
// `cpus` (sched_setaffinity).
Status PinToCpus(const std::vector<int>& cpus);

// "0-3,6" for {0, 1, 2, 3, 6}: the form of /proc/PID/status's
// Cpus_allowed_list and taskset.
std::string CpuListString(const std::vector<int>& cpus);

}  // namespace gale::executor
