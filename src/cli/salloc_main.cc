// salloc: obtain an allocation, run a command (or the user's shell) with
// its SLURM_* variables set, release the allocation when that ends.
#include <getopt.h>
#include <sys/wait.h>
#include <unistd.h>

#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cli/allocation.h"
#include "cli/cli_util.h"
#include "cli/ctld_client.h"
#include "common/sizes.h"
#include "common/time_spec.h"
#include "common/users.h"

extern char** environ;

namespace sluice::cli {
namespace {
namespace v1 = ::sluice::v1;

enum { kNtasksPerNode = 1000, kGpusPerNode, kGres, kMem, kExclusive, kHelp, kUsage };
const struct option kLong[] = {
    {"nodes", required_argument, nullptr, 'N'},
    {"ntasks", required_argument, nullptr, 'n'},
    {"ntasks-per-node", required_argument, nullptr, kNtasksPerNode},
    {"cpus-per-task", required_argument, nullptr, 'c'},
    {"partition", required_argument, nullptr, 'p'},
    {"time", required_argument, nullptr, 't'},
    {"job-name", required_argument, nullptr, 'J'},
    {"gpus-per-node", required_argument, nullptr, kGpusPerNode},
    {"gres", required_argument, nullptr, kGres},
    {"mem", required_argument, nullptr, kMem},
    {"nodelist", required_argument, nullptr, 'w'},
    {"exclude", required_argument, nullptr, 'x'},
    {"exclusive", optional_argument, nullptr, kExclusive},
    {"immediate", optional_argument, nullptr, 'I'},
    {"chdir", required_argument, nullptr, 'D'},
    {"version", no_argument, nullptr, 'V'},
    {"help", no_argument, nullptr, kHelp},
    {"usage", no_argument, nullptr, kUsage},
    {nullptr, 0, nullptr, 0},
};

int Main(int argc, char** argv) {
  argv[0] = const_cast<char*>("salloc");
  AllocRequest a;
  a.name = "interactive";
  int c;
  while ((c = getopt_long(argc, argv, "+N:n:c:p:t:J:w:x:I::D:V", kLong, nullptr)) != -1) {
    uint32_t v = 0;
    switch (c) {
      case 'N': if (absl::SimpleAtoi(optarg, &v)) a.nodes = v; break;
      case 'n': if (absl::SimpleAtoi(optarg, &v)) a.ntasks = v; break;
      case kNtasksPerNode: if (absl::SimpleAtoi(optarg, &v)) a.ntasks_per_node = v; break;
      case 'c': if (absl::SimpleAtoi(optarg, &v)) a.cpus_per_task = v; break;
      case 'p': a.partition = optarg; break;
      case 't': {
        auto t = common::ParseTimeLimit(optarg);
        if (!t.ok()) {
          PrintError("salloc", "Invalid time limit specification");
          return 1;
        }
        a.time_limit_min = *t;
        break;
      }
      case 'J': a.name = optarg; break;
      case kGpusPerNode: a.gpus_per_node = optarg; break;
      case kGres: a.gres = optarg; break;
      case kMem:
        if (auto m = common::ParseMemoryMB(optarg); m.ok()) a.mem_mb = *m;
        break;
      case 'w': a.nodelist = optarg; break;
      case 'x': a.exclude = optarg; break;
      case kExclusive: a.exclusive = true; break;
      case 'I': a.immediate = true; break;
      case 'D': a.work_dir = optarg; break;
      case 'V': std::printf("%s\n", kVersion); return 0;
      case kHelp: case kUsage:
        std::printf("Usage: salloc [OPTIONS] [command [args...]]\n");
        return 0;
      case '?': return 1;
      default: break;
    }
  }
  auto cfg = LoadConfigOrComplain("salloc");
  if (!cfg) return 1;
  CtldClient client(*cfg);
  if (a.work_dir.empty()) a.work_dir = CurrentDir();
  for (char** e = environ; *e; ++e) a.env.emplace_back(*e);
  auto job = Allocate(client, a, "salloc", true);
  if (!job) return 1;
  // The allocation's variables, as salloc sets them (04_env_salloc).
  v1::QueryJobsRequest q;
  q.add_job_ids(*job);
  auto jobs = client.QueryJobs(q);
  std::map<std::string, std::string> set;
  if (jobs.ok() && jobs->jobs_size() == 1) {
    const auto& j = jobs->jobs(0);
    std::string id = std::to_string(*job);
    set = {{"SLURM_JOB_ID", id},
           {"SLURM_JOBID", id},
           {"SLURM_JOB_NAME", j.name()},
           {"SLURM_JOB_NODELIST", j.node_list()},
           {"SLURM_NODELIST", j.node_list()},
           {"SLURM_JOB_NUM_NODES", std::to_string(j.num_nodes())},
           {"SLURM_NNODES", std::to_string(j.num_nodes())},
           {"SLURM_JOB_PARTITION", j.partition()},
           {"SLURM_CLUSTER_NAME", cfg->cluster_name},
           {"SLURM_CONF", cfg->path},
           {"SLURM_NODE_ALIASES", "(null)"},
           {"SLURM_SUBMIT_DIR", a.work_dir},
           {"SLURM_SUBMIT_HOST", common::ShortHostname()},
           {"SLURM_JOB_CPUS_PER_NODE", std::to_string(j.num_cpus() / std::max<uint32_t>(1, j.num_nodes()))},
           {"SLURM_TASKS_PER_NODE", "1"}};
    if (!a.gpus_per_node.empty()) set["SLURM_GPUS_PER_NODE"] = a.gpus_per_node;
  }
  std::vector<std::string> cmd;
  for (int i = optind; i < argc; ++i) cmd.push_back(argv[i]);
  if (cmd.empty()) {
    const char* shell = getenv("SHELL");
    cmd.push_back(shell && *shell ? shell : "/bin/sh");
  }
  pid_t pid = fork();
  if (pid == 0) {
    for (const auto& [k, v] : set) setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> args;
    for (auto& s : cmd) args.push_back(s.data());
    args.push_back(nullptr);
    execvp(args[0], args.data());
    std::fprintf(stderr, "salloc: error: %s: %s\n", args[0], strerror(errno));
    _exit(127);
  }
  // The command owns the terminal; salloc waits, ignoring Ctrl-C as Slurm's does.
  signal(SIGINT, SIG_IGN);
  signal(SIGQUIT, SIG_IGN);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::fprintf(stderr, "salloc: Relinquishing job allocation %lu\n", (unsigned long)*job);
  Release(client, *job, -1, WIFEXITED(status) ? WEXITSTATUS(status) : 0,
          WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  return rc;
}

}  // namespace
}  // namespace sluice::cli

int main(int argc, char** argv) { sluice::cli::ExitNow(sluice::cli::Main(argc, argv)); }
