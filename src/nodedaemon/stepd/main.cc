// sluice-stepd: one per job, started by sluice-noded with the job's spool
// directory as its only argument, or ahead of time with --standby and then
// handed the directory on stdin. It is its own session leader, so stopping
// or killing the node daemon never touches it or the job.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "common/auth.h"
#include "nodedaemon/core/step_files.h"
#include "nodedaemon/launch/cgroup.h"
#include "nodedaemon/launch/launcher.h"
#include "nodedaemon/stepd/step_daemon.h"
#include "nodedaemon/stepd/step_log.h"

namespace {
std::string ReadMounts() {
  std::stringstream mounts;
  mounts << std::ifstream("/proc/mounts").rdbuf();
  return mounts.str();
}
}  // namespace

int main(int argc, char** argv) {
  using namespace sluice::node;
  if (argc != 2) {
    fprintf(stderr, "usage: sluice-stepd JOB_SPOOL_DIR | --standby\n");
    return 2;
  }
  ::signal(SIGPIPE, SIG_IGN);
  std::string dir = argv[1];
  std::string mounts = ReadMounts();
  if (dir == "--standby") {
    // Started ahead of its job: the node daemon writes the job directory
    // to our stdin (one write) when a job comes; EOF means it is gone or
    // needs no more.
    auto since = std::chrono::steady_clock::now();
    dir.clear();
    char buf[4096];
    ssize_t n;
    while ((n = ::read(0, buf, sizeof buf)) > 0) {
      dir.append(buf, static_cast<size_t>(n));
      if (dir.find('\n') != std::string::npos) break;
    }
    dir = dir.substr(0, dir.find('\n'));
    if (dir.empty() || dir[0] != '/') return 0;
    int nul = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (nul >= 0) ::dup2(nul, 0), ::close(nul);
    // The mount table read before the wait is kept unless the wait was long.
    if (std::chrono::steady_clock::now() - since > std::chrono::seconds(10)) mounts = ReadMounts();
  }
  auto text = ReadSmallFile(dir + "/spec");
  if (!text.ok()) {
    StepLog("critical", "%s", std::string(text.status().message()));
    return 1;
  }
  auto spec = DecodeStepSpec(*text);
  if (!spec.ok()) {
    StepLog("critical", "%s/spec: %s", dir, std::string(spec.status().message()));
    return 1;
  }
  std::string note;
  auto cgroups = DetectCgroups(spec->cgroup, mounts, &note);
  if (!cgroups) StepLog("warn", "job %d: %s", spec->job.id, note);
  auto launcher = MakeProcessLauncher();
  // Steps prove themselves to srun with a MUNGE credential; the socket is
  // the node's (SLURM_CONF's AuthInfo), passed in the spec's environment.
  std::unique_ptr<sluice::common::Authenticator> auth;
  if (spec->step >= 0) auth = sluice::common::MakeMungeAuthenticator(spec->munge_socket);
  StepDaemon d(std::move(*spec), dir, cgroups.get(), launcher.get(), auth.get());
  d.Run();
  return 0;
}
