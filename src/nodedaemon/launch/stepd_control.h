// How the node daemon starts and talks to sluice-stepd processes: a stepd
// per job in a new session (the real one keeps one started ahead of time,
// `--standby`, and hands it the job directory on a pipe; the next standby
// starts on a background thread), one-line commands over the job's control
// socket, and liveness checks for stepds found after a restart. The real
// implementation is MakeStepdControl; tests use a fake. Implementations are
// thread-compatible (called from the daemon's strand).
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace sluice::node {

class StepdControl {
 public:
  virtual ~StepdControl() = default;
  // Starts a stepd for the job whose files are in `job_dir`.
  virtual absl::StatusOr<pid_t> Start(const std::string& job_dir) = 0;
  // Sends one command line; returns the stepd's reply ("ok" or "error ...").
  // Unavailable when nothing listens on the stepd's socket (yet: a stepd
  // just started binds it a moment later).
  virtual absl::StatusOr<std::string> Send(const std::string& job_dir,
                                           const std::string& line) = 0;
  // True when `pid` is a live sluice-stepd (not a reused pid).
  virtual bool Alive(pid_t pid) = 0;
};

// `standby`: keep one stepd started ahead of time (a process per node; a
// daemon serving many simulated nodes starts each job's stepd afresh).
std::unique_ptr<StepdControl> MakeStepdControl(std::string stepd_path, bool standby = true);

}  // namespace sluice::node
