// Fork/exec as the submitting user, from sluice-stepd (single-threaded).
// Without a TaskProlog the child is a vfork-style clone that only makes
// system calls; with one it is a real fork, which may allocate.
#include <dirent.h>
#include <sched.h>
#include <fcntl.h>
#include <grp.h>
#include <sys/ioctl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "nodedaemon/launch/launcher.h"
#include "nodedaemon/launch/programs.h"

namespace sluice::node {
namespace {

// Error report from child to parent: stage + errno.
struct ChildError {
  int stage;
  int err;
};
enum Stage { kSetsid = 1, kIds, kStdin, kStdout, kStderr, kExec, kTaskProlog };

const char* StageText(int stage) {
  switch (stage) {
    case kIds: return "could not switch to the job's user";
    case kStdin: return "could not open input file";
    case kStdout: return "could not open output file";
    case kStderr: return "could not open error file";
    case kExec: return "could not execute the batch script";
    case kTaskProlog: return "TaskProlog failed";
    default: return "could not start the job";
  }
}

[[noreturn]] void Fail(int fd, int stage) {
  ChildError e{stage, errno};
  ssize_t r = write(fd, &e, sizeof e);
  (void)r;
  _exit(127);
}

// Everything the child needs, prepared by the parent so that the child of
// a vfork-style clone only makes system calls (it shares our memory).
struct Child {
  const LaunchSpec* s;
  int wfd;
  int out_flags;
  char** argv;
  char** envp;                      // null on the fork path: built after the TaskProlog
  char* pid_digits;                 // where the child writes its pid, in envp
  std::vector<std::string>* cands;  // paths to try execve on, in order
};

void WriteDecimal(char* out, long v) {
  char tmp[24];
  int n = 0;
  do tmp[n++] = static_cast<char>('0' + v % 10); while ((v /= 10) > 0);
  for (int i = 0; i < n; ++i) out[i] = tmp[n - 1 - i];
  out[n] = '\0';
}

// The child between fork/clone and exec. Allocates only on the fork path
// (a TaskProlog must run first and may change the environment).
[[noreturn]] void ChildMain(Child* c) {
  const LaunchSpec& s = *c->s;
  int wfd = c->wfd;
  // Default signal dispositions and mask for the job.
  for (int sig = 1; sig < NSIG; ++sig) signal(sig, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  if (setsid() < 0) Fail(wfd, kSetsid);
  if (s.controlling_tty && ioctl(s.out_fd, TIOCSCTTY, 0) != 0) Fail(wfd, kSetsid);
  // Into the job's cgroup while still root: every descendant is born
  // there. A failure leaves tracking to the stepd's process tree.
  for (const auto& f : s.cgroup_procs) {
    int fd = open(f.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) continue;
    ssize_t w = write(fd, "0", 1);
    (void)w;
    close(fd);
  }
  if (!s.cpu_affinity.empty()) {  // --cpu-bind, within the cgroup's cpuset
    cpu_set_t set;
    CPU_ZERO(&set);
    for (uint32_t cpu : s.cpu_affinity)
      if (cpu < CPU_SETSIZE) CPU_SET(cpu, &set);
    (void)sched_setaffinity(0, sizeof set, &set);
  }
  if (geteuid() != 0) {
    // An unprivileged daemon (sluice-local as a user) runs only its
    // own user's jobs.
    if (s.uid != geteuid()) Fail(wfd, kIds);
  } else {
    if (setgroups(s.groups.size(), s.groups.data()) != 0 || setgid(s.gid) != 0 ||
        setuid(s.uid) != 0)
      Fail(wfd, kIds);
    if (s.uid != 0 && setuid(0) == 0) Fail(wfd, kIds);  // must be final
  }
  if (chdir(s.cwd.c_str()) != 0 && chdir("/tmp") != 0) Fail(wfd, kIds);
  // Job files are opened only now, as the user.
  int in = s.in_fd >= 0 ? s.in_fd : open(s.std_in.c_str(), O_RDONLY);
  if (in < 0) Fail(wfd, kStdin);
  int out = s.out_fd >= 0 ? s.out_fd : open(s.std_out.c_str(), c->out_flags, 0644);
  if (out < 0) Fail(wfd, kStdout);
  int err = s.err_fd >= 0 ? s.err_fd : out;
  if (s.err_fd < 0 && s.std_out != s.std_err) {
    err = open(s.std_err.c_str(), c->out_flags, 0644);
    if (err < 0) Fail(wfd, kStderr);
  }
  dup2(in, 0);
  dup2(out, 1);
  dup2(err, 2);
  if (in > 2) close(in);
  if (out > 2) close(out);
  if (err > 2 && err != out) close(err);
  char** envp = c->envp;
  std::vector<std::string> env;
  std::vector<char*> env_ptrs;
  if (envp) {
    WriteDecimal(c->pid_digits, getpid());
  } else {
    env = s.env;
    env.push_back(absl::StrCat("SLURM_TASK_PID=", getpid()));
    ProgramRun tp;
    tp.path = s.task_prolog;
    tp.env = env;
    tp.stderr_fd = 2;
    tp.timeout_s = 300;
    auto r = RunProgram(tp);
    if (!r.ok()) Fail(wfd, kTaskProlog);
    std::string print;
    ApplyTaskPrologOutput(r->output, &env, &print);
    if (!print.empty()) {
      ssize_t w = write(1, print.data(), print.size());
      (void)w;
    }
    for (auto& e : env) env_ptrs.push_back(e.data());
    env_ptrs.push_back(nullptr);
    envp = env_ptrs.data();
  }
  int first_err = ENOENT;
  for (const auto& cand : *c->cands) {
    execve(cand.c_str(), c->argv, envp);
    if (errno != ENOENT && first_err == ENOENT) first_err = errno;
  }
  errno = first_err;
  Fail(wfd, kExec);
}

int CloneChild(void* arg) { ChildMain(static_cast<Child*>(arg)); }

// A bare command name is looked up in the task's own PATH.
std::vector<std::string> ExecCandidates(const LaunchSpec& s) {
  if (s.program.find('/') != std::string::npos) return {s.program};
  std::string path = "/usr/local/bin:/usr/bin:/bin";
  for (const auto& e : s.env)
    if (e.rfind("PATH=", 0) == 0) path = e.substr(5);
  std::vector<std::string> out;
  for (absl::string_view dir : absl::StrSplit(path, ':'))
    out.push_back(absl::StrCat(dir.empty() ? "." : dir, "/", s.program));
  return out;
}

class ProcessLauncher : public Launcher {
 public:
  absl::StatusOr<pid_t> Launch(const LaunchSpec& s) override {
    std::vector<std::string> argv_store = {s.program};
    argv_store.insert(argv_store.end(), s.args.begin(), s.args.end());
    std::vector<char*> argv;
    for (auto& a : argv_store) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> cands = ExecCandidates(s);
    // O_APPEND always, so notices the daemon appends (cancel, time limit)
    // never overwrite what the job writes; O_TRUNC unless appending.
    int out_flags = O_WRONLY | O_CREAT | O_APPEND | (s.append_output ? 0 : O_TRUNC);

    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0)
      return absl::InternalError(absl::StrCat("pipe: ", strerror(errno)));
    Child c{&s, pipefd[1], out_flags, argv.data(), nullptr, nullptr, &cands};
    pid_t pid;
    // AddressSanitizer cannot follow a child running on a stack of our own
    // (google/sanitizers#189): sanitized builds take the fork path.
#if defined(__SANITIZE_ADDRESS__)
    constexpr bool kShareMemory = false;
#else
    constexpr bool kShareMemory = true;
#endif
    if (!s.task_prolog.empty() || !kShareMemory) {
      pid = fork();
      if (pid == 0) {
        close(pipefd[0]);
        ChildMain(&c);
      }
    } else {
      // No TaskProlog: the child only makes system calls, so it can share
      // our memory (CLONE_VM|CLONE_VFORK, as posix_spawn does) instead of
      // copying the page tables: ~2 ms less per task on a VM.
      std::string pid_var = "SLURM_TASK_PID=" + std::string(24, '\0');
      std::vector<char*> envp;
      for (const auto& e : s.env) envp.push_back(const_cast<char*>(e.c_str()));
      envp.push_back(pid_var.data());
      envp.push_back(nullptr);
      c.envp = envp.data();
      c.pid_digits = pid_var.data() + strlen("SLURM_TASK_PID=");
      // Signals stay blocked until the child has reset every handler: one
      // of ours must never run on the child's side of shared memory.
      sigset_t all, old;
      sigfillset(&all);
      sigprocmask(SIG_SETMASK, &all, &old);
      // In .bss: pages are mapped only as the child touches them (a zeroed
      // vector would have faulted in all 64 of them first).
      alignas(64) static char stack[256 * 1024];
      pid = clone(CloneChild, stack + sizeof stack, CLONE_VM | CLONE_VFORK | SIGCHLD, &c);
      int saved = errno;
      sigprocmask(SIG_SETMASK, &old, nullptr);
      errno = saved;
    }
    if (pid < 0) {
      close(pipefd[0]);
      close(pipefd[1]);
      return absl::InternalError(absl::StrCat("fork: ", strerror(errno)));
    }
    close(pipefd[1]);
    ChildError ce{};
    ssize_t n;
    do {
      n = read(pipefd[0], &ce, sizeof ce);
    } while (n < 0 && errno == EINTR);
    close(pipefd[0]);
    if (n == sizeof ce) {
      waitpid(pid, nullptr, 0);
      absl::Status st = absl::FailedPreconditionError(
          ce.stage == kExec && !s.node_name.empty()
              ? absl::StrCat("execve(): ", s.program, ": ", strerror(ce.err))
              : absl::StrCat(StageText(ce.stage), ": ", strerror(ce.err)));
      st.SetPayload(kErrnoPayload, absl::Cord(std::to_string(ce.err)));
      return st;
    }
    return pid;
  }

  void AppendAsUser(uid_t uid, gid_t gid, const std::string& path,
                    const std::string& text) override {
    pid_t pid = fork();
    if (pid == 0) {
      if (geteuid() == 0 &&
          (setgroups(0, nullptr) != 0 || setgid(gid) != 0 || setuid(uid) != 0))
        _exit(1);
      if (geteuid() != uid) _exit(1);
      int fd = open(path.c_str(), O_WRONLY | O_APPEND);
      if (fd < 0) _exit(1);
      ssize_t r = write(fd, text.data(), text.size());
      (void)r;
      _exit(0);
    }
    if (pid > 0) waitpid(pid, nullptr, 0);
  }
};

}  // namespace

void ApplyTaskPrologOutput(const std::string& output,
                           std::vector<std::string>* env, std::string* print) {
  auto drop = [&](absl::string_view name) {
    std::string prefix = absl::StrCat(name, "=");
    std::erase_if(*env, [&](const std::string& e) { return e.rfind(prefix, 0) == 0; });
  };
  for (absl::string_view line : absl::StrSplit(output, '\n')) {
    if (absl::ConsumePrefix(&line, "export ")) {
      size_t eq = line.find('=');
      if (eq == absl::string_view::npos || eq == 0) continue;
      drop(line.substr(0, eq));
      env->push_back(std::string(line));
    } else if (absl::ConsumePrefix(&line, "unset ")) {
      drop(absl::StripAsciiWhitespace(line));
    } else if (absl::ConsumePrefix(&line, "print ")) {
      absl::StrAppend(print, line, "\n");
    }
  }
}

std::unique_ptr<Launcher> MakeProcessLauncher() {
  return std::make_unique<ProcessLauncher>();
}

}  // namespace sluice::node
