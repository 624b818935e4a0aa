// StepDaemon's srun side: a step's tasks on this node, each with pipes (or
// one pty for --pty), their Slurm environment, and the I/O link to srun.
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <grp.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/cpu_bind.h"
#include "common/multi_prog.h"
#include "common/output_pattern.h"
#include "common/users.h"
#include "nodedaemon/stepd/step_daemon.h"
#include "nodedaemon/stepd/step_log.h"

namespace sluice::node {
namespace {

// Opens (creating, truncating) each path as the job's user: a child drops
// to the user first, so root never opens a job's file. The stepd is single
// threaded, so forking here is safe. Failures show when a task opens it.
void CreateFilesAsUser(uid_t uid, gid_t gid, const std::vector<gid_t>& groups,
                       const std::string& cwd, const std::set<std::string>& paths) {
  pid_t pid = fork();
  if (pid == 0) {
    if (setgroups(groups.size(), groups.data()) != 0 || setgid(gid) != 0 || setuid(uid) != 0 ||
        (uid != 0 && setuid(0) == 0))
      _exit(1);
    if (chdir(cwd.c_str()) != 0) _exit(1);
    for (const auto& p : paths) {
      int fd = open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd >= 0) close(fd);
    }
    _exit(0);
  }
  int status;
  if (pid > 0)
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
}

}  // namespace

// Per node and per task variables (the job's and the step's come from srun).
std::vector<std::string> StepDaemon::TaskEnv(uint32_t task, uint32_t local) const {
  const BatchJob& j = spec_.job;
  std::vector<std::string> set = {
      absl::StrCat("SLURMD_NODENAME=", spec_.node_name),
      absl::StrCat("SLURM_CONF=", spec_.conf_path),
      absl::StrCat("SLURM_CPUS_ON_NODE=", j.cpus),
      absl::StrCat("SLURM_GTIDS=", absl::StrJoin(spec_.tasks, ",")),
      absl::StrCat("SLURM_LOCALID=", local),
      absl::StrCat("SLURM_NODEID=", spec_.node_index),
      absl::StrCat("SLURM_PROCID=", task),
      absl::StrCat("SLURM_TOPOLOGY_ADDR=", spec_.node_name),
      "SLURM_TOPOLOGY_ADDR_PATTERN=node"};
  if (!j.gpus.empty()) {
    std::string ids = absl::StrJoin(j.gpus, ",");
    set.push_back("CUDA_VISIBLE_DEVICES=" + ids);
    set.push_back("GPU_DEVICE_ORDINAL=" + ids);
    set.push_back("SLURM_STEP_GPUS=" + ids);
    set.push_back(absl::StrCat("SLURM_GPUS_ON_NODE=", j.gpus.size()));
  }
  return Overlay(j.env, set);
}

std::vector<std::string> StepDaemon::Overlay(const std::vector<std::string>& base,
                                             const std::vector<std::string>& set) {
  std::set<std::string> keys;
  for (const auto& e : set) keys.insert(e.substr(0, e.find('=')));
  std::vector<std::string> env;
  env.reserve(base.size() + set.size());
  for (const auto& e : base)
    if (!keys.count(e.substr(0, e.find('=')))) env.push_back(e);
  env.insert(env.end(), set.begin(), set.end());
  return env;
}

void StepDaemon::LaunchTasks() {
  const BatchJob& j = spec_.job;
  MarkUsageBase();
  step_io_ = std::make_unique<StepIo>(io_);
  step_io_->on_control = [this](const common::Frame& f) { OnSrunControl(f); };
  step_io_->on_all_reported = [this] { BeginTeardown(); };
  std::string hello = spec_.node_name + "\n";
  if (auth_) {
    auto cred = auth_->Sign(
        common::IoCredentialPayload(j.id, static_cast<uint32_t>(spec_.step), spec_.node_name,
                                    spec_.io_key));
    if (cred.ok()) hello += *cred;
  }
  if (auto st = step_io_->Connect(spec_.io_address, hello); !st.ok()) {
    StepLog("error", "job %d step %d: %s", j.id, spec_.step, std::string(st.message()));
    step_io_.reset();
    result_.launch_failed = true;
    result_.message = std::string(st.message());
    Finish();
    return;
  }
  // The cgroup after the connection: srun checks our credential while we
  // make it (no task starts before either).
  CreateCgroup();
  auto groups = JobGroups(j);
  if (!j.std_out.empty() || !j.std_err.empty()) {
    // srun -o/-e FILE: each of this node's files exists, empty, when the
    // step starts, even for a task that writes nothing, as in Slurm.
    std::set<std::string> paths;
    for (uint32_t task : spec_.tasks)
      for (const std::string* p : {&j.std_out, &j.std_err})
        if (!p->empty())
          paths.insert(common::ExpandStepIoPattern(*p, j.id, static_cast<uint32_t>(spec_.step),
                                                   task, spec_.node_index, spec_.node_name));
    CreateFilesAsUser(j.uid, j.gid, groups, j.work_dir, paths);
  }
  for (uint32_t local = 0; local < spec_.tasks.size(); ++local) {
    uint32_t task = spec_.tasks[local];
    int out[2] = {-1, -1}, err[2] = {-1, -1}, in[2] = {-1, -1};
    int master = -1, slave = -1;
    if (spec_.pty && local == 0) {
      if (openpty(&master, &slave, nullptr, nullptr, nullptr) != 0) {
        step_io_->Message(absl::StrCat("slurmstepd-", spec_.node_name,
                                       ": error: openpty: ", strerror(errno), "\n"));
        step_io_->TaskExited(task, 1 << 8);
        continue;
      }
      fcntl(master, F_SETFD, FD_CLOEXEC);
    } else if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0 ||
               pipe2(in, O_CLOEXEC) != 0) {
      step_io_->TaskExited(task, 1 << 8);
      continue;
    }
    // Only task 0 reads srun's stdin unless --input=all.
    bool gets_stdin = master >= 0 || task == 0 || spec_.stdin_all;
    LaunchSpec ls;
    ls.job_id = j.id;
    ls.uid = j.uid;
    ls.gid = j.gid;
    ls.groups = groups;
    ls.program = spec_.argv[0];
    ls.args.assign(spec_.argv.begin() + 1, spec_.argv.end());
    if (!spec_.multi_prog.empty()) {
      // --multi-prog: this task's line of the file srun sent.
      auto lines = common::ParseMultiProg(spec_.multi_prog, spec_.argv[0], 0);
      auto argv = lines.ok() ? common::MultiProgArgv(*lines, task) : std::nullopt;
      if (!argv || argv->empty()) {
        step_io_->Message(absl::StrCat("srun: error: Configuration file ", spec_.argv[0],
                                       " invalid, no record for task id ", task, "\n"));
        step_io_->TaskExited(task, 1 << 8);
        for (int fd : {out[0], out[1], err[0], err[1], in[0], in[1], master, slave})
          if (fd >= 0) ::close(fd);
        continue;
      }
      ls.program = (*argv)[0];
      ls.args.assign(argv->begin() + 1, argv->end());
    }
    ls.env = TaskEnv(task, local);
    ls.cwd = j.work_dir;
    ls.node_name = spec_.node_name;
    if (!spec_.cpu_bind.empty())
      if (auto b = common::ParseCpuBind(spec_.cpu_bind); b.ok())
        ls.cpu_affinity = common::CpusForTask(*b, spec_.cpu_ids, local,
                                              static_cast<uint32_t>(spec_.tasks.size()));
    ls.task_prolog = spec_.task_prolog;
    if (cgroup_) ls.cgroup_procs = cgroup_->ProcsFiles();
    int devnull = -1;
    // srun -o/-e/-i FILE: the task opens its own file (as the user) and
    // that stream bypasses srun; -o alone takes stderr too, as in Slurm.
    auto file = [&](const std::string& pattern) {
      return common::ExpandStepIoPattern(pattern, j.id, static_cast<uint32_t>(spec_.step), task,
                                         spec_.node_index, spec_.node_name);
    };
    const bool out_file = !j.std_out.empty(), in_file = !j.std_in.empty();
    const bool err_file = !j.std_err.empty() || out_file;
    if (master >= 0) {
      ls.in_fd = ls.out_fd = ls.err_fd = slave;
      ls.controlling_tty = true;
    } else {
      devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      ls.in_fd = in_file ? -1 : gets_stdin ? in[0] : devnull;
      ls.out_fd = out_file ? -1 : out[1];
      ls.err_fd = err_file ? -1 : err[1];
      if (in_file) ls.std_in = file(j.std_in);
      if (out_file) ls.std_out = file(j.std_out);
      if (err_file) ls.std_err = file(j.std_err.empty() ? j.std_out : j.std_err);
      // Every file was created empty before any task started (below):
      // tasks sharing one append to it.
      ls.append_output = true;
    }
    auto pid = launcher_->Launch(ls);
    if (master >= 0) ::close(slave);
    if (devnull >= 0) ::close(devnull);
    for (int fd : {out[1], err[1], in[0]})
      if (fd >= 0) ::close(fd);
    if (master >= 0) {
      pty_master_ = master;
      step_io_->AddTask(task, master, -1, ::dup(master), true);
    } else {
      step_io_->AddTask(task, out[0], err[0], gets_stdin ? in[1] : -1, false);
      if (!gets_stdin) ::close(in[1]);
    }
    if (!pid.ok()) {
      // As slurmstepd: the message on srun's stderr, exit code = errno.
      int code = 1;
      if (auto p = pid.status().GetPayload(kErrnoPayload)) (void)absl::SimpleAtoi(std::string(*p), &code);
      step_io_->Message(absl::StrCat("slurmstepd-", spec_.node_name, ": error: ",
                                     pid.status().message(), "\n"));
      step_io_->TaskExited(task, (code & 0xff) << 8);
      continue;
    }
    tasks_[*pid] = task;
    if (!ls.cpu_affinity.empty() && absl::StrContains(spec_.cpu_bind, "verbose"))
      step_io_->Message(absl::StrCat("cpu-bind=MASK - ", spec_.node_name, ", task ", task, " ",
                                     local, " [", *pid, "]: mask ",
                                     common::CpuMask(ls.cpu_affinity), " set\n"));
  }
}

// What srun sends besides stdin: signals for the tasks, window sizes for
// the pty, and its own disappearance (the step is then killed).
void StepDaemon::OnSrunControl(const common::Frame& f) {
  if (f.type == common::FrameType::kSignal) {
    int sig = 0;
    if (absl::SimpleAtoi(f.payload, &sig) && sig > 0 && sig < NSIG) {
      for (const auto& [pid, task] : tasks_)
        if (f.task == common::kAllTasks || f.task == task) ::kill(pid, sig);
      if (sig == SIGKILL) SignalJob(SIGKILL, Mode::kAll);
    }
  } else if (f.type == common::FrameType::kWinsize && pty_master_ >= 0) {
    std::vector<std::string> rc = absl::StrSplit(f.payload, ' ');
    winsize ws{};
    uint32_t rows = 0, cols = 0;
    if (rc.size() == 2 && absl::SimpleAtoi(rc[0], &rows) && absl::SimpleAtoi(rc[1], &cols)) {
      ws.ws_row = static_cast<unsigned short>(rows);
      ws.ws_col = static_cast<unsigned short>(cols);
      ::ioctl(pty_master_, TIOCSWINSZ, &ws);  // the kernel sends SIGWINCH
    }
  } else if (f.type == common::FrameType::kStdinEof && f.payload == "srun gone") {
    SignalJob(SIGKILL, Mode::kAll);
  }
}

}  // namespace sluice::node
