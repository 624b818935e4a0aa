// The node daemon's jobs, each run by its own sluice-stepd: writes the
// job's spool directory (script, spec), starts the stepd, forwards signals
// and cancellations to it, reads its result when it exits, and keeps each
// job's end until the controller acknowledges it. Recover() rebuilds all of
// this from the spool directory after a restart, so jobs outlive the daemon.
// Owns nothing but its bookkeeping; the StepdControl outlives it. Not
// thread-safe: called from the node daemon's strand.
#pragma once

#include <sys/types.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/statusor.h"
#include "nodedaemon/launch/job_pids.h"
#include "nodedaemon/core/step_files.h"
#include "nodedaemon/launch/stepd_control.h"

namespace sluice::node {

struct EndedJob {
  uint64_t id = 0;
  StepResult result;
};

enum class KillKind { kSignal, kCancel, kTimeout };
// Which of the job's processes a plain signal reaches.
enum class SignalScope { kAll, kBatchShell };

struct SupervisorOptions {
  std::string node_name;  // "n1": used in messages and SLURMD_NODENAME
  std::string hostname;   // short host name, for %N
  std::string spool_dir;  // job files live in <spool>/job<N>/
  std::string conf_path;  // exported as SLURM_CONF
  uint32_t cpu_count = 1;           // CPUs handed out for cpuset binding
  std::vector<uint32_t> all_gpus;   // device minor of each GPU, by index
  std::string prolog, epilog, task_prolog, task_epilog;
  uint32_t unkillable_timeout_s = 60;
  uint32_t acct_gather_s = 30;  // JobAcctGatherFrequency's task interval
  common::CgroupConf cgroup;
};

class JobSupervisor {
 public:
  JobSupervisor(SupervisorOptions opts, StepdControl* stepds);

  // Device minors of the node's GPUs, by index, once the probe knows them.
  void SetGpuMinors(std::vector<uint32_t> minors) { opts_.all_gpus = std::move(minors); }
  // Jobs found in the spool directory: running ones (with their stepd pid,
  // returned so the caller can watch them) and ended ones awaiting an ack.
  std::vector<std::pair<uint64_t, pid_t>> Recover();
  // The stepd's pid. FailedPrecondition when the job could not start (it is
  // then already recorded as ended with launch_failed).
  absl::StatusOr<pid_t> Launch(const BatchJob& job);
  // `step` >= 0: that step only; -1: the batch step and, for cancel, time
  // limit and kill (or with `every_step`: suspend, resume), every step of
  // the job too.
  void Signal(uint64_t id, KillKind kind, int sig, SignalScope scope,
              uint32_t kill_wait_s, int64_t now, int32_t step = -1,
              bool every_step = false);
  // SIGKILL whatever is left of the job.
  void Kill(uint64_t id);
  // scontrol notify: `text` on the job's batch script's stderr, or where it
  // runs no script here, on its steps' (srun's).
  void Notify(uint64_t id, const std::string& text);
  // The job's stepd exited: its result is read from the spool directory.
  void OnStepdExit(uint64_t id);
  // Running jobs whose stepd is gone without us hearing (a missed exit).
  void CheckAlive();
  // Commands for stepds that had not opened their socket yet (one just
  // started): FlushPending() retries them, in order; a stepd's lines go
  // when it exits. The caller retries while HasPending().
  bool HasPending() const { return !pending_.empty(); }
  void FlushPending();

  // srun steps: each has its own stepd; the controller does not hear of
  // them from here (srun does). FailedPrecondition when it cannot start.
  // `job` is the job's allocation on this node: the step's cgroup nests in
  // the job's, and the step's CPUs are chosen among the job's.
  struct JobShare {
    uint32_t cpus = 0;
    uint64_t mem_mb = 0;
    std::vector<uint32_t> gpus;  // indices
  };
  absl::StatusOr<pid_t> LaunchStep(const StepSpec& spec, const JobShare& job);
  void OnStepExit(uint64_t job, uint32_t step);
  // Steps that ended, for the controller (which frees their CPUs); cleared
  // once a report carrying them succeeds.
  // A step whose stepd exited, with what it measured (from its status file).
  struct EndedStep {
    uint64_t job = 0;
    uint32_t step = 0;
    StepResult::Usage usage;
  };
  const std::vector<EndedStep>& EndedSteps() const { return ended_steps_; }
  void AckSteps(size_t n) { ended_steps_.erase(ended_steps_.begin(), ended_steps_.begin() + std::min(n, ended_steps_.size())); }
  // Steps found in the spool directory with a live stepd (call after Recover).
  std::vector<std::tuple<uint64_t, uint32_t, pid_t>> RecoverSteps();

  std::vector<uint64_t> Running() const;
  // The stepds here (all jobs' when `job` is 0): by job, its batch step
  // first, then its steps by number (scontrol listpids).
  std::vector<StepdOf> Stepds(uint64_t job) const;
  // The CPUs each job holds on this node: its batch script's, or those its
  // steps share where the batch script runs elsewhere.
  std::map<uint64_t, std::vector<uint32_t>> JobCpus() const;
  // GPU index -> job id, for telemetry.
  std::map<uint32_t, uint64_t> GpuOwners() const;
  const std::vector<EndedJob>& Ended() const { return ended_; }
  void Ack(const std::vector<uint64_t>& ids);
  // The controller's list of jobs placed on this node (job -> CPUs here):
  // a job without its batch script here gets its CPUs picked now (a
  // multi-node job's other nodes), so that JobCpus reports them and its
  // steps share them; one no longer listed and without steps gives them
  // back. True when that changed what JobCpus reports.
  bool Reconcile(const std::map<uint64_t, uint32_t>& allocations);

 private:
  struct RunningJob {
    pid_t stepd = 0;
    std::vector<uint32_t> cpus;
    std::vector<uint32_t> gpus;
  };
  std::vector<uint32_t> PickCpus(uint32_t n) const;
  // `n` of the job's CPUs, those its other steps use least first.
  std::vector<uint32_t> PickStepCpus(uint64_t job, const std::vector<uint32_t>& job_cpus,
                                     uint32_t n) const;
  std::vector<uint32_t> Minors(const std::vector<uint32_t>& gpus) const;
  void FillNodeSide(StepSpec* spec) const;
  absl::Status WriteJobFiles(const StepSpec& spec, const std::string& script,
                             const std::string& dir);
  void EndWith(uint64_t id, StepResult r);
  // Sends `line` to the stepd of `dir`, or queues it behind earlier lines
  // when that stepd does not listen yet.
  void Deliver(const std::string& dir, const std::string& line);

  SupervisorOptions opts_;
  StepdControl* stepds_;
  std::map<uint64_t, RunningJob> running_;
  struct StepProc {
    pid_t stepd = 0;
    std::vector<uint32_t> cpus;
  };
  std::map<std::pair<uint64_t, uint32_t>, StepProc> steps_;  // (job, step)
  // The cpuset of jobs running here with steps but no batch step (srun and
  // salloc allocations); it goes with their last step.
  std::map<uint64_t, std::vector<uint32_t>> step_only_jobs_;
  std::set<uint64_t> allocated_;  // the controller's list, as last given
  std::vector<EndedStep> ended_steps_;
  std::vector<EndedJob> ended_;
  std::map<std::string, std::vector<std::string>> pending_;  // stepd dir -> lines
};

}  // namespace sluice::node
