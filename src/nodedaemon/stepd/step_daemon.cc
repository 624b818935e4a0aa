#include "nodedaemon/stepd/step_daemon.h"
#include "nodedaemon/stepd/step_log.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/output_pattern.h"
#include "common/time_spec.h"
#include "common/users.h"
#include "nodedaemon/launch/programs.h"

namespace sluice::node {
namespace asio = boost::asio;
using Local = asio::local::stream_protocol;

StepDaemon::StepDaemon(StepSpec spec, std::string job_dir,
                       CgroupManager* cgroups, Launcher* launcher,
                       common::Authenticator* auth)
    : spec_(std::move(spec)),
      dir_(std::move(job_dir)),
      cgroups_(cgroups),
      launcher_(launcher),
      auth_(auth) {}

std::vector<std::string> StepDaemon::PrologEnv() const {
  const BatchJob& j = spec_.job;
  std::vector<std::string> env = {
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      absl::StrCat("SLURM_JOB_ID=", j.id),
      absl::StrCat("SLURM_JOBID=", j.id),
      absl::StrCat("SLURM_JOB_USER=", j.user),
      absl::StrCat("SLURM_JOB_UID=", j.uid),
      absl::StrCat("SLURM_JOB_GID=", j.gid),
      absl::StrCat("SLURM_JOB_NAME=", j.job_name),
      absl::StrCat("SLURM_JOB_PARTITION=", j.partition),
      absl::StrCat("SLURM_JOB_NODELIST=", j.node_list),
      absl::StrCat("SLURMD_NODENAME=", spec_.node_name),
      absl::StrCat("SLURM_CONF=", spec_.conf_path)};
  if (!j.gpus.empty()) {
    std::string ids = absl::StrJoin(j.gpus, ",");
    env.push_back("CUDA_VISIBLE_DEVICES=" + ids);
    env.push_back("SLURM_JOB_GPUS=" + ids);
  }
  return env;
}

// Prolog and Epilog run as root; a failure is reported, never hidden.
bool StepDaemon::RunPrologEpilog(const std::string& path, const char* context) {
  if (path.empty()) return true;
  ProgramRun run;
  run.path = path;
  run.env = PrologEnv();
  run.env.push_back(absl::StrCat("SLURM_SCRIPT_CONTEXT=", context));
  auto r = RunProgram(run);
  if (r.ok() && r->ok()) return true;
  std::string why = !r.ok() ? std::string(r.status().message())
                    : r->timed_out ? "timed out"
                                   : absl::StrCat("status ", r->wait_status);
  StepLog("error", "job %d: %s %s failed: %s", spec_.job.id, context, path, why);
  return false;
}

void StepDaemon::Run() {
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  ArmReaper();
  // SIGTERM (sluice-local down, a node shutdown): end the job now.
  sigterm_.async_wait([this](const boost::system::error_code& ec, int) {
    if (!ec) SignalJob(SIGKILL, Mode::kAll);
  });
  std::string sock = dir_ + "/stepd.sock";
  ::unlink(sock.c_str());
  boost::system::error_code ec;
  acceptor_.open(Local(), ec);
  if (!ec) acceptor_.bind(Local::endpoint(sock), ec);
  if (!ec) acceptor_.listen(16, ec);
  if (ec) StepLog("error", "job %d: control socket %s: %s", spec_.job.id, sock, ec.message());
  ::chmod(sock.c_str(), 0600);
  if (!ec) Accept();

  if (spec_.step >= 0) {
    LaunchTasks();
    if (!tasks_.empty() || step_io_) io_.run();
    return;
  }
  if (!RunPrologEpilog(spec_.prolog, "prolog_slurmd")) {
    result_.prolog_failed = true;
    result_.exit_code = 1;
    result_.message = "Prolog error";
    Finish();
    return;
  }
  Launch();
  if (leader_ < 0) {
    Finish();
    return;
  }
  io_.run();
}

void StepDaemon::CreateCgroup() {
  const BatchJob& j = spec_.job;
  if (cgroups_) {
    CgroupLimits lim;
    lim.cpus = spec_.cpu_ids;
    lim.mem_bytes = j.mem_mb * 1024 * 1024;
    lim.gpu_minors = spec_.gpu_minors;
    lim.all_gpu_minors = spec_.all_gpus;
    std::string spool = dir_.substr(0, dir_.rfind('/'));
    std::vector<CgroupManager::Level> levels;
    if (spec_.step < 0) {
      levels.push_back({absl::StrCat("job_", j.id), lim});
    } else {
      // An srun step lives inside its job's cgroup, which holds the job's
      // allocation on this node; the step's own share nests below.
      CgroupLimits job_lim;
      job_lim.cpus = spec_.job_cpu_ids;
      job_lim.mem_bytes = spec_.job_mem_mb * 1024 * 1024;
      job_lim.gpu_minors = spec_.job_gpu_minors;
      job_lim.all_gpu_minors = spec_.all_gpus;
      levels.push_back({absl::StrCat("job_", j.id), job_lim});
      levels.push_back({absl::StrCat("step_", spec_.step), lim});
    }
    auto cg = cgroups_->Create(CgroupScope(spec_.node_name, spool), levels);
    if (cg.ok()) {
      cgroup_ = std::move(*cg);
    } else {
      StepLog("warn", "job %d: no cgroup (%s); tracking by parentage only", j.id,
                   std::string(cg.status().message()));
    }
  }
}

std::vector<gid_t> JobGroups(const BatchJob& j) {
  return j.groups.empty() ? common::GroupsOf(j.user, j.gid) : j.groups;
}

void StepDaemon::Launch() {
  const BatchJob& j = spec_.job;
  CreateCgroup();
  MarkUsageBase();
  common::OutputPatternVars vars{j.id, j.job_name, j.user, spec_.hostname};
  LaunchSpec ls;
  ls.job_id = j.id;
  ls.uid = j.uid;
  ls.gid = j.gid;
  ls.groups = JobGroups(j);
  ls.program = dir_ + "/slurm_script";
  ls.args = j.script_args;
  // This node's configuration in place of the submitter's SLURM_CONF.
  ls.env = Overlay(j.env, {absl::StrCat("SLURM_CONF=", spec_.conf_path)});
  ls.cwd = j.work_dir;
  ls.append_output = j.append_output;
  ls.std_in = common::ExpandOutputPattern(j.std_in, vars);
  ls.std_out = common::ExpandOutputPattern(j.std_out, vars);
  ls.std_err = common::ExpandOutputPattern(j.std_err, vars);
  ls.task_prolog = spec_.task_prolog;
  if (cgroup_) ls.cgroup_procs = cgroup_->ProcsFiles();
  err_path_ = ls.std_err;
  auto pid = launcher_->Launch(ls);
  if (!pid.ok()) {
    result_.launch_failed = true;
    result_.exit_code = 1;
    result_.message = std::string(pid.status().message());
    if (cgroup_) cgroup_->Remove();
    return;
  }
  leader_ = *pid;
}

void StepDaemon::Accept() {
  auto conn = std::make_shared<Local::socket>(io_);
  acceptor_.async_accept(*conn, [this, conn](const boost::system::error_code& ec) {
    if (ec) return;
    auto buf = std::make_shared<asio::streambuf>();
    asio::async_read_until(
        *conn, *buf, '\n',
        [this, conn, buf](const boost::system::error_code& rec, size_t) {
          if (rec) return;
          std::istream in(buf.get());
          std::string line;
          std::getline(in, line);
          auto reply = std::make_shared<std::string>(Command(line) + "\n");
          asio::async_write(*conn, asio::buffer(*reply),
                            [conn, reply](const boost::system::error_code&, size_t) {});
        });
    Accept();
  });
}

// "signal SIG all|batch", "terminate cancel|timeout KILLWAIT WHEN",
// "kill", "ping", "notify TEXT".
std::string StepDaemon::Command(const std::string& line) {
  if (line.rfind("notify ", 0) == 0) {
    // As slurmstepd: on srun's stderr for a step, in the script's error
    // file for a batch job (opened as the job's user).
    std::string msg = absl::StrCat("slurmstepd-", spec_.node_name, ": error: ", line.substr(7), "\n");
    if (step_io_) step_io_->Message(msg);
    else if (!err_path_.empty()) launcher_->AppendAsUser(spec_.job.uid, spec_.job.gid, err_path_, msg);
    return "ok";
  }
  std::vector<std::string> w = absl::StrSplit(line, ' ', absl::SkipEmpty());
  if (w.empty()) return "error empty command";
  if (w[0] == "ping") return "ok";
  if (w[0] == "signal" && w.size() == 3) {
    int sig = 0;
    if (!absl::SimpleAtoi(w[1], &sig) || sig <= 0 || sig >= NSIG) return "error bad signal";
    Mode m = w[2] == "batch" ? Mode::kBatch : Mode::kAll;
    SignalJob(sig, m);
    return "ok";
  }
  if (w[0] == "terminate" && w.size() == 4) {
    unsigned kill_wait = 30;
    int64_t when = 0;
    (void)absl::SimpleAtoi(w[2], &kill_wait);
    (void)absl::SimpleAtoi(w[3], &when);
    Terminate(w[1] == "timeout", kill_wait, when);
    return "ok";
  }
  if (w[0] == "kill") {
    SignalJob(SIGKILL, Mode::kAll);
    return "ok";
  }
  return "error unknown command";
}

void StepDaemon::ArmReaper() {
  sigchld_.async_wait([this](const boost::system::error_code& ec, int) {
    if (ec) return;
    Reap();
    ArmReaper();
  });
}

// Reaps the script and every orphan that was reparented to us.
void StepDaemon::Reap() {
  for (;;) {
    int status = 0;
    struct rusage ru {};
    pid_t pid = wait4(-1, &status, WNOHANG, &ru);
    if (pid <= 0) break;
    reaped_max_rss_kb_ = std::max<uint64_t>(reaped_max_rss_kb_, static_cast<uint64_t>(ru.ru_maxrss));
    if (auto t = tasks_.find(pid); t != tasks_.end()) {
      task_rss_kb_[t->second] = static_cast<uint64_t>(ru.ru_maxrss);
      task_cpu_usec_[t->second] = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * int64_t{1000000} +
                                  ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
      // A task SIGKILLed while the step's cgroup counts new oom-kill events
      // was the out-of-memory handler's: Slurm's line, and srun says so.
      bool oom = false;
      if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && cgroup_)
        if (uint64_t kills = cgroup_->OomKills(); kills > oom_seen_) {
          oom = true;
          result_.oom = true;
          if (step_io_)
            step_io_->Message(absl::StrCat(
                "slurmstepd: error: Detected ", kills - oom_seen_, " oom-kill event(s) in StepId=",
                spec_.job.id, ".", spec_.step,
                ". Some of your processes may have been killed by the cgroup out-of-memory "
                "handler.\n"));
          oom_seen_ = kills;
        }
      if (step_io_) step_io_->TaskExited(t->second, status, oom);
      tasks_.erase(t);  // its pid may be reused: never signal it again
      continue;
    }
    if (pid == leader_ && !leader_done_) {
      leader_done_ = true;
      if (WIFEXITED(status)) result_.exit_code = WEXITSTATUS(status);
      if (WIFSIGNALED(status)) result_.signal = WTERMSIG(status);
      BeginTeardown();
    }
  }
}

std::vector<pid_t> StepDaemon::JobPids() const {
  std::set<pid_t> all;
  if (cgroup_)
    for (pid_t p : cgroup_->Pids()) all.insert(p);
  for (pid_t p : Descendants(getpid())) all.insert(p);
  all.erase(getpid());
  std::vector<pid_t> out;
  for (pid_t p : all)
    if (ProcessAlive(p)) out.push_back(p);
  return out;
}

void StepDaemon::SignalJob(int sig, Mode mode) {
  if (mode == Mode::kBatch && spec_.step < 0) {
    if (!leader_done_) ::kill(leader_, sig);
    return;
  }
  if (mode == Mode::kBatch) {  // a step's tasks themselves, not their children
    for (const auto& [pid, task] : tasks_) ::kill(pid, sig);
    return;
  }
  // A process forked between the listing and the signal would escape it;
  // a stop or kill looks again until no new process turns up.
  std::set<pid_t> done;
  for (int round = 0; round < 20; ++round) {
    bool fresh = false;
    for (pid_t p : JobPids())
      if (done.insert(p).second) {
        ::kill(p, sig);
        fresh = true;
      }
    if (!fresh || (sig != SIGSTOP && sig != SIGKILL)) break;
  }
}

void StepDaemon::Terminate(bool timeout, unsigned kill_wait_s, int64_t when) {
  const std::string& node = spec_.node_name;
  std::string what = spec_.step < 0 ? absl::StrCat("JOB ", spec_.job.id)
                                    : absl::StrCat("STEP ", spec_.job.id, ".", spec_.step);
  std::string msg = absl::StrCat(
      "slurmstepd-", node, ": error: *** ", what, " ON ", node,
      " CANCELLED AT ", common::FormatTimestamp(when),
      timeout ? " DUE TO TIME LIMIT" : "", " ***\n");
  if (step_io_) step_io_->Message(msg);
  if (!err_path_.empty())
    launcher_->AppendAsUser(spec_.job.uid, spec_.job.gid, err_path_, msg);
  SignalJob(SIGCONT, Mode::kAll);
  SignalJob(SIGTERM, Mode::kAll);
  kill_wait_timer_.expires_after(std::chrono::seconds(kill_wait_s));
  kill_wait_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) SignalJob(SIGKILL, Mode::kAll);
  });
}

// The script is gone: nothing it started may outlive it.
void StepDaemon::BeginTeardown() {
  sample_timer_.cancel();  // (the sizes are what they were)
  if (tearing_down_) return;
  tearing_down_ = true;
  kill_wait_timer_.cancel();
  kill_deadline_ = std::chrono::steady_clock::now() +
                   std::chrono::seconds(spec_.unkillable_timeout_s);
  TeardownPoll();
}

namespace {
// As a child subreaper, every live descendant of the job is a child of ours
// or below one: no children means nothing is left (no /proc scan needed).
bool HasChildren() {
  siginfo_t info{};
  return waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) == 0;
}
}  // namespace

void StepDaemon::TeardownPoll() {
  Reap();
  std::vector<pid_t> left;
  if (HasChildren() || (cgroup_ && !cgroup_->Pids().empty())) left = JobPids();
  if (!left.empty() && std::chrono::steady_clock::now() < kill_deadline_) {
    for (pid_t p : left) ::kill(p, SIGKILL);
    teardown_timer_.expires_after(std::chrono::milliseconds(20));
    teardown_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) TeardownPoll();
    });
    return;
  }
  if (!left.empty()) {
    result_.unkillable = true;
    StepLog("error", "job %d: %d process(es) survived SIGKILL for %d s", spec_.job.id,
                  left.size(), spec_.unkillable_timeout_s);
  }
  MeasureUsage();
  if (uint64_t kills = cgroup_ ? cgroup_->OomKills() : 0; kills > 0) {
    result_.oom = true;
    if (!err_path_.empty())
      launcher_->AppendAsUser(
          spec_.job.uid, spec_.job.gid, err_path_,
          absl::StrCat("slurmstepd: error: Detected ", kills,
                       " oom-kill event(s) in StepId=", spec_.job.id,
                       ".batch. Some of your processes may have been killed by "
                       "the cgroup out-of-memory handler.\n"));
  }
  if (!spec_.task_epilog.empty()) {
    ProgramRun te;
    te.path = spec_.task_epilog;
    te.env = spec_.job.env;
    te.as_user = true;
    te.uid = spec_.job.uid;
    te.gid = spec_.job.gid;
    te.groups = JobGroups(spec_.job);
    (void)RunProgram(te);
  }
  Finish();
}

void StepDaemon::Finish() {
  sample_timer_.cancel();
  if (spec_.step < 0 && !RunPrologEpilog(spec_.epilog, "epilog_slurmd"))
    result_.epilog_failed = true;
  if (cgroup_) {
    if (result_.unkillable) {
      StepLog("warn", "job %d: cgroup left in place: processes remain", spec_.job.id);
    } else {
      cgroup_->Remove();
    }
  }
  if (auto s = WriteFileAtomic(dir_ + "/status", EncodeStepResult(result_), 0644); !s.ok())
    StepLog("critical", "job %d: %s", spec_.job.id, std::string(s.message()));
  boost::system::error_code ec;
  acceptor_.close(ec);
  ::unlink((dir_ + "/stepd.sock").c_str());
  if (step_io_) {
    step_io_->Flush([this] { io_.stop(); });  // every frame reaches srun first
    return;
  }
  io_.stop();
}

}  // namespace sluice::node
