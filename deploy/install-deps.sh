#!/usr/bin/env bash
# Installs the Debian packages gale needs to build, test and run its demos.
# Idempotent: does nothing when every package is already installed.
set -euo pipefail

packages=(
  cmake g++ make ninja-build pkg-config
  libzmq3-dev cppzmq-dev
  libyaml-cpp-dev libspdlog-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  librdkafka-dev kcat
  libzookeeper-mt-dev zookeeper
  # make fuzz (run by make test): libFuzzer targets need clang and its runtime.
  clang-14 libclang-rt-14-dev
  # The topology master's HTTP endpoints (/metrics, /api/v1).
  libcpp-httplib-dev nlohmann-json3-dev
  # Tests: promtool checks /metrics, a real Prometheus scrapes a topology.
  prometheus
  # Tests: the web UI in a real headless browser.
  chromium
  # Tests: a three-host Slurm cluster on one machine (tests/support/slurm_cluster.h):
  # slurmctld, slurmd and the client commands (sbatch, srun, squeue, scancel,
  # sinfo) come with slurm-wlm; munge authenticates them; iproute2 and
  # util-linux (nsenter) build the hosts as network namespaces on a bridge;
  # nc talks to ZooKeeper from inside a namespace.
  slurm-wlm slurm-client munge iproute2 util-linux netcat-openbsd
  # Tests: bench/latency_sweep.sh reads the spout's latency log with python3.
  python3
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
