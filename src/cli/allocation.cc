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

const std::vector<option> kAllocLongOptions = {
    {"nodes", required_argument, nullptr, 'N'},
    {"distribution", required_argument, nullptr, 'm'},
    {"mincpus", required_argument, nullptr, kOptMinCpus},
    {"ntasks", required_argument, nullptr, 'n'},
    {"ntasks-per-node", required_argument, nullptr, kOptNtasksPerNode},
    {"cpus-per-task", required_argument, nullptr, 'c'},
    {"partition", required_argument, nullptr, 'p'},
    {"time", required_argument, nullptr, 't'},
    {"job-name", required_argument, nullptr, 'J'},
    {"gpus-per-node", required_argument, nullptr, kOptGpusPerNode},
    {"gres", required_argument, nullptr, kOptGres},
    {"mem", required_argument, nullptr, kOptMem},
    {"nodelist", required_argument, nullptr, 'w'},
    {"exclude", required_argument, nullptr, 'x'},
    {"constraint", required_argument, nullptr, 'C'},
    {"exclusive", optional_argument, nullptr, kOptExclusive},
    {"immediate", optional_argument, nullptr, 'I'},
    {"chdir", required_argument, nullptr, 'D'},
};

int AllocErrorExit(const std::string& error) {
  return error.rfind("Invalid numeric value", 0) == 0 ? 1 : 255;
}

bool ParseAllocOption(int c, const char* arg, AllocRequest* a, std::string* error) {
  switch (c) {
    case 'N': {
      uint32_t lo, hi;
      if (auto e = ParseNodeCount(arg, &lo, &hi)) *error = e->message;
      else a->nodes = std::max<uint32_t>(1, lo);
      a->nodes_set = true;
      break;
    }
    case 'n': case kOptNtasksPerNode: case 'c': case kOptMinCpus: {
      uint32_t* dst = c == 'n' ? &a->ntasks : c == 'c' ? &a->cpus_per_task
                    : c == kOptMinCpus ? &a->mincpus : &a->ntasks_per_node;
      const char* name = c == 'n' ? "--ntasks" : c == 'c' ? "--cpus-per-task"
                         : c == kOptMinCpus ? "--mincpus" : "--ntasks-per-node";
      if (auto e = ParsePositive(arg, name, dst)) *error = e->message;
      if (c == 'n') a->ntasks_set = true;
      break;
    }
    case 'p': a->partition = arg; break;
    case 'm': {
      auto d = ParseDistribution(arg);
      if (!d.ok()) *error = std::string(d.status().message());
      else a->distribution = arg;
      break;
    }
    case 't': {
      auto t = common::ParseTimeLimit(arg);
      if (t.ok()) a->time_limit_min = *t;
      else *error = "Invalid --time specification";
      break;
    }
    case 'J': a->name = arg; break;
    case kOptGpusPerNode: a->gpus_per_node = arg; break;
    case kOptGres: a->gres = arg; break;
    case kOptMem: {
      auto m = common::ParseMemoryMB(arg);
      if (m.ok()) a->mem_mb = *m;
      else *error = "Invalid --mem specification";
      break;
    }
    case 'w': a->nodelist = arg; break;
    case 'x': a->exclude = arg; break;
    case 'C': a->constraint = arg; break;
    case kOptExclusive: a->exclusive = true; break;
    case 'I': a->immediate = true; break;
    case 'D': a->work_dir = arg; break;
    default: return false;
  }
  return true;
}

std::optional<uint64_t> Allocate(CtldClient& client, const AllocRequest& r,
                                 const char* cmd, bool salloc,
                                 const v1::CreateStepRequest* step,
                                 std::optional<v1::CreateStepReply>* step_reply) {
  v1::SubmitBatchJobRequest req;
  if (step) *req.mutable_first_step() = *step;
  auto* j = req.mutable_job();
  j->set_interactive(true);
  j->set_immediate(r.immediate);
  j->set_name(r.name);
  j->set_partition(r.partition);
  if (r.time_limit_min) {
    j->set_time_limit_set(true);
    j->set_time_limit_min(*r.time_limit_min);
  }
  j->set_min_nodes(r.nodes);
  j->set_ntasks(r.ntasks);
  j->set_ntasks_per_node(r.ntasks_per_node);
  j->set_cpus_per_task(r.cpus_per_task);
  j->set_mincpus(r.mincpus);
  j->set_mem_mb(r.mem_mb);
  j->set_gpus_per_node(r.gpus_per_node);
  j->set_gres(r.gres);
  j->set_nodelist(r.nodelist);
  j->set_exclude(r.exclude);
  j->set_constraint(r.constraint);
  j->set_exclusive(r.exclusive);
  j->set_work_dir(r.work_dir);
  for (const auto& e : r.env) j->add_env(e);
  j->set_requeue(0);
  j->set_submit_host(common::ShortHostname());
  auto rep = client.Submit(req);
  if (!rep.ok()) {
    PrintError(cmd, absl::StrCat("Unable to allocate resources: ", rep.status().message()));
    return std::nullopt;
  }
  for (const auto& n : rep->notes()) PrintError(cmd, n);
  if (!rep->error().empty() || rep->job_id() == 0) {
    PrintError(cmd, absl::StrCat("Unable to allocate resources: ", rep->error()));
    return std::nullopt;
  }
  uint64_t id = rep->job_id();
  if (step_reply && rep->has_first_step()) *step_reply = rep->first_step();
  bool waited = false;
  if (!rep->running()) {
    waited = true;
    if (salloc && !r.quiet)
      std::fprintf(stderr, "salloc: Pending job allocation %lu\n", (unsigned long)id);
    if (!r.quiet)
      std::fprintf(stderr, "%s: job %lu queued and waiting for resources\n", cmd,
                   (unsigned long)id);
    v1::QueryJobsRequest q;
    q.add_job_ids(id);
    for (;;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // poll the controller
      auto jobs = client.QueryJobs(q);
      if (!jobs.ok() || jobs->jobs_size() == 0) {
        PrintError(cmd, absl::StrCat("Unable to allocate resources: job ", id, " vanished"));
        return std::nullopt;
      }
      auto st = jobs->jobs(0).state();
      if (st == v1::JOB_STATE_RUNNING) break;
      if (st != v1::JOB_STATE_PENDING) {
        std::fprintf(stderr, "%s: Job allocation %lu has been revoked.\n", cmd, (unsigned long)id);
        return std::nullopt;
      }
    }
  }
  if (waited && !r.quiet)
    std::fprintf(stderr, "%s: job %lu has been allocated resources\n", cmd, (unsigned long)id);
  if (salloc && !r.quiet) std::fprintf(stderr, "salloc: Granted job allocation %lu\n", (unsigned long)id);
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
