// A three-host cluster for bench/run.sh: the Slurm test cluster of the tests
// (tests/support/slurm_cluster.h: three network namespaces on a bridge, one
// slurmd each, slurmctld, munge and ZooKeeper), up for as long as stdin is
// open. Prints one line once every host is idle,
//   GALE_CLUSTER=<cluster file> SLURM_CONF=<slurm.conf>
// (a cluster file with ZooKeeper state and the Slurm scheduler), then waits
// for end of file on stdin and tears everything down. Needs root.
//
// Usage: gale_bench_three_hosts DIR   (DIR: where the package store goes)

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>
#include <string>

#include "support/slurm_cluster.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  if (::geteuid() != 0) {
    std::fprintf(stderr, "%s: needs root (network namespaces, slurmd)\n", argv[0]);
    return 1;
  }
  try {
    gale::testing::SlurmTestClusterOptions options;
    options.least_loaded = true;  // the master and each container on a host of its own
    gale::testing::SlurmTestCluster cluster(options);
    const std::string dir = argv[1];
    const std::string file = dir + "/cluster.yaml";
    std::ofstream(file) << "state.manager: zookeeper\n"
                        << "zookeeper.connect: " << cluster.ZooKeeperConnect() << "\n"
                        << "zookeeper.root: /gale-bench-" << ::getpid() << "\n"
                        << "zookeeper.auth: bench:" << ::getpid() << "\n"
                        << "scheduler: slurm\n"
                        << "slurm.partition: " << cluster.Partition() << "\n"
                        << "package.store: " << dir << "/store\n";
    ::chmod(file.c_str(), 0600);
    std::printf("GALE_CLUSTER=%s SLURM_CONF=%s\n", file.c_str(), cluster.ConfPath().c_str());
    std::fflush(stdout);
    std::string line;
    while (std::getline(std::cin, line)) {
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: the three-host cluster did not start: %s\n", argv[0], e.what());
    return 1;
  }
}
