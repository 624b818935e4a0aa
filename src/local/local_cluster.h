// sluice-local: a whole Sluice cluster on one machine, for trying Sluice and
// for tests. Writes slurm.conf/gres.conf into a directory (or uses a given
// config), starts a private munged, sluice-ctld and one sluice-noded per
// node (or per --nodes-per-daemon nodes) on 127.0.0.1, and records what it started so `down` stops exactly
// that. Not thread-safe; one invocation at a time per directory.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace sluice::local {

struct UpOptions {
  std::string dir;
  uint32_t nodes = 2;
  // Nodes each sluice-noded serves: 1 as on a real cluster; more runs
  // thousands of simulated nodes on one host (sluice-noded -N with a list).
  uint32_t nodes_per_daemon = 1;
  uint32_t gpus_per_node = 2;
  uint32_t cpus_per_node = 8;
  uint64_t mem_per_node_mb = 16000;
  std::string gpu_type;
  std::string conf;  // use this slurm.conf instead of writing one
  std::string gpu_backend = "fake";
  uint32_t kill_wait_s = 30;
  int wait_s = 30;
};

std::string DefaultDir();
// Text of the generated slurm.conf (ports chosen by the caller: one per
// node daemon, which its nodes share).
std::string RenderSlurmConf(const UpOptions& o, uint16_t ctld_port,
                            const std::vector<uint16_t>& node_ports);
// The node daemons for `nodes` (in slurm.conf order): at most `per_daemon`
// nodes each, as the host lists their -N takes.
std::vector<std::string> NodeDaemonGroups(const std::vector<std::string>& nodes,
                                          uint32_t per_daemon);

// `n` different ports from `pick` (which may repeat itself): the
// controller's first, then one per node daemon.
std::vector<uint16_t> DistinctPorts(size_t n, const std::function<uint16_t()>& pick);

// Starts the cluster; when anything fails, what it started is stopped.
absl::Status Up(const UpOptions& o);
absl::Status Status(const std::string& dir);
absl::Status Down(const std::string& dir);

}  // namespace sluice::local
