// sluice-ctld: the controller daemon.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <thread>

#include "common/process_init.h"
#include "common/slurm_conf.h"
#include "ctld/ctld_server.h"
#include "ctld/core/priority.h"
#include "ctld/sched/scheduler.h"

int main(int argc, char** argv) {
  sluice::common::InitProcess();
  sluice::common::ReturnFreedMemory();
  CLI::App app{"sluice-ctld: Slurm-compatible controller daemon"};
  std::string conf = sluice::common::ResolveConfPath();
  app.add_option("-f,--conf", conf, "slurm.conf path");
  bool verbose = false;
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
  for (const auto& w : cfg->warnings) spdlog::warn("{}", w);
  if (auto pc = sluice::ctld::PriorityConfigFrom(*cfg); !pc.ok()) {
    spdlog::critical("{}", std::string(pc.status().message()));
    return 1;
  }
  if (auto sc = sluice::sched::ParseSchedulerParameters(cfg->scheduler_parameters);
      !sc.ok()) {
    spdlog::critical("{}", std::string(sc.status().message()));
    return 1;
  }

  // Block termination signals in every thread; a dedicated thread waits.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  auto server = sluice::ctld::CtldServer::Create(std::move(*cfg));
  if (!server.ok()) {
    spdlog::critical("{}", std::string(server.status().message()));
    return 1;
  }
  if (auto s = (*server)->Start(); !s.ok()) {
    spdlog::critical("{}", std::string(s.message()));
    return 1;
  }
  std::thread sig([&] {
    int got = 0;
    sigwait(&set, &got);
    spdlog::info("signal {}, shutting down", got);
    (*server)->Shutdown();
  });
  sig.detach();
  (*server)->Wait();
  return 0;
}
