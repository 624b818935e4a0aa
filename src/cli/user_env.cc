#include "cli/user_env.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace sluice::cli {

std::optional<GetUserEnv> ParseGetUserEnv(const std::string& text) {
  GetUserEnv g;
  std::string t = text;
  if (!t.empty() && (t.back() == 'L' || t.back() == 'S')) {
    g.login = t.back() == 'L';
    t.pop_back();
  }
  if (!t.empty() && (!absl::SimpleAtoi(t, &g.timeout_s) || g.timeout_s <= 0)) return std::nullopt;
  return g;
}

std::optional<std::vector<std::string>> LoginEnvironment(const std::string& user,
                                                         const GetUserEnv& how) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return std::nullopt;
  pid_t pid = fork();
  if (pid < 0) return std::nullopt;
  if (pid == 0) {
    dup2(fds[1], 1);
    int null = open("/dev/null", O_RDWR);
    dup2(null, 0);
    dup2(null, 2);
    if (how.login)
      execl("/bin/su", "su", "-", user.c_str(), "-c", "/usr/bin/env -0", (char*)nullptr);
    else
      execl("/bin/su", "su", user.c_str(), "-c", "/usr/bin/env -0", (char*)nullptr);
    _exit(127);
  }
  close(fds[1]);
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(how.timeout_s);
  bool timed_out = false;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    char buf[4096];
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  if (timed_out || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
  std::vector<std::string> env;
  for (absl::string_view e : absl::StrSplit(out, '\0', absl::SkipEmpty()))
    if (e.find('=') != absl::string_view::npos) env.emplace_back(e);
  return env;
}

}  // namespace sluice::cli
