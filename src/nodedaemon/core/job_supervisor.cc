#include "nodedaemon/core/job_supervisor.h"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/output_pattern.h"
#include "common/time_spec.h"
#include "common/users.h"

namespace sluice::node {

JobSupervisor::JobSupervisor(SupervisorOptions opts, Launcher* launcher)
    : opts_(std::move(opts)), launcher_(launcher) {}

std::string JobSupervisor::WriteScript(const BatchJob& job,
                                       std::string* error) {
  std::string dir = absl::StrCat(opts_.spool_dir, "/job", job.id);
  std::string path = dir + "/slurm_script";
  ::mkdir(dir.c_str(), 0700);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
                                    O_NOFOLLOW, 0700);
  if (fd < 0) {
    *error = absl::StrCat("cannot write ", path, ": ", strerror(errno));
    return "";
  }
  size_t off = 0;
  while (off < job.script.size()) {
    ssize_t n = ::write(fd, job.script.data() + off, job.script.size() - off);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  ::close(fd);
  if (geteuid() == 0) {
    // The job reads its script after dropping privileges.
    if (::chown(dir.c_str(), job.uid, job.gid) != 0 ||
        ::chown(path.c_str(), job.uid, job.gid) != 0) {
      *error = absl::StrCat("cannot chown ", path, ": ", strerror(errno));
      return "";
    }
  }
  return path;
}

absl::Status JobSupervisor::Launch(const BatchJob& job, int64_t /*now*/) {
  if (running_.count(job.id)) return absl::OkStatus();  // duplicate request
  auto fail = [&](const std::string& msg) {
    ended_.push_back({job.id, 1, 0, true, msg});
    return absl::FailedPreconditionError(msg);
  };
  std::string error;
  std::string script = WriteScript(job, &error);
  if (script.empty()) return fail(error);

  common::OutputPatternVars vars{job.id, job.job_name, job.user,
                                 opts_.hostname};
  LaunchSpec spec;
  spec.job_id = job.id;
  spec.uid = job.uid;
  spec.gid = job.gid;
  spec.groups = common::GroupsOf(job.user, job.gid);
  spec.program = script;
  spec.env = job.env;
  spec.env.push_back(absl::StrCat("SLURM_CONF=", opts_.conf_path));
  spec.cwd = job.work_dir;
  spec.append_output = job.append_output;
  spec.std_in = common::ExpandOutputPattern(job.std_in, vars);
  spec.std_out = common::ExpandOutputPattern(job.std_out, vars);
  spec.std_err = common::ExpandOutputPattern(job.std_err, vars);
  auto pid = launcher_->Launch(spec);
  if (!pid.ok()) return fail(std::string(pid.status().message()));
  running_[job.id] = {job, *pid, spec.std_err};
  return absl::OkStatus();
}

bool JobSupervisor::Signal(uint64_t id, KillKind kind, int sig,
                           bool batch_only, int64_t now) {
  auto it = running_.find(id);
  if (it == running_.end()) return false;
  RunningJob& r = it->second;
  if (kind == KillKind::kSignal) {
    launcher_->Signal(r.pid, sig, !batch_only);
    return false;
  }
  std::string msg = absl::StrCat(
      "slurmstepd-", opts_.node_name, ": error: *** JOB ", id, " ON ",
      opts_.node_name, " CANCELLED AT ", common::FormatTimestamp(now),
      kind == KillKind::kTimeout ? " DUE TO TIME LIMIT" : "", " ***\n");
  launcher_->AppendAsUser(r.job.uid, r.job.gid, r.err_path, msg);
  launcher_->Signal(r.pid, SIGCONT, true);
  launcher_->Signal(r.pid, SIGTERM, true);
  return true;
}

void JobSupervisor::Escalate(uint64_t id) {
  auto it = running_.find(id);
  if (it != running_.end()) launcher_->Signal(it->second.pid, SIGKILL, true);
}

void JobSupervisor::OnExit(pid_t pid, int wait_status) {
  for (auto it = running_.begin(); it != running_.end(); ++it) {
    if (it->second.pid != pid) continue;
    EndedJob e;
    e.id = it->first;
    if (WIFEXITED(wait_status)) e.exit_code = WEXITSTATUS(wait_status);
    if (WIFSIGNALED(wait_status)) e.signal = WTERMSIG(wait_status);
    // Whatever the script left behind in its process group goes too.
    launcher_->Signal(-pid, SIGKILL, false);  // the process group
    ended_.push_back(std::move(e));
    running_.erase(it);
    return;
  }
}

std::vector<uint64_t> JobSupervisor::Running() const {
  std::vector<uint64_t> out;
  for (const auto& [id, r] : running_) out.push_back(id);
  return out;
}

void JobSupervisor::Ack(const std::vector<uint64_t>& ids) {
  std::erase_if(ended_, [&](const EndedJob& e) {
    for (uint64_t id : ids)
      if (id == e.id) return true;
    return false;
  });
}

}  // namespace sluice::node
