#include "cli/allocation.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "absl/strings/str_cat.h"
#include "cli/cli_util.h"
#include "absl/strings/numbers.h"
#include "common/sizes.h"
#include "common/time_spec.h"
#include "common/users.h"

namespace sluice::cli {
namespace v1 = ::sluice::v1;

std::optional<uint64_t> Allocate(CtldClient& client, v1::SubmitBatchJobRequest req, Command cmd,
                                 const AllocWait& w, const v1::CreateStepRequest* step,
                                 std::optional<v1::CreateStepReply>* step_reply) {
  const bool salloc = cmd == kSalloc;
  const char* name = CommandName(cmd);
  const char* failed = RefusalLead(cmd);
  if (step) *req.mutable_first_step() = *step;
  auto* j = req.mutable_job();
  j->set_interactive(true);
  j->set_requeue(0);
  auto started = std::chrono::steady_clock::now();
  auto rep = client.Submit(req);
  if (!rep.ok()) {
    PrintError(name, absl::StrCat(failed, rep.status().message()));
    return std::nullopt;
  }
  for (const auto& n : rep->notes()) PrintError(name, n);
  if (!rep->error().empty() || rep->job_id() == 0) {
    PrintError(name, absl::StrCat(failed, rep->error()));
    return std::nullopt;
  }
  uint64_t id = rep->job_id();
  if (step_reply && rep->has_first_step()) *step_reply = rep->first_step();
  bool waited = false;
  if (!rep->running()) {
    waited = true;
    if (j->hold() && !w.quiet)
      std::fprintf(stderr, "%s: Job is in held state, pending scheduler release\n", name);
    if (salloc && !w.quiet)
      std::fprintf(stderr, "salloc: Pending job allocation %lu\n", (unsigned long)id);
    if (!w.quiet)
      std::fprintf(stderr, "%s: job %lu queued and waiting for resources\n", name,
                   (unsigned long)id);
    v1::QueryJobsRequest q;
    q.add_job_ids(id);
    for (;;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // poll the controller
      auto jobs = client.QueryJobs(q);
      if (!jobs.ok() || jobs->jobs_size() == 0) {
        PrintError(name, absl::StrCat(failed, "job ", id, " vanished"));
        return std::nullopt;
      }
      auto st = jobs->jobs(0).state();
      if (st == v1::JOB_STATE_RUNNING) break;
      if (st != v1::JOB_STATE_PENDING) {
        std::fprintf(stderr, "%s: Job allocation %lu has been revoked.\n", name, (unsigned long)id);
        return std::nullopt;
      }
    }
  }
  if (waited && !w.quiet)
    std::fprintf(stderr, "%s: job %lu has been allocated resources\n", name, (unsigned long)id);
  if (salloc && !w.quiet) std::fprintf(stderr, "salloc: Granted job allocation %lu\n", (unsigned long)id);
  // salloc rings the terminal's bell (only a terminal's) when asked to, or
  // by default when the wait was over ten seconds, as Slurm's does.
  bool long_wait = std::chrono::steady_clock::now() - started > std::chrono::seconds(10);
  if (salloc && isatty(STDOUT_FILENO) && w.bell.value_or(long_wait)) std::fputc('\a', stdout);
  return id;
}

void Release(CtldClient& client, uint64_t job, int step, int exit_code, int signal,
             bool out_of_memory) {
  v1::CompleteJobRequest req;
  req.set_out_of_memory(out_of_memory);
  req.set_job_id(job);
  req.set_step_id(step);
  req.set_exit_code(exit_code);
  req.set_signal(signal);
  (void)client.CompleteJob(req);
}

std::string LocalAddressFor(const std::string& host, uint16_t port) {
  addrinfo hints{}, *res = nullptr;
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_DGRAM;
  std::string out = "127.0.0.1";
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res) != 0) return out;
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) == 0) {
    sockaddr_in me{};
    socklen_t len = sizeof me;
    char buf[INET_ADDRSTRLEN];
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&me), &len) == 0 &&
        inet_ntop(AF_INET, &me.sin_addr, buf, sizeof buf))
      out = buf;
  }
  if (fd >= 0) close(fd);
  freeaddrinfo(res);
  return out;
}

}  // namespace sluice::cli
