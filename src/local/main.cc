// sluice-local: try Sluice on one machine. See local_cluster.h.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "local/local_cluster.h"

int main(int argc, char** argv) {
  CLI::App app{"sluice-local: a Sluice cluster on this machine"};
  app.require_subcommand(1);
  sluice::local::UpOptions up;
  up.dir = sluice::local::DefaultDir();
  std::string dir = up.dir;
  auto* cmd_up = app.add_subcommand("up", "write a config and start the cluster");
  cmd_up->add_option("--dir", up.dir, "cluster directory");
  cmd_up->add_option("--nodes", up.nodes, "nodes to start");
  cmd_up->add_option("--nodes-per-daemon", up.nodes_per_daemon,
                     "nodes each sluice-noded serves (more than 1: simulated nodes, "
                     "thousands on one host)")
      ->check(CLI::Range(1u, 100000u));
  cmd_up->add_option("--gpus-per-node", up.gpus_per_node, "fake GPUs per node");
  cmd_up->add_option("--gpu-type", up.gpu_type, "GPU type, e.g. h100");
  cmd_up->add_option("--cpus-per-node", up.cpus_per_node, "CPUs per node");
  cmd_up->add_option("--mem-per-node", up.mem_per_node_mb, "memory per node (MB)");
  cmd_up->add_option("--kill-wait", up.kill_wait_s, "KillWait seconds");
  cmd_up->add_option("--wait", up.wait_s, "seconds to wait for every node to register")
      ->check(CLI::Range(1, 3600));
  cmd_up->add_option("--conf", up.conf, "use this slurm.conf");
  cmd_up->add_option("--gpu-backend", up.gpu_backend, "fake, nvml or auto");
  auto* cmd_status = app.add_subcommand("status", "show what runs");
  cmd_status->add_option("--dir", dir, "cluster directory");
  auto* cmd_down = app.add_subcommand("down", "stop what 'up' started");
  cmd_down->add_option("--dir", dir, "cluster directory");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  absl::Status s;
  if (*cmd_up) s = sluice::local::Up(up);
  if (*cmd_status) s = sluice::local::Status(dir);
  if (*cmd_down) s = sluice::local::Down(dir);
  if (!s.ok()) {
    std::fprintf(stderr, "sluice-local: error: %s\n",
                 std::string(s.message()).c_str());
    return 1;
  }
  return 0;
}
