// salloc: obtain an allocation, run a command (or the user's shell) with
// its SLURM_* variables set, release the allocation when that ends.
#include <grp.h>
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
#include "cli/job_help.h"
#include "cli/job_request.h"
#include "cli/sbatch_options.h"
#include "common/users.h"

extern char** environ;

namespace sluice::cli {
namespace {
namespace v1 = ::sluice::v1;

// A command installed beside this one (srun next to salloc).
std::string SiblingCommand(const char* name) {
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return name;
  std::string path(self, static_cast<size_t>(n));
  return path.substr(0, path.rfind('/') + 1) + name;
}

int Main(int argc, char** argv) {
  argv[0] = const_cast<char*>("salloc");
  const std::string submit_line = CommandLine(argc, argv);
  JobOptions o;
  // Input variables first, so the command line wins.
  std::optional<CliFailure> f = ApplyInputEnv(kSalloc, std::getenv, &o);
  if (!f) f = ParseJobArgs(kSalloc, std::vector<std::string>(argv + 1, argv + argc), &o);
  if (!f) f = FinishOptions(kSalloc, &o);
  if (f) return ReportFailure(kSalloc, *f);
  if (o.version) {
    std::printf("%s\n", kVersion);
    return 0;
  }
  if (o.help || o.usage) {
    std::string text = o.help ? SallocHelp() : SallocUsage();  // Slurm 22.05's, byte for byte
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  }
  for (const auto& w : o.warnings) PrintError("salloc", w);
  auto cfg = LoadConfigOrComplain("salloc");
  if (!cfg) return 1;
  if (o.clusters && !OnlyThisCluster("salloc", *o.clusters, *cfg, false)) return 1;
  CtldClient& client = CommandClient(*cfg);
  std::string cwd = CurrentDir();
  std::vector<std::string> environ_now;
  for (char** e = environ; *e; ++e) environ_now.emplace_back(*e);
  v1::SubmitBatchJobRequest req;
  if (auto rc = FillJobRequest(kSalloc, o, cwd, environ_now, req.mutable_job())) return *rc;
  req.mutable_job()->set_submit_line(submit_line);
  const std::string work_dir = req.job().work_dir();
  // Slurm's names: "interactive" (04_env_salloc), "no-shell" with --no-shell.
  req.mutable_job()->set_name(o.job_name.value_or(o.no_shell ? "no-shell" : "interactive"));
  req.mutable_job()->set_immediate(o.immediate);
  if (o.verbose) PrintOptionDump(kSalloc, o, work_dir);
  // --uid/--gid (root only): once allocated, the command runs as them.
  const int64_t as_uid = req.job().as_set() ? req.job().as_uid() : -1;
  const int64_t as_gid = req.job().as_set() ? req.job().as_gid() : -1;
  auto job = Allocate(client, std::move(req), kSalloc, AllocWait{o.quiet, o.bell});
  if (!job) return 1;
  // --no-shell: the allocation stays for later srun --jobid=N (or scancel).
  if (o.no_shell) return 0;
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
           {"SLURM_SUBMIT_DIR", work_dir},
           {"SLURM_SUBMIT_HOST", common::ShortHostname()},
           {"SLURM_JOB_CPUS_PER_NODE", std::to_string(j.num_cpus() / std::max<uint32_t>(1, j.num_nodes()))},
           {"SLURM_TASKS_PER_NODE", "1"}};
    if (o.distribution) set["SLURM_DISTRIBUTION"] = *o.distribution;
    if (o.gpus_per_node) set["SLURM_GPUS_PER_NODE"] = *o.gpus_per_node;
    if (o.overcommit) set["SLURM_OVERCOMMIT"] = "1";
  }
  std::vector<std::string> cmd = o.positional;
  if (cmd.empty()) {
    const char* shell_env = getenv("SHELL");
    std::string shell = shell_env && *shell_env ? shell_env : "/bin/sh";
    if (cfg->UseInteractiveStep()) {
      // LaunchParameters=use_interactive_step: the shell runs as a step on
      // the allocation's first node (srun, beside salloc, with
      // InteractiveStepOptions), as Slurm's salloc does.
      cmd = {SiblingCommand("srun")};
      for (std::string& w : ShellWords(cfg->interactive_step_options))
        cmd.push_back(w == "$SHELL" ? shell : w);
    } else {
      cmd.push_back(shell);
    }
  }
  pid_t pid = fork();
  if (pid == 0) {
    for (const auto& [k, v] : set) setenv(k.c_str(), v.c_str(), 1);
    if (as_uid >= 0 || as_gid >= 0) {
      auto u = common::LookupUser(static_cast<uid_t>(as_uid >= 0 ? as_uid : getuid()));
      gid_t g = as_gid >= 0 ? static_cast<gid_t>(as_gid) : u ? u->gid : getgid();
      if (!u || setgid(g) != 0 || initgroups(u->name.c_str(), g) != 0 || setuid(u->uid) != 0) {
        std::fprintf(stderr, "salloc: error: cannot become the --uid/--gid user\n");
        _exit(1);
      }
    }
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
  if (!o.quiet)  // -Q: errors only, as Slurm's salloc
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
