#include "nodedaemon/launch/stepd_control.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "nodedaemon/core/step_files.h"
#include "nodedaemon/launch/programs.h"

namespace sluice::node {
namespace {

class RealStepdControl : public StepdControl {
 public:
  RealStepdControl(std::string path, bool standby) : path_(std::move(path)), standby_on_(standby) {
    Refill();
  }
  ~RealStepdControl() override {
    if (refill_.joinable()) refill_.join();
    absl::MutexLock lock(&mu_);
    if (standby_.fd >= 0) close(standby_.fd);  // it reads EOF and exits
  }

  // Hands the job to the stepd started ahead of time (it only has to read
  // its spec), then starts the next one in the background; without one,
  // starts a stepd for the job directly.
  absl::StatusOr<pid_t> Start(const std::string& job_dir) override {
    Standby s;
    {
      absl::MutexLock lock(&mu_);
      std::swap(s, standby_);
    }
    if (s.pid > 0) {
      std::string line = job_dir + "\n";
      ssize_t w = write(s.fd, line.data(), line.size());
      close(s.fd);
      if (w == static_cast<ssize_t>(line.size())) {
        Refill();
        return s.pid;
      }
      waitpid(s.pid, nullptr, WNOHANG);  // it died waiting: start one afresh
    }
    auto pid = Spawn(job_dir, -1);
    Refill();
    return pid;
  }

  absl::StatusOr<std::string> Send(const std::string& job_dir,
                                   const std::string& line) override {
    std::string path = job_dir + "/stepd.sock";
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path)
      return absl::InvalidArgumentError(absl::StrCat("socket path too long: ", path));
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return absl::InternalError(strerror(errno));
    timeval tv{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      int err = errno;
      close(fd);
      return absl::UnavailableError(absl::StrCat(path, ": ", strerror(err)));
    }
    std::string msg = line + "\n";
    if (send(fd, msg.data(), msg.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(msg.size())) {
      close(fd);
      return absl::InternalError(absl::StrCat(path, ": short write"));
    }
    std::string reply;
    char buf[256];
    ssize_t n;
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0) {
      reply.append(buf, static_cast<size_t>(n));
      if (reply.find('\n') != std::string::npos) break;
    }
    close(fd);
    if (!reply.empty() && reply.back() == '\n') reply.pop_back();
    return reply;
  }

  bool Alive(pid_t pid) override {
    if (!ProcessAlive(pid)) return false;
    auto exe = ReadSmallFile(absl::StrCat("/proc/", pid, "/cmdline"));
    return exe.ok() && exe->find("sluice-stepd") != std::string::npos;
  }

 private:
  struct Standby {
    pid_t pid = -1;
    int fd = -1;  // the write end of its stdin: the job directory goes here
  };

  // posix_spawn (vfork-style) rather than fork: the daemon is large and
  // multi-threaded, and a stepd starts for every job. `stdin_fd` >= 0 makes
  // a standby stepd reading its job directory from that pipe.
  absl::StatusOr<pid_t> Spawn(const std::string& job_dir, int stdin_fd) {
    std::string prog = path_, arg = stdin_fd >= 0 ? "--standby" : job_dir;
    char* argv[] = {prog.data(), arg.data(), nullptr};
    char* envp[] = {nullptr};
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
    // Its own session: signals to the daemon's group never reach it. stdin
    // and stdout are /dev/null; stderr (the daemon's log) is inherited.
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    sigset_t all;
    sigfillset(&all);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK |
                                        POSIX_SPAWN_SETSIGDEF);
    if (stdin_fd >= 0)
      posix_spawn_file_actions_adddup2(&fa, stdin_fd, 0);
    else
      posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);
    pid_t pid = 0;
    int rc = posix_spawn(&pid, argv[0], &fa, &attr, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (rc != 0)
      return absl::InternalError(absl::StrCat("cannot start ", path_, ": ", strerror(rc)));
    return pid;
  }

  // Starts the next standby stepd on a thread of its own, so the step that
  // took the last one does not wait for it.
  void Refill() {
    if (!standby_on_) return;
    if (refill_.joinable()) refill_.join();
    refill_ = std::thread([this] {
      int p[2];
      if (pipe2(p, O_CLOEXEC) != 0) return;
      auto pid = Spawn("", p[0]);
      close(p[0]);
      if (!pid.ok()) {
        close(p[1]);
        return;
      }
      absl::MutexLock lock(&mu_);
      if (standby_.pid > 0) close(standby_.fd);  // cannot happen: one refill at a time
      standby_ = {*pid, p[1]};
    });
  }

  std::string path_;
  const bool standby_on_;
  absl::Mutex mu_;
  Standby standby_ ABSL_GUARDED_BY(mu_);
  std::thread refill_;  // used only from the daemon's strand
};

}  // namespace

std::unique_ptr<StepdControl> MakeStepdControl(std::string stepd_path, bool standby) {
  return std::make_unique<RealStepdControl>(std::move(stepd_path), standby);
}

}  // namespace sluice::node
