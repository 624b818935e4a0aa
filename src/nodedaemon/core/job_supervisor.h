// The node daemon's jobs: launches batch scripts through a Launcher, tracks
// their leaders, signals and kills them, and keeps each job's end until the
// controller acknowledges it (so a restart of the controller loses nothing).
// Owns nothing but its bookkeeping; the Launcher outlives it. Not
// thread-safe: called from the node daemon's strand, with `now` handed in.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "nodedaemon/launch/launcher.h"

namespace sluice::node {

struct BatchJob {
  uint64_t id = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string user;
  std::string job_name;
  std::string script;
  std::vector<std::string> env;
  std::string work_dir;
  std::string std_out;  // patterns (absolute), expanded here
  std::string std_err;
  std::string std_in;
  std::vector<uint32_t> gpus;
  bool append_output = false;
};

struct EndedJob {
  uint64_t id = 0;
  int exit_code = 0;
  int signal = 0;
  bool launch_failed = false;
  std::string message;
};

enum class KillKind { kSignal, kCancel, kTimeout };

struct SupervisorOptions {
  std::string node_name;  // "n1": used in messages and SLURMD_NODENAME
  std::string hostname;   // short host name, for %N
  std::string spool_dir;  // scripts live in <spool>/job<N>/slurm_script
  std::string conf_path;  // exported as SLURM_CONF
};

class JobSupervisor {
 public:
  JobSupervisor(SupervisorOptions opts, Launcher* launcher);

  // FailedPrecondition when the job could not start (the job is then
  // already recorded as ended with launch_failed).
  absl::Status Launch(const BatchJob& job, int64_t now);
  // kSignal delivers `sig` to the batch shell (batch_only) or its whole
  // tree; kCancel/kTimeout write Slurm's notice to the job's error file,
  // then SIGCONT+SIGTERM the tree. Returns true when the caller should call
  // Escalate() after KillWait.
  bool Signal(uint64_t id, KillKind kind, int sig, bool batch_only,
              int64_t now);
  // SIGKILL whatever is left of the job's tree.
  void Escalate(uint64_t id);
  // The leader exited (from waitpid). Unknown pids are ignored.
  void OnExit(pid_t pid, int wait_status);

  std::vector<uint64_t> Running() const;
  const std::vector<EndedJob>& Ended() const { return ended_; }
  void Ack(const std::vector<uint64_t>& ids);

 private:
  struct RunningJob {
    BatchJob job;
    pid_t pid = 0;
    std::string err_path;
  };
  std::string WriteScript(const BatchJob& job, std::string* error);

  SupervisorOptions opts_;
  Launcher* launcher_;
  std::map<uint64_t, RunningJob> running_;
  std::vector<EndedJob> ended_;
};

}  // namespace sluice::node
