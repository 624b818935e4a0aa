// sluice-noded: the node daemon. Several may run on one host, each with its
// own -N NodeName and port, as `slurmd -N` does; one may serve several
// nodes (-N with a host list: simulated nodes for testing at scale).
#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <thread>
#include <unistd.h>

#include "common/hostlist.h"
#include "common/process_init.h"
#include "common/slurm_conf.h"
#include "nodedaemon/gpu/gpu_probe.h"
#include "nodedaemon/node_host.h"

int main(int argc, char** argv) {
  sluice::common::InitProcess();
  CLI::App app{"sluice-noded: Slurm-compatible node daemon"};
  std::string conf = sluice::common::ResolveConfPath();
  std::string node;
  std::string backend = "auto";
  int heartbeat_ms = 2000;
  bool verbose = false;
  std::string stepd;
  {
    // sluice-stepd is installed beside sluice-noded.
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    std::string exe = n > 0 ? std::string(self, static_cast<size_t>(n)) : "";
    stepd = exe.substr(0, exe.rfind('/') + 1) + "sluice-stepd";
  }
  std::string fault_file;
  app.add_option("-f,--conf", conf, "slurm.conf path");
  app.add_option("-N,--node", node,
                 "NodeName this daemon serves, or a host list of several (simulated nodes: "
                 "fake GPUs, no standby stepd)")
      ->required();
  app.add_option("--gpu-backend", backend, "auto, nvml or fake")
      ->check(CLI::IsMember({"auto", "nvml", "fake"}));
  app.add_option("--heartbeat-ms", heartbeat_ms, "report interval");
  app.add_flag("-v,--verbose", verbose, "debug logging");
  app.add_option("--stepd", stepd, "path of the sluice-stepd binary");
  app.add_option("--fake-gpu-faults", fault_file,
                 "fake backend: file of injected GPU faults "
                 "(default <SlurmdSpoolDir>/fake_gpu_faults)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (verbose) spdlog::set_level(spdlog::level::debug);
  auto cfg = sluice::common::LoadSlurmConf(conf);
  if (!cfg.ok()) {
    spdlog::critical("{}", std::string(cfg.status().message()));
    return 1;
  }
  auto names = sluice::common::ExpandHostlist(node);
  if (!names.ok() || names->empty()) {
    spdlog::critical("Invalid node name {}", node);
    return 1;
  }
  const bool several = names->size() > 1;
  if (several && backend == "nvml") {
    spdlog::critical("--gpu-backend nvml serves one node: the nodes of one sluice-noded "
                     "would share the host's GPUs");
    return 1;
  }
  std::vector<sluice::node::NodeDaemonOptions> nodes;
  for (const auto& name : *names) {
    const auto* nc = cfg->FindNode(name);
    if (!nc) {
      spdlog::critical("Node {} not found in {}", name, conf);
      return 1;
    }
    std::unique_ptr<sluice::node::GpuProbe> probe;
    if (backend != "fake" && !several) {
      auto nvml = sluice::node::MakeNvmlGpuProbe();
      if (nvml.ok()) {
        probe = std::move(*nvml);
      } else if (backend == "nvml") {
        spdlog::critical("{}", std::string(nvml.status().message()));
        return 1;
      }
    }
    if (!probe) {
      std::string type;
      for (const auto& g : nc->gres)
        if (g.name == "gpu") type = g.type;
      std::string faults =
          fault_file.empty() ? cfg->SpoolDirFor(name) + "/fake_gpu_faults" : fault_file;
      probe = sluice::node::MakeFakeGpuProbe(nc->gpus(), type, faults);
    }
    sluice::node::NodeDaemonOptions opts;
    opts.node_name = name;
    opts.gpus = std::move(probe);
    opts.heartbeat_ms = heartbeat_ms;
    opts.stepd_path = stepd;
    // A standby stepd is a process per node: too many for thousands of
    // simulated nodes; their jobs start a stepd afresh (a few ms more).
    opts.standby_stepd = !several;
    nodes.push_back(std::move(opts));
  }

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  if (access(stepd.c_str(), X_OK) != 0) {
    spdlog::critical("{}: not executable; jobs cannot run without sluice-stepd", stepd);
    return 1;
  }
  sluice::node::NodeHost daemon(std::move(*cfg), std::move(nodes));
  if (auto s = daemon.Start(); !s.ok()) {
    spdlog::critical("{}", std::string(s.message()));
    return 1;
  }
  std::thread sig([&] {
    int got = 0;
    sigwait(&set, &got);
    spdlog::info("signal {}, shutting down", got);
    daemon.Shutdown();
  });
  sig.detach();
  daemon.Wait();
  return 0;
}
