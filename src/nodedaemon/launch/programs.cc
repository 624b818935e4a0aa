#include "nodedaemon/launch/programs.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>

#include "absl/strings/str_cat.h"

namespace sluice::node {
namespace {

bool StatOf(pid_t pid, char* state, pid_t* ppid) {
  std::string path = absl::StrCat("/proc/", pid, "/stat");
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[512];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return false;
  buf[n] = 0;
  const char* rp = strrchr(buf, ')');
  int pp = 0;
  if (!rp || sscanf(rp + 1, " %c %d", state, &pp) != 2) return false;
  *ppid = pp;
  return true;
}

}  // namespace

std::vector<pid_t> Descendants(pid_t root) {
  std::multimap<pid_t, pid_t> kids;
  if (DIR* d = opendir("/proc")) {
    while (struct dirent* e = readdir(d)) {
      pid_t pid = static_cast<pid_t>(atoi(e->d_name));
      char st;
      pid_t pp;
      if (pid > 0 && StatOf(pid, &st, &pp)) kids.emplace(pp, pid);
    }
    closedir(d);
  }
  std::vector<pid_t> out;
  std::vector<pid_t> stack = {root};
  while (!stack.empty()) {
    pid_t p = stack.back();
    stack.pop_back();
    auto [b, e] = kids.equal_range(p);
    for (auto it = b; it != e; ++it) {
      out.push_back(it->second);
      stack.push_back(it->second);
    }
  }
  return out;
}

bool ProcessAlive(pid_t pid) {
  char st;
  pid_t pp;
  return pid > 0 && StatOf(pid, &st, &pp) && st != 'Z' && st != 'X';
}

bool ProgramOutcome::ok() const {
  return !timed_out && WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0;
}

absl::StatusOr<ProgramOutcome> RunProgram(const ProgramRun& run) {
  std::vector<std::string> argv_store = {run.path};
  argv_store.insert(argv_store.end(), run.args.begin(), run.args.end());
  std::vector<char*> argv, envp;
  for (auto& a : argv_store) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_store = run.env;
  for (auto& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);
  int out[2] = {-1, -1};
  if (run.stdout_fd < 0 && pipe2(out, O_CLOEXEC) != 0)
    return absl::InternalError(absl::StrCat("pipe: ", strerror(errno)));
  pid_t pid = fork();
  if (pid < 0) return absl::InternalError(absl::StrCat("fork: ", strerror(errno)));
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    setpgid(0, 0);
    if (run.as_user && geteuid() == 0) {
      if (setgroups(run.groups.size(), run.groups.data()) != 0 ||
          setgid(run.gid) != 0 || setuid(run.uid) != 0)
        _exit(126);
    }
    int devnull = open("/dev/null", O_RDWR);
    dup2(devnull, 0);
    dup2(run.stdout_fd >= 0 ? run.stdout_fd : out[1], 1);
    dup2(run.stderr_fd >= 0 ? run.stderr_fd : devnull, 2);
    if (chdir("/") != 0) _exit(126);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  ProgramOutcome o;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(run.timeout_s);
  if (out[1] >= 0) {
    close(out[1]);
    char buf[4096];
    for (;;) {
      int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      deadline - std::chrono::steady_clock::now())
                                      .count());
      if (left <= 0) {
        o.timed_out = true;
        break;
      }
      pollfd p{out[0], POLLIN, 0};
      int r = poll(&p, 1, left);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) continue;
      ssize_t n = read(out[0], buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      if (o.output.size() < 65536) o.output.append(buf, static_cast<size_t>(n));
    }
    close(out[0]);
  }
  auto kill_all = [&] {
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
  };
  if (o.timed_out) kill_all();
  for (;;) {
    pid_t r = waitpid(pid, &o.wait_status, WNOHANG);
    if (r == pid || (r < 0 && errno != EINTR)) break;
    if (!o.timed_out && std::chrono::steady_clock::now() >= deadline) {
      o.timed_out = true;
      kill_all();
    }
    usleep(2000);  // polls waitpid until the program's deadline
  }
  return o;
}

}  // namespace sluice::node
