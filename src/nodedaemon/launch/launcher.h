// Starting and signalling job processes. The process implementation forks,
// drops to the submitting user (setgroups, setgid, setuid) before it opens
// any job file, and execs; a fake records calls for tests. Called from the
// node daemon's strand only; not thread-safe.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace sluice::node {

struct LaunchSpec {
  uint64_t job_id = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups, resolved by the caller
  std::string program;        // absolute path, executed with argv {program}
  std::vector<std::string> env;
  std::string cwd;
  std::string std_in;         // absolute paths, patterns already expanded
  std::string std_out;
  std::string std_err;
  bool append_output = false;  // keep existing output (--open-mode=append)
};

class Launcher {
 public:
  virtual ~Launcher() = default;
  // Returns the pid of the job's leader (also its process group and session
  // leader). FailedPrecondition when the files cannot be opened as the user
  // or the program cannot be executed; the process is then already gone.
  virtual absl::StatusOr<pid_t> Launch(const LaunchSpec& spec) = 0;
  // Signals the leader only, or the leader's whole process tree.
  virtual void Signal(pid_t leader, int sig, bool tree) = 0;
  // Appends `text` to `path` as the user (never creates it).
  virtual void AppendAsUser(uid_t uid, gid_t gid, const std::string& path,
                            const std::string& text) = 0;
};

std::unique_ptr<Launcher> MakeProcessLauncher();

}  // namespace sluice::node
