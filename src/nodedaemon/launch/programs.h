// Helpers the node daemon and sluice-stepd share for processes that are not
// the job itself: finding a process's descendants from /proc, and running a
// short program (Prolog, Epilog, TaskEpilog, HealthCheckProgram) to
// completion with a deadline. Stateless; safe from any thread, but
// RunProgram blocks its caller.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace sluice::node {

// Every descendant of `root` (not root itself), found through /proc.
std::vector<pid_t> Descendants(pid_t root);

// True when `pid` exists and is not a zombie.
bool ProcessAlive(pid_t pid);

struct ProgramRun {
  std::string path;
  std::vector<std::string> args;  // argv[1..]
  std::vector<std::string> env;
  bool as_user = false;  // else as the daemon's own user (root)
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  int stdout_fd = -1;        // -1: capture into ProgramOutcome::output
  int stderr_fd = -1;        // -1: /dev/null
  unsigned timeout_s = 300;  // then SIGKILL
};

struct ProgramOutcome {
  int wait_status = 0;
  bool timed_out = false;
  std::string output;  // first 64 KiB of stdout when captured
  bool ok() const;     // exited 0 in time
};

// InternalError when the program could not be started at all.
absl::StatusOr<ProgramOutcome> RunProgram(const ProgramRun& run);

}  // namespace sluice::node
