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

#include <sys/types.h>

#include <utility>  // before asio: Boost 1.74 uses std::exchange unincluded
#include <boost/asio.hpp>
#include <memory>
#include <string>
#include <vector>

#include "nodedaemon/core/step_files.h"
#include "nodedaemon/launch/cgroup.h"
#include "nodedaemon/launch/launcher.h"

namespace sluice::node {

class StepDaemon {
 public:
  // `cgroups` may be null (no usable hierarchy); not owned.
  StepDaemon(StepSpec spec, std::string job_dir, CgroupManager* cgroups,
             Launcher* launcher);
  // Runs the job to its end; returns when `status` is written.
  void Run();
  const StepResult& result() const { return result_; }

 private:
  enum class Mode { kAll, kBatch, kChildren };
  std::vector<std::string> PrologEnv() const;
  bool RunPrologEpilog(const std::string& path, const char* context);
  void Launch();
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
  std::unique_ptr<JobCgroup> cgroup_;
  std::string err_path_;
  pid_t leader_ = -1;
  bool leader_done_ = false;
  bool tearing_down_ = false;
  std::chrono::steady_clock::time_point kill_deadline_;
  StepResult result_;
  boost::asio::io_context io_;
  boost::asio::signal_set sigchld_{io_, SIGCHLD};
  boost::asio::signal_set sigterm_{io_, SIGTERM, SIGINT};
  boost::asio::local::stream_protocol::acceptor acceptor_{io_};
  boost::asio::steady_timer kill_wait_timer_{io_};
  boost::asio::steady_timer teardown_timer_{io_};
};

}  // namespace sluice::node
