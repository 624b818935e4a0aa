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

#include "common/process_init.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cli/allocation.h"
#include "cli/cli_util.h"
#include "cli/ctld_client.h"
#include "common/users.h"

extern char** environ;

namespace sluice::cli {
namespace {
namespace v1 = ::sluice::v1;

enum { kHelp = 1000, kUsage };
std::vector<option> LongOptions() {
  std::vector<option> o = kAllocLongOptions;
  o.push_back({"version", no_argument, nullptr, 'V'});
  o.push_back({"help", no_argument, nullptr, kHelp});
  o.push_back({"usage", no_argument, nullptr, kUsage});
  o.push_back({nullptr, 0, nullptr, 0});
  return o;
}

// salloc(1)'s input variables, as options below the command line (each
// fails as its option would where salloc's table lacks the option).
constexpr InputVar kSallocInputVars[] = {
    {"SALLOC_ACCOUNT", "account"}, {"SALLOC_ACCTG_FREQ", "acctg-freq"},
    {"SALLOC_BELL", "bell", true}, {"SALLOC_BURST_BUFFER", "bb"},
    {"SALLOC_CLUSTERS", "clusters"}, {"SALLOC_CONSTRAINT", "constraint"},
    {"SALLOC_CONTAINER", "container"}, {"SALLOC_CORE_SPEC", "core-spec"},
    {"SALLOC_CPUS_PER_GPU", "cpus-per-gpu"}, {"SALLOC_DEBUG", "verbose", true},
    {"SALLOC_DELAY_BOOT", "delay-boot"}, {"SALLOC_EXCLUSIVE", "exclusive", true},
    {"SALLOC_GPUS", "gpus"}, {"SALLOC_GPUS_PER_NODE", "gpus-per-node"},
    {"SALLOC_GPUS_PER_TASK", "gpus-per-task"}, {"SALLOC_GPU_BIND", "gpu-bind"},
    {"SALLOC_GPU_FREQ", "gpu-freq"}, {"SALLOC_GRES", "gres"},
    {"SALLOC_GRES_FLAGS", "gres-flags"}, {"SALLOC_HINT", "hint"},
    {"SALLOC_IMMEDIATE", "immediate"}, {"SALLOC_KILL_CMD", "kill-command"},
    {"SALLOC_MEM_BIND", "mem-bind"}, {"SALLOC_MEM_PER_CPU", "mem-per-cpu"},
    {"SALLOC_MEM_PER_GPU", "mem-per-gpu"}, {"SALLOC_MEM_PER_NODE", "mem"},
    {"SALLOC_NETWORK", "network"}, {"SALLOC_NO_BELL", "no-bell", true},
    {"SALLOC_NO_KILL", "no-kill", true}, {"SALLOC_OVERCOMMIT", "overcommit", true},
    {"SALLOC_PARTITION", "partition"}, {"SALLOC_POWER", "power"},
    {"SALLOC_PROFILE", "profile"}, {"SALLOC_QOS", "qos"},
    {"SALLOC_REQ_SWITCH", "switches"}, {"SALLOC_RESERVATION", "reservation"},
    {"SALLOC_SIGNAL", "signal"}, {"SALLOC_SPREAD_JOB", "spread-job", true},
    {"SALLOC_THREADS_PER_CORE", "threads-per-core"}, {"SALLOC_THREAD_SPEC", "thread-spec"},
    {"SALLOC_TIMELIMIT", "time"}, {"SALLOC_USE_MIN_NODES", "use-min-nodes", true},
    {"SALLOC_WAIT", "wait"}, {"SALLOC_WAIT_ALL_NODES", "wait-all-nodes"},
    {"SALLOC_WCKEY", "wckey"},
};

// One getopt pass; -1 to go on, else the exit code.
int ParseArgs(int argc, char** argv, AllocRequest& a) {
  optind = 0;  // full re-initialisation (glibc)
  int c;
  const std::vector<option> longopts = LongOptions();
  const std::string shortopts = absl::StrCat("+", kAllocShortOptions, "V");
  while ((c = getopt_long(argc, argv, shortopts.c_str(), longopts.data(), nullptr)) != -1) {
    std::string error;
    if (ParseAllocOption(c, optarg, &a, &error)) {
      if (!error.empty()) {
        PrintError("salloc", error);
        return AllocErrorExit(error);
      }
      continue;
    }
    switch (c) {
      case 'V': std::printf("%s\n", kVersion); return 0;
      case kHelp: case kUsage:
        std::printf("Usage: salloc [OPTIONS] [command [args...]]\n");
        return 0;
      case '?': return 1;
      default:
        return NoHandler("salloc", c);
    }
  }
  return -1;
}

int Main(int argc, char** argv) {
  argv[0] = const_cast<char*>("salloc");
  AllocRequest a;
  a.name = "interactive";
  if (int rc = ParseInputVars("salloc", kSallocInputVars, std::size(kSallocInputVars),
                              [&](int n, char** v) { return ParseArgs(n, v, a); });
      rc >= 0)
    return rc;
  if (int rc = ParseArgs(argc, argv, a); rc >= 0) return rc;
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
    if (!a.distribution.empty()) set["SLURM_DISTRIBUTION"] = a.distribution;
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

int main(int argc, char** argv) {
  sluice::common::InitProcess();
  sluice::cli::ExitNow(sluice::cli::Main(argc, argv));
}
