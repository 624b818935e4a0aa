// sluice-noded: the node daemon. Several may run on one host, each with its
// own -N NodeName and port, as `slurmd -N` does.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <thread>
#include <unistd.h>

#include "common/process_init.h"
#include "common/slurm_conf.h"
#include "nodedaemon/gpu/gpu_probe.h"
#include "nodedaemon/node_daemon.h"

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
  app.add_option("-N,--node", node, "NodeName this daemon serves")->required();
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
    if (fault_file.empty()) fault_file = cfg->SpoolDirFor(node) + "/fake_gpu_faults";
    probe = sluice::node::MakeFakeGpuProbe(nc->gpus(), type, fault_file);
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
  opts.stepd_path = stepd;
  if (access(stepd.c_str(), X_OK) != 0) {
    spdlog::critical("{}: not executable; jobs cannot run without sluice-stepd", stepd);
    return 1;
  }
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
