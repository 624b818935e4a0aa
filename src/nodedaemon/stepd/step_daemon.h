// sluice-stepd's whole life for one batch job, as slurmstepd is for Slurm:
// it runs the Prolog, creates the job's cgroup, starts the batch script as
// the user, owns every process the job makes (cgroup membership plus
// PR_SET_CHILD_SUBREAPER, so setsid and double-forks still come back to it),
// delivers signals and cancellations the node daemon sends over its control
// socket, kills what is left when the script ends, runs TaskEpilog and
// Epilog, and writes the job's result to `status` before exiting. It never
// depends on the node daemon being alive. Owns its io_context's handlers;
// single-threaded (everything runs on the caller of Run()).
#pragma once

#include <sys/resource.h>

#include <sys/types.h>

#include <utility>  // before asio: Boost 1.74 uses std::exchange unincluded
#include <boost/asio.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/auth.h"
#include "nodedaemon/core/step_files.h"
#include "nodedaemon/launch/cgroup.h"
#include "nodedaemon/launch/launcher.h"
#include "nodedaemon/stepd/step_io.h"

namespace sluice::node {

class StepDaemon {
 public:
  // `cgroups` may be null (no usable hierarchy); not owned. `auth` signs the
  // hello a step's supervisor sends srun (steps only; may be null for the
  // batch step).
  StepDaemon(StepSpec spec, std::string job_dir, CgroupManager* cgroups,
             Launcher* launcher, common::Authenticator* auth = nullptr);
  // Runs the job to its end; returns when `status` is written.
  void Run();
  const StepResult& result() const { return result_; }

 private:
  enum class Mode { kAll, kBatch };
  std::vector<std::string> PrologEnv() const;
  bool RunPrologEpilog(const std::string& path, const char* context);
  void CreateCgroup();
  void Launch();
  // srun steps (step_tasks.cc): tasks with pipes or a pty, I/O to srun.
  void LaunchTasks();
  std::vector<std::string> TaskEnv(uint32_t task, uint32_t local) const;
  // `base` without the variables `set` names, then `set`: each variable
  // once, this node's value winning (getenv() would take the first).
  static std::vector<std::string> Overlay(const std::vector<std::string>& base,
                                          const std::vector<std::string>& set);
  void OnSrunControl(const common::Frame& f);
  void Accept();
  std::string Command(const std::string& line);
  void ArmReaper();
  void Reap();
  std::vector<pid_t> JobPids() const;
  void SignalJob(int sig, Mode mode);
  void Terminate(bool timeout, unsigned kill_wait_s, int64_t when);
  void BeginTeardown();
  void TeardownPoll();
  void Finish();

  StepSpec spec_;
  std::string dir_;
  CgroupManager* cgroups_;
  Launcher* launcher_;
  common::Authenticator* auth_;
  std::map<pid_t, uint32_t> tasks_;  // a step's task processes -> task ids
  // Usage: what the stepd's children had used before the job's processes
  // started (the Prolog's share), and each task's peak RSS from wait4.
  struct rusage usage_base_ {};
  std::map<uint32_t, uint64_t> task_rss_kb_;
  uint64_t reaped_max_rss_kb_ = 0;  // the largest peak of any process reaped
  // Each task's CPU time from wait4, and its largest sampled virtual size
  // (the task and its descendants; the batch script's tree: task 0).
  std::map<uint32_t, int64_t> task_cpu_usec_;
  std::map<uint32_t, uint64_t> task_vm_kb_;
  // (step_usage.cc)
  void MarkUsageBase();
  void ArmSampler(std::chrono::seconds after);  // sizes, every JobAcctGatherFrequency
  void SampleSizes();
  void MeasureUsage();  // once every process is gone, before TaskEpilog
  int pty_master_ = -1;
  std::unique_ptr<StepIo> step_io_;
  std::unique_ptr<JobCgroup> cgroup_;
  std::string err_path_;
  pid_t leader_ = -1;
  bool leader_done_ = false;
  uint64_t oom_seen_ = 0;  // a step's oom-kill events already reported to srun
  bool tearing_down_ = false;
  std::chrono::steady_clock::time_point kill_deadline_;
  StepResult result_;
  boost::asio::io_context io_;
  boost::asio::signal_set sigchld_{io_, SIGCHLD};
  boost::asio::signal_set sigterm_{io_, SIGTERM, SIGINT};
  boost::asio::local::stream_protocol::acceptor acceptor_{io_};
  boost::asio::steady_timer kill_wait_timer_{io_};
  boost::asio::steady_timer teardown_timer_{io_};
  boost::asio::steady_timer sample_timer_{io_};
};

// The job's supplementary groups: the node daemon's answer from the spec,
// else (a spec written before it did that) a lookup here.
std::vector<gid_t> JobGroups(const BatchJob& j);

}  // namespace sluice::node
