// sluice-stepd: one per job, started by sluice-noded with the job's spool
// directory as its only argument. It is its own session leader, so stopping
// or killing the node daemon never touches it or the job.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <sstream>

#include "common/slurm_conf.h"
#include "nodedaemon/core/step_files.h"
#include "nodedaemon/launch/cgroup.h"
#include "nodedaemon/launch/launcher.h"
#include "nodedaemon/stepd/step_daemon.h"

int main(int argc, char** argv) {
  using namespace sluice::node;
  if (argc != 2) {
    fprintf(stderr, "usage: sluice-stepd JOB_SPOOL_DIR\n");
    return 2;
  }
  ::signal(SIGPIPE, SIG_IGN);
  spdlog::set_pattern("[%Y-%m-%d %H:%M:%S.%e] [stepd %P] [%l] %v");
  std::string dir = argv[1];
  auto text = ReadSmallFile(dir + "/spec");
  if (!text.ok()) {
    spdlog::critical("{}", std::string(text.status().message()));
    return 1;
  }
  auto spec = DecodeStepSpec(*text);
  if (!spec.ok()) {
    spdlog::critical("{}/spec: {}", dir, std::string(spec.status().message()));
    return 1;
  }
  sluice::common::CgroupConf cg_conf;
  if (auto cfg = sluice::common::LoadSlurmConf(spec->conf_path); cfg.ok())
    cg_conf = cfg->cgroup;
  std::stringstream mounts;
  mounts << std::ifstream("/proc/mounts").rdbuf();
  std::string note;
  auto cgroups = DetectCgroups(cg_conf, mounts.str(), &note);
  if (!cgroups) spdlog::warn("job {}: {}", spec->job.id, note);
  auto launcher = MakeProcessLauncher();
  StepDaemon d(std::move(*spec), dir, cgroups.get(), launcher.get());
  d.Run();
  return 0;
}
