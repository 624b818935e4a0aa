// sluice-noded: the node daemon. Several may run on one host, each with its
// own -N NodeName and port, as `slurmd -N` does.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <thread>

#include "common/slurm_conf.h"
#include "nodedaemon/gpu/gpu_probe.h"
#include "nodedaemon/node_daemon.h"

int main(int argc, char** argv) {
  CLI::App app{"sluice-noded: Slurm-compatible node daemon"};
  std::string conf = sluice::common::ResolveConfPath();
  std::string node;
  std::string backend = "auto";
  int heartbeat_ms = 2000;
  bool verbose = false;
  app.add_option("-f,--conf", conf, "slurm.conf path");
  app.add_option("-N,--node", node, "NodeName this daemon serves")->required();
  app.add_option("--gpu-backend", backend, "auto, nvml or fake")
      ->check(CLI::IsMember({"auto", "nvml", "fake"}));
  app.add_option("--heartbeat-ms", heartbeat_ms, "report interval");
  app.add_flag("-v,--verbose", verbose, "debug logging");
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
  const auto* nc = cfg->FindNode(node);
  if (!nc) {
    spdlog::critical("Node {} not found in {}", node, conf);
    return 1;
  }
  std::unique_ptr<sluice::node::GpuProbe> probe;
  if (backend != "fake") {
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
    probe = sluice::node::MakeFakeGpuProbe(nc->gpus(), type);
  }

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  sluice::node::NodeDaemonOptions opts;
  opts.config = std::move(*cfg);
  opts.node_name = node;
  opts.gpus = std::move(probe);
  opts.heartbeat_ms = heartbeat_ms;
  sluice::node::NodeDaemon daemon(std::move(opts));
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
