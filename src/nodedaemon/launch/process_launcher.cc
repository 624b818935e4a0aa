// Fork/exec as the submitting user. Everything the child needs is prepared
// before fork: the child of a multi-threaded daemon may only make
// async-signal-safe calls until exec.
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "nodedaemon/launch/launcher.h"

namespace sluice::node {
namespace {

// Error report from child to parent: stage + errno.
struct ChildError {
  int stage;
  int err;
};
enum Stage { kSetsid = 1, kIds, kStdin, kStdout, kStderr, kExec };

const char* StageText(int stage) {
  switch (stage) {
    case kIds: return "could not switch to the job's user";
    case kStdin: return "could not open input file";
    case kStdout: return "could not open output file";
    case kStderr: return "could not open error file";
    case kExec: return "could not execute the batch script";
    default: return "could not start the job";
  }
}

[[noreturn]] void Fail(int fd, int stage) {
  ChildError e{stage, errno};
  ssize_t r = write(fd, &e, sizeof e);
  (void)r;
  _exit(127);
}

// Writes v in decimal into buf (async-signal-safe).
void FormatPid(char* buf, pid_t v) {
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v > 0);
  for (int i = 0; i < n; ++i) buf[i] = tmp[n - 1 - i];
  buf[n] = '\0';
}

// Children of every process, from /proc.
std::multimap<pid_t, pid_t> ChildrenMap() {
  std::multimap<pid_t, pid_t> kids;
  DIR* d = opendir("/proc");
  if (!d) return kids;
  while (struct dirent* e = readdir(d)) {
    pid_t pid = static_cast<pid_t>(atoi(e->d_name));
    if (pid <= 0) continue;
    std::string path = absl::StrCat("/proc/", pid, "/stat");
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    char buf[512];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) continue;
    buf[n] = 0;
    const char* rp = strrchr(buf, ')');
    if (!rp) continue;
    char state;
    int ppid;
    if (sscanf(rp + 1, " %c %d", &state, &ppid) == 2)
      kids.emplace(static_cast<pid_t>(ppid), pid);
  }
  closedir(d);
  return kids;
}

class ProcessLauncher : public Launcher {
 public:
  absl::StatusOr<pid_t> Launch(const LaunchSpec& s) override {
    std::vector<std::string> env_store = s.env;
    env_store.push_back("SLURM_TASK_PID=");
    std::vector<char*> envp;
    for (auto& e : env_store) envp.push_back(e.data());
    envp.push_back(nullptr);
    char pid_entry[64];
    std::memcpy(pid_entry, "SLURM_TASK_PID=", 15);
    envp[env_store.size() - 1] = pid_entry;
    std::string prog = s.program;
    char* argv[] = {prog.data(), nullptr};
    bool same_out = s.std_out == s.std_err;
    // O_APPEND always, so notices the daemon appends (cancel, time limit)
    // never overwrite what the job writes; O_TRUNC unless appending.
    int out_flags = O_WRONLY | O_CREAT | O_APPEND | (s.append_output ? 0 : O_TRUNC);

    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0)
      return absl::InternalError(absl::StrCat("pipe: ", strerror(errno)));
    pid_t pid = fork();
    if (pid < 0) {
      close(pipefd[0]);
      close(pipefd[1]);
      return absl::InternalError(absl::StrCat("fork: ", strerror(errno)));
    }
    if (pid == 0) {
      int wfd = pipefd[1];
      close(pipefd[0]);
      // Default signal dispositions and mask for the job.
      sigset_t none;
      sigemptyset(&none);
      sigprocmask(SIG_SETMASK, &none, nullptr);
      for (int sig = 1; sig < NSIG; ++sig) signal(sig, SIG_DFL);
      if (setsid() < 0) Fail(wfd, kSetsid);
      if (geteuid() != 0) {
        // An unprivileged daemon (sluice-local as a user) runs only its
        // own user's jobs.
        if (s.uid != geteuid()) Fail(wfd, kIds);
      } else {
        if (setgroups(s.groups.size(), s.groups.data()) != 0 ||
            setgid(s.gid) != 0 || setuid(s.uid) != 0)
          Fail(wfd, kIds);
        if (s.uid != 0 && setuid(0) == 0) Fail(wfd, kIds);  // must be final
      }
      if (chdir(s.cwd.c_str()) != 0 && chdir("/tmp") != 0) Fail(wfd, kIds);
      // Job files are opened only now, as the user.
      int in = open(s.std_in.c_str(), O_RDONLY);
      if (in < 0) Fail(wfd, kStdin);
      int out = open(s.std_out.c_str(), out_flags, 0644);
      if (out < 0) Fail(wfd, kStdout);
      int err = out;
      if (!same_out) {
        err = open(s.std_err.c_str(), out_flags, 0644);
        if (err < 0) Fail(wfd, kStderr);
      }
      dup2(in, 0);
      dup2(out, 1);
      dup2(err, 2);
      if (in > 2) close(in);
      if (out > 2) close(out);
      if (err > 2 && err != out) close(err);
      FormatPid(pid_entry + 15, getpid());
      execve(argv[0], argv, envp.data());
      Fail(wfd, kExec);
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
      return absl::FailedPreconditionError(
          absl::StrCat(StageText(ce.stage), ": ", strerror(ce.err)));
    }
    return pid;
  }

  void Signal(pid_t leader, int sig, bool tree) override {
    if (!tree) {
      kill(leader, sig);
      return;
    }
    // The session/process group, plus any descendant that left it.
    std::set<pid_t> targets;
    auto kids = ChildrenMap();
    std::vector<pid_t> stack = {leader};
    while (!stack.empty()) {
      pid_t p = stack.back();
      stack.pop_back();
      if (!targets.insert(p).second) continue;
      auto [b, e] = kids.equal_range(p);
      for (auto it = b; it != e; ++it) stack.push_back(it->second);
    }
    kill(-leader, sig);
    for (pid_t p : targets) kill(p, sig);
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

std::unique_ptr<Launcher> MakeProcessLauncher() {
  return std::make_unique<ProcessLauncher>();
}

}  // namespace sluice::node
