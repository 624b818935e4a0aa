// Starting a job's batch process. The process implementation forks, moves
// the child into the job's cgroup, drops to the submitting user (setgroups,
// setgid, setuid) before it opens any job file, runs the TaskProlog as that
// user, and execs. Used by sluice-stepd, which is single-threaded: without
// a TaskProlog the child is a vfork-style clone sharing its memory, with one
// a fork that may allocate before exec. Not thread-safe.
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
  std::vector<std::string> cgroup_procs;  // files to write "0" to, as root
  std::string task_prolog;  // TaskProlog, run as the user before the script
  // srun tasks: argv[1..] after `program` (searched in the task's PATH when
  // not absolute), and descriptors the parent prepared instead of files
  // (pipes, or a pty's slave which also becomes the controlling terminal).
  std::vector<std::string> args;
  int in_fd = -1, out_fd = -1, err_fd = -1;
  bool controlling_tty = false;
  std::string node_name;  // for "slurmstepd-<node>: error: execve(): ..." messages
  std::vector<uint32_t> cpu_affinity;  // srun --cpu-bind: the task's CPUs; empty: unbound
};

// A failed Launch's status carries the child's errno under this payload
// URL (a task that cannot be executed exits with it, as in Slurm).
inline constexpr char kErrnoPayload[] = "sluice/errno";

// TaskProlog output: "export NAME=value", "unset NAME" change the task's
// environment; "print text" writes text to the task's standard output.
void ApplyTaskPrologOutput(const std::string& output,
                           std::vector<std::string>* env, std::string* print);

class Launcher {
 public:
  virtual ~Launcher() = default;
  // Returns the pid of the job's leader (also its process group and session
  // leader). FailedPrecondition when the files cannot be opened as the user
  // or the program cannot be executed; the process is then already gone.
  virtual absl::StatusOr<pid_t> Launch(const LaunchSpec& spec) = 0;
  // Appends `text` to `path` as the user (never creates it).
  virtual void AppendAsUser(uid_t uid, gid_t gid, const std::string& path,
                            const std::string& text) = 0;
};

std::unique_ptr<Launcher> MakeProcessLauncher();

}  // namespace sluice::node
