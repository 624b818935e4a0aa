// srun: run a parallel step — inside the current allocation (SLURM_JOB_ID)
// or in a new one made for it — with its I/O streamed through this process.
#include <getopt.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/allocation.h"
#include "cli/cli_util.h"
#include "common/slurm_conf.h"
#include "cli/ctld_client.h"
#include "cli/job_request.h"
#include "cli/sbatch_options.h"
#include <sys/wait.h>
#include <cerrno>
#include "cli/job_help.h"
#include "cli/srun_io.h"
#include "absl/strings/str_split.h"
#include "common/cpu_bind.h"
#include "common/multi_prog.h"
#include "common/hostlist.h"
#include "common/process_init.h"
#include "common/users.h"
#include "common/sizes.h"
#include "common/time_spec.h"

extern char** environ;

namespace sluice::cli {
namespace {
namespace v1 = ::sluice::v1;

int Fatal(const std::string& msg, int rc = 1) {
  std::fprintf(stderr, "srun: fatal: %s\n", msg.c_str());
  return rc;
}

// SLUICE_SRUN_TIMING=1 prints where an srun's time went (for bench/).
struct Phases {
  bool on = getenv("SLUICE_SRUN_TIMING") != nullptr;
  std::chrono::steady_clock::time_point last = std::chrono::steady_clock::now();
  void Mark(const char* what) {
    if (!on) return;
    auto now = std::chrono::steady_clock::now();
    std::fprintf(stderr, "srun-timing %s %.2f ms\n", what,
                 std::chrono::duration<double, std::milli>(now - last).count());
    last = now;
  }
};

// A local --prolog/--epilog program: run with srun's environment and the
// job's ID; returns its exit status (127 when it could not be run).
int RunLocal(const std::string& program, uint64_t job) {
  pid_t pid = fork();
  if (pid == 0) {
    if (job) setenv("SLURM_JOB_ID", std::to_string(job).c_str(), 1);
    execl(program.c_str(), program.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return pid < 0 ? 127 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int Main(int argc, char** argv) {
  argv[0] = const_cast<char*>("srun");
  const std::string submit_line = CommandLine(argc, argv);
  Phases phases;
  JobOptions o;
  // Input variables first, so the command line wins.
  std::optional<CliFailure> f = ApplyInputEnv(kSrun, std::getenv, &o);
  if (const char* e = getenv("SRUN_EXPORT_ENV"); !f && e && *e) {
    o.export_env = e;  // srun(1): over SLURM_EXPORT_ENV
    o.shown["export"] = e;
  }
  if (!f) f = ParseJobArgs(kSrun, std::vector<std::string>(argv + 1, argv + argc), &o);
  if (!f) f = FinishOptions(kSrun, &o);
  if (f) return ReportFailure(kSrun, *f);
  if (o.version) {
    std::printf("%s\n", kVersion);
    return 0;
  }
  if (o.help || o.usage) {
    std::string text = o.help ? SrunHelp() : SrunUsage();  // Slurm 22.05's, byte for byte
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  }
  for (const auto& w : o.warnings) PrintError("srun", w);
  const std::vector<std::string>& args = o.positional;
  std::string cwd = CurrentDir();
  const std::string work_dir = JobWorkDir(o, cwd);
  if (o.verbose) PrintOptionDump(kSrun, o, work_dir);
  if (args.empty()) return Fatal("No command given to execute.");
  std::string multi_prog;
  if (o.multi_prog) {
    // The file is read here, as the user, and checked; the nodes run each
    // task's line of it.
    auto text = ReadFile(args[0]);
    if (!text) {
      PrintError("srun", absl::StrCat("Could not open multi_prog config file ", args[0]));
      return 1;
    }
    auto lines = common::ParseMultiProg(*text, args[0], o.ntasks.value_or(0));
    if (!lines.ok()) {
      for (absl::string_view l : absl::StrSplit(lines.status().message(), '\n'))
        PrintError("srun", std::string(l));
      return 1;
    }
    multi_prog = *text;
  }
  auto cfg = LoadConfigOrComplain("srun");
  if (!cfg) return 1;
  if (o.clusters && !OnlyThisCluster("srun", *o.clusters, *cfg, false)) return 1;
  CtldClient& client = CommandClient(*cfg);
  phases.Mark("start");

  std::vector<std::string> environ_now;
  for (char** e = environ; *e; ++e) environ_now.emplace_back(*e);
  std::vector<std::string> env = ExportedEnv(o.export_env, environ_now);

  // Inside an allocation, a step of it; otherwise a new interactive job.
  uint64_t job = o.jobid.value_or(0);
  if (!job) {
    if (const char* j = getenv("SLURM_JOB_ID")) (void)absl::SimpleAtoi(j, &job);
  }
  bool own_job = job == 0;
  auto env_count = [](const char* name) -> std::optional<uint32_t> {
    uint32_t v = 0;
    const char* e = getenv(name);
    if (e && absl::SimpleAtoi(e, &v) && v) return v;
    return std::nullopt;
  };
  auto env_tasks = [&] {
    auto n = env_count("SLURM_NTASKS");
    return n ? n : env_count("SLURM_NPROCS");
  };
  if (own_job) {
    // SLURM_NTASKS (or SLURM_NPROCS) and SLURM_NNODES stand for -n and -N.
    if (!o.ntasks) o.ntasks = env_tasks();
    if (!o.nodes) o.nodes = env_count("SLURM_NNODES");
  } else if (o.preserve_env) {
    // -E: the job's node and task counts win over the command line's.
    if (auto n = env_tasks()) o.ntasks = n;
    if (auto n = env_count("SLURM_NNODES")) o.nodes = n;
  } else if (!o.ntasks && !o.nodes && !o.ntasks_per_node) {
    // Inside an allocation srun takes its task counts from the job's
    // variables, as Slurm's does (the command line wins).
    o.ntasks = env_tasks();
    o.ntasks_per_node = env_count("SLURM_NTASKS_PER_NODE");
  }
  if (!own_job && !o.cpus_per_task) o.cpus_per_task = env_count("SLURM_CPUS_PER_TASK");
  if (o.interactive) {
    // Slurm's interactive step (salloc's shell): one task on the first
    // node, sharing the job's CPUs with the steps run from it.
    o.nodes = 1;
    o.ntasks = 1;
    o.ntasks_per_node.reset();
    o.overlap = true;
  }
  if (auto f = CheckGpusPerTask(kSrun, o, own_job)) return ReportFailure(kSrun, *f);
  if (o.test_only) {
    if (!own_job) return Fatal("--test-only is not valid inside an existing job allocation");
    v1::SubmitBatchJobRequest req;
    if (auto rc = FillJobRequest(kSrun, o, cwd, env, req.mutable_job())) return *rc;
    req.mutable_job()->set_submit_line(submit_line);
    req.mutable_job()->set_interactive(true);
    return TestOnly(kSrun, client, &req, o.quiet);
  }

  // The I/O listener before the allocation: nothing here
  // depends on it, and the controller's answer then meets a ready srun.
  IoOptions io;
  io.label = o.label;
  io.unbuffered = o.unbuffered;
  io.pty = o.pty;
  io.kill_on_bad_exit = o.kill_on_bad_exit;
  io.wait_s = o.wait_s;
  io.disable_status = o.disable_status;
  io.quit_on_interrupt = o.quit_on_interrupt;
  io.verbose = o.verbose > 0;
  // -o/-e/-i FILE are the nodes' to open (created when the step starts);
  // "none", "all" and task numbers stay srun's own routing.
  const std::string output = o.output.value_or(""), error = o.error.value_or(""),
                    input = o.input.value_or("");
  auto node_file = [](const std::string& v) {
    return !v.empty() && v != "none" && v != "all" &&
           v.find_first_not_of("0123456789") != std::string::npos;
  };
  const bool out_file = node_file(output), err_file = node_file(error), in_file = node_file(input);
  io.forward_stdin = input != "none" && !in_file;
  io.out_pattern = out_file ? "" : output;
  io.err_pattern = err_file || out_file ? "" : error;
  StepIoServer server(io, &client.auth());
  std::string host = LocalAddressFor(cfg->ctld_addr, cfg->ctld_port);
  uint16_t port = server.Listen(host);
  if (port == 0) return Fatal("cannot listen for the step's I/O");

  const std::string exe_name = args[0].substr(args[0].rfind('/') + 1);
  v1::CreateStepRequest sreq;
  sreq.set_job_id(job);
  sreq.set_ntasks(o.ntasks.value_or(0));
  sreq.set_nodes(o.nodes.value_or(0));
  sreq.set_ntasks_per_node(o.ntasks_per_node.value_or(0));
  sreq.set_cpus_per_task(o.cpus_per_task.value_or(0));
  sreq.set_name(o.job_name.value_or(exe_name));  // -J names the step, as in Slurm
  sreq.set_srun_host(common::ShortHostname());
  sreq.set_srun_pid(static_cast<uint32_t>(getpid()));
  sreq.set_overlap(o.overlap);
  sreq.set_exact(o.exact);
  // -m, or SLURM_DISTRIBUTION (an input variable: sbatch/salloc -m), both
  // checked when parsed.
  const std::string dist = o.distribution.value_or("");
  if (!dist.empty()) sreq.set_cyclic(ParseDistribution(dist).value_or("") == "cyclic");
  if (!own_job) {
    // A step's own GPUs (--gpus-per-node=[type:]N or --gres=gpu[:type]:N)
    // and memory, within the job's; a new allocation's step has them all.
    uint32_t gpus = 0;
    if (o.gpus_per_node) {
      absl::string_view n = *o.gpus_per_node;
      (void)absl::SimpleAtoi(n.substr(n.rfind(':') + 1), &gpus);
    } else if (o.gres) {
      if (auto g = common::ParseGres(*o.gres); g.ok())
        for (const auto& spec : *g)
          if (spec.name == "gpu") gpus = static_cast<uint32_t>(spec.count);
    }
    sreq.set_gpus_per_node(gpus);
    sreq.set_mem_mb(o.mem_mb.value_or(0));
  }
  const std::string job_name = o.job_name.value_or(exe_name);
  // What the controller starts on the step's nodes once the step exists:
  // our environment and command, and where to connect back for the I/O.
  // (Who runs the tasks, where and with what is the controller's to say:
  // the template has no field for any of it.)
  v1::StepLaunchTemplate* launch = sreq.mutable_launch();
  launch->set_own_job(own_job);
  for (const auto& a : args) launch->add_argv(a);
  for (const auto& e : env) launch->add_env(e);
  launch->set_cwd(work_dir);
  launch->set_pty(o.pty);
  launch->set_io_address(absl::StrCat(host, ":", port));
  launch->set_io_key(server.key());
  launch->set_stdin_all(input == "all");
  if (out_file) launch->set_std_out(output);
  if (err_file) launch->set_std_err(error);
  if (in_file) launch->set_std_in(input);
  launch->set_multi_prog(multi_prog);
  launch->set_cpu_bind(o.cpu_bind);
  launch->set_job_name(own_job ? job_name : o.job_name.value_or(""));
  mode_t mask = umask(0);
  umask(mask);
  char umask_text[8];
  std::snprintf(umask_text, sizeof umask_text, "%04o", mask);
  std::vector<std::string> overrides = {
      absl::StrCat("SLURM_LAUNCH_NODE_IPADDR=", host),
      absl::StrCat("SLURM_SRUN_COMM_HOST=", host),
      absl::StrCat("SLURM_SRUN_COMM_PORT=", port),
      absl::StrCat("SLURM_STEP_LAUNCHER_PORT=", port),
      absl::StrCat("SLURM_UMASK=", umask_text)};
  if (o.label) overrides.push_back("SLURM_LABELIO=1");
  if (o.cpus_per_task) overrides.push_back(absl::StrCat("SLURM_CPUS_PER_TASK=", *o.cpus_per_task));
  if (o.ntasks_per_node)
    overrides.push_back(absl::StrCat("SLURM_NTASKS_PER_NODE=", *o.ntasks_per_node));
  if (!dist.empty()) overrides.push_back(absl::StrCat("SLURM_DISTRIBUTION=", dist));
  for (auto& v : overrides) launch->add_overrides(std::move(v));

  std::optional<v1::CreateStepReply> first_step;
  if (own_job) {
    // A new allocation: the job every option describes (as sbatch's).
    v1::SubmitBatchJobRequest req;
    if (auto rc = FillJobRequest(kSrun, o, cwd, environ_now, req.mutable_job())) return *rc;
    req.mutable_job()->set_submit_line(submit_line);
    req.mutable_job()->set_name(job_name);
    req.mutable_job()->set_immediate(o.immediate);
    // (With --prolog the step waits for it: it is created afterwards.)
    auto id = Allocate(client, std::move(req), kSrun, AllocWait{o.quiet, std::nullopt},
                       o.prolog ? nullptr : &sreq, &first_step);
    if (!id) return 1;
    job = *id;
    sreq.set_job_id(job);
    phases.Mark("allocate");
  }
  // --prolog runs here, before the step starts: a failure stops srun, as
  // in Slurm.
  if (o.prolog) {
    if (int rc = RunLocal(*o.prolog, job); rc != 0) {
      PrintError("srun", absl::StrCat("srun prolog failed rc = ", rc, ". Aborting step."));
      if (own_job) Release(client, job, -1, 1, 0);
      return 1;
    }
  }
  // A job that started at once came with its step; otherwise ask now.
  absl::StatusOr<v1::CreateStepReply> step =
      first_step ? absl::StatusOr<v1::CreateStepReply>(*first_step) : client.CreateStep(sreq);
  // Other steps hold the CPUs: wait for them, as Slurm's srun does.
  for (bool told = false; step.ok() && step->busy();) {
    if (!told)
      std::fprintf(stderr, "srun: Job %lu step creation temporarily disabled, retrying (%s)\n",
                   (unsigned long)job, step->error().c_str());
    told = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // poll the controller
    step = client.CreateStep(sreq);
    if (step.ok() && step->error().empty())
      std::fprintf(stderr, "srun: Step created for job %lu\n", (unsigned long)job);
  }
  if (!step.ok() || !step->error().empty()) {
    PrintError("srun", absl::StrCat("Unable to create step for job ", job, ": ",
                                    step.ok() ? step->error() : std::string(step.status().message())));
    if (own_job) Release(client, job, -1, 1, 0);
    return 1;
  }
  uint32_t step_id = step->step_id();
  phases.Mark("create-step");

  std::map<std::string, std::vector<uint32_t>> tasks_by_node;
  for (const auto& n : step->nodes())
    tasks_by_node[n.name()].assign(n.tasks().begin(), n.tasks().end());
  if (o.verbose) {
    // The lines tools parse: the allocation's nodes and CPU counts, then
    // where each node's tasks go.
    // "cpu counts: 8(x2),4(x1)": every run of equal counts with its length.
    std::string counts;
    for (int i = 0; i < step->nodes_size();) {
      int j = i;
      while (j < step->nodes_size() && step->nodes(j).job_cpus() == step->nodes(i).job_cpus()) ++j;
      absl::StrAppend(&counts, counts.empty() ? "" : ",", step->nodes(i).job_cpus(), "(x", j - i, ")");
      i = j;
    }
    std::fprintf(stderr, "srun: jobid %lu: nodes(%d):`%s', cpu counts: %s\n",
                 (unsigned long)job, step->nodes_size(), step->node_list().c_str(),
                 counts.c_str());
    std::fprintf(stderr, "srun: launch/slurm: launch_p_step_launch: CpuBindType=%s\n",
                 o.cpu_bind.empty() ? "(null type)" : o.cpu_bind.c_str());
    for (const auto& n : step->nodes()) {
      // One task is named bare ("1 tasks: 2"), more in brackets, as Slurm's.
      std::vector<uint32_t> tasks(n.tasks().begin(), n.tasks().end());
      std::string ids = common::FormatIdRanges(tasks);
      std::fprintf(stderr, "srun: launching StepId=%lu.%u on host %s, %d tasks: %s\n",
                   (unsigned long)job, step_id, n.name().c_str(), n.tasks_size(),
                   tasks.size() > 1 ? absl::StrCat("[", ids, "]").c_str() : ids.c_str());
    }
    for (const auto& n : step->nodes())
      std::fprintf(stderr, "srun: launch/slurm: _task_start: Node %s, %d tasks started\n",
                   n.name().c_str(), n.tasks_size());
  }
  server.SetStep(job, step_id, step->ntasks(), std::move(tasks_by_node));

  // The controller started the tasks; only its refusals come back here.
  bool failed = false;
  for (const auto& e : step->launch_errors()) {
    PrintError("srun", absl::StrCat("Task launch for StepId=", job, ".", step_id,
                                    " failed on node ", e.node(), ": ", e.error()));
    failed = true;
  }
  phases.Mark("launch");
  int rc = failed ? 1 : server.Run();
  phases.Mark("run");
  // Ending a job this srun made ends its step too: one call.
  if (own_job)
    Release(client, job, -1, rc, 0, server.out_of_memory());
  else
    Release(client, job, static_cast<int>(step_id), rc, 0);
  phases.Mark("release");
  if (o.epilog)  // after the step; its failure does not change srun's exit code
    if (int erc = RunLocal(*o.epilog, job); erc != 0)
      PrintError("srun", absl::StrCat("srun epilog failed status=", erc));
  // Exit now: tearing down gRPC's threads and the channels costs a user
  // milliseconds for nothing (the terminal is already restored by Run).
  ExitNow(rc);
}

}  // namespace
}  // namespace sluice::cli

int main(int argc, char** argv) {
  sluice::common::InitProcess();
  sluice::cli::ExitNow(sluice::cli::Main(argc, argv));
}
