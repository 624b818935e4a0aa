#include "ctld/mail_prog.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>
#include <vector>

#include "spdlog/spdlog.h"

namespace sluice::ctld {

void MailProgMailer::Send(MailMessage msg) {
  std::vector<std::string> args = {program_, "-s", msg.subject, msg.user};
  std::vector<std::string> env = msg.env;
  env.push_back("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  std::thread([args = std::move(args), env = std::move(env)] {
    std::vector<char*> argv, envp;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
      spdlog::error("MailProg {}: cannot run it: {}", args[0], strerror(rc));
      return;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      spdlog::error("MailProg {} failed (status {}) for: {}", args[0], status, args[2]);
  }).detach();
}

}  // namespace sluice::ctld
