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
#include "cli/sbatch_options.h"
#include "cli/srun_help.h"
#include "cli/srun_io.h"
#include "absl/strings/str_split.h"
#include "common/cpu_bind.h"
#include "common/multi_prog.h"
#include "common/hostlist.h"
#include "common/process_init.h"
#include "common/sizes.h"
#include "common/time_spec.h"

extern char** environ;

namespace sluice::cli {
namespace {
namespace v1 = ::sluice::v1;

enum { kPty = 1000, kExport, kOverlap, kExact, kJobid, kMpi, kHelp, kUsage, kCpuBind, kMultiProg };
std::vector<option> LongOptions() {
  std::vector<option> o = kAllocLongOptions;
  const std::vector<option> mine = {
      {"label", no_argument, nullptr, 'l'},
      {"unbuffered", no_argument, nullptr, 'u'},
      {"output", required_argument, nullptr, 'o'},
      {"error", required_argument, nullptr, 'e'},
      {"input", required_argument, nullptr, 'i'},
      {"export", required_argument, nullptr, kExport},
      {"pty", no_argument, nullptr, kPty},
      {"kill-on-bad-exit", optional_argument, nullptr, 'K'},
      {"wait", required_argument, nullptr, 'W'},
      {"overlap", no_argument, nullptr, kOverlap},
      {"exact", no_argument, nullptr, kExact},
      {"jobid", required_argument, nullptr, kJobid},
      {"mpi", required_argument, nullptr, kMpi},
      {"cpu-bind", required_argument, nullptr, kCpuBind},
      {"multi-prog", no_argument, nullptr, kMultiProg},
      {"verbose", no_argument, nullptr, 'v'},
      {"quiet", no_argument, nullptr, 'Q'},
      {"version", no_argument, nullptr, 'V'},
      {"help", no_argument, nullptr, kHelp},
      {"usage", no_argument, nullptr, kUsage},
      {nullptr, 0, nullptr, 0}};
  o.insert(o.end(), mine.begin(), mine.end());
  return o;
}

struct Opts {
  AllocRequest alloc;
  bool label = false, unbuffered = false, pty = false, kill_bad = false;
  bool overlap = false, exact = false, multi_prog = false;
  uint32_t wait_s = 0;
  std::string output, error, input;
  std::optional<std::string> export_env;
  std::string cpu_bind;  // --cpu-bind as given
  uint64_t jobid = 0;
  std::vector<std::string> argv;
  int verbose = 0;
  std::map<std::string, std::string> shown;  // -v's dump
};

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

// srun's input variables (srun(1)) that stand for options, applied
// through the same switch as the options, below the command line. The
// task and node counts (SLURM_NTASKS, SLURM_NPROCS, SLURM_NNODES) are read
// after parsing: inside an allocation they are the job's.
constexpr InputVar kSrunInputVars[] = {
    {"SLURM_CONSTRAINT", "constraint"}, {"SLURM_CPU_BIND", "cpu-bind"},
    {"SLURM_DISTRIBUTION", "distribution"}, {"SLURM_EXACT", "exact", true},
    {"SLURM_EXCLUSIVE", "exclusive", true}, {"SLURM_EXPORT_ENV", "export"},
    {"SLURM_IMMEDIATE", "immediate"}, {"SLURM_KILL_BAD_EXIT", "kill-on-bad-exit"},
    {"SLURM_LABELIO", "label", true}, {"SLURM_MPI_TYPE", "mpi"},
    {"SLURM_OVERLAP", "overlap", true}, {"SLURM_PARTITION", "partition"},
    {"SLURM_STDERRMODE", "error"}, {"SLURM_STDINMODE", "input"},
    {"SLURM_STDOUTMODE", "output"}, {"SLURM_TIMELIMIT", "time"},
    {"SLURM_UNBUFFEREDIO", "unbuffered", true}, {"SLURM_WAIT", "wait"},
    {"SLURM_WORKING_DIR", "chdir"},
};

// One pass of getopt over argv; -1 to go on, else the exit code.
int ParseArgs(int argc, char** argv, Opts& o) {
  optind = 0;  // full re-initialisation (glibc)
  int c;
  const std::vector<option> longopts = LongOptions();
  const std::string shortopts = absl::StrCat("+", kAllocShortOptions, "luo:e:i:K::W:vQV");
  while ((c = getopt_long(argc, argv, shortopts.c_str(), longopts.data(), nullptr)) != -1) {
    for (const auto& lo : longopts)  // -v's record, by the first name for `c`
      if (lo.name && lo.val == c && c != 'V' && c != kHelp && c != kUsage) {
        o.shown[lo.name] = optarg ? optarg : "set";
        break;
      }
    std::string error;
    if (ParseAllocOption(c, optarg, &o.alloc, &error)) {
      if (!error.empty()) {
        PrintError("srun", error);
        return AllocErrorExit(error);
      }
      continue;
    }
    switch (c) {
      case 'l': o.label = true; break;
      case 'u': o.unbuffered = true; break;
      case 'o': o.output = optarg; break;
      case 'e': o.error = optarg; break;
      case 'i': o.input = optarg; break;
      case kExport: o.export_env = optarg; break;
      case kPty: o.pty = true; break;
      case 'K': o.kill_bad = !optarg || std::string(optarg) != "0"; break;
      case 'W': (void)absl::SimpleAtoi(optarg, &o.wait_s); break;
      case kOverlap: o.overlap = true; break;
      case kMultiProg: o.multi_prog = true; break;
      case kExact: o.exact = true; break;
      case kJobid:
        if (!absl::SimpleAtoi(optarg, &o.jobid) || o.jobid == 0) {
          std::fprintf(stderr, "srun: error: Invalid numeric value \"%s\" for --jobid.\n", optarg);
          return 1;
        }
        break;
      case kMpi:
        // MpiDefault=none and no MPI plugin here: only "none" can be met.
        if (std::string(optarg) != "none") {
          std::fprintf(stderr,
                       "srun: error: Couldn't find the specified plugin name for mpi/%s "
                       "looking at all files\n",
                       optarg);
          return 1;
        }
        break;
      case kCpuBind:
        if (auto b = common::ParseCpuBind(optarg); !b.ok()) {
          PrintError("srun", std::string(b.status().message()));
          std::fprintf(stderr, "srun: fatal: Failed to parse --cpu-bind= values.\n");
          return 1;
        }
        o.cpu_bind = optarg;
        break;
      case 'Q': o.alloc.quiet = true; break;
      case 'v': ++o.verbose; break;
      case 'V': std::printf("%s\n", kVersion); return 0;
      case kHelp: {
        std::string text = SrunHelp();  // Slurm 22.05's, byte for byte
        std::fwrite(text.data(), 1, text.size(), stdout);
        return 0;
      }
      case kUsage:
        std::printf("Usage: srun [OPTIONS] executable [args...]\n\nSee docs/CLI.md for the "
                    "options Sluice supports.\n");
        return 0;
      case '?': return 1;
      default: return NoHandler("srun", c);
    }
  }
  return -1;
}

int Main(int argc, char** argv) {
  argv[0] = const_cast<char*>("srun");
  Phases phases;
  Opts o;
  // Input variables first, so the command line wins.
  if (int rc = ParseInputVars("srun", kSrunInputVars, std::size(kSrunInputVars),
                              [&](int n, char** v) { return ParseArgs(n, v, o); });
      rc >= 0)
    return rc;
  if (int rc = ParseArgs(argc, argv, o); rc >= 0) return rc;
  for (int i = optind; i < argc; ++i) o.argv.push_back(argv[i]);
  if (o.verbose) {
    o.shown["verbose"] = std::to_string(o.verbose);
    if (o.alloc.mem_mb) o.shown["mem"] = std::to_string(o.alloc.mem_mb);
    if (o.alloc.time_limit_min) o.shown["time"] = DumpedTimeLimit(*o.alloc.time_limit_min);
    PrintDefinedOptions("srun", o.shown);
  }
  if (o.argv.empty()) return Fatal("No command given to execute.");
  std::string multi_prog;
  if (o.multi_prog) {
    // The file is read here, as the user, and checked; the nodes run each
    // task's line of it.
    auto text = ReadFile(o.argv[0]);
    if (!text) {
      PrintError("srun", absl::StrCat("Could not open multi_prog config file ", o.argv[0]));
      return 1;
    }
    auto lines = common::ParseMultiProg(*text, o.argv[0], o.alloc.ntasks_set ? o.alloc.ntasks : 0);
    if (!lines.ok()) {
      for (absl::string_view l : absl::StrSplit(lines.status().message(), '\n'))
        PrintError("srun", std::string(l));
      return 1;
    }
    multi_prog = *text;
  }
  auto cfg = LoadConfigOrComplain("srun");
  if (!cfg) return 1;
  CtldClient client(*cfg);
  phases.Mark("start");

  std::string cwd = CurrentDir();
  if (!o.alloc.work_dir.empty() && o.alloc.work_dir[0] != '/')
    o.alloc.work_dir = absl::StrCat(cwd, "/", o.alloc.work_dir);
  if (o.alloc.work_dir.empty()) o.alloc.work_dir = cwd;
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) env.emplace_back(*e);
  env = ExportedEnv(o.export_env, env);

  // The I/O listener before the allocation: nothing here
  // depends on it, and the controller's answer then meets a ready srun.
  IoOptions io;
  io.label = o.label;
  io.unbuffered = o.unbuffered;
  io.pty = o.pty;
  io.kill_on_bad_exit = o.kill_bad;
  io.wait_s = o.wait_s;
  // -o/-e/-i FILE are the nodes' to open (created when the step starts);
  // "none", "all" and task numbers stay srun's own routing.
  auto node_file = [](const std::string& v) {
    return !v.empty() && v != "none" && v != "all" &&
           v.find_first_not_of("0123456789") != std::string::npos;
  };
  const bool out_file = node_file(o.output), err_file = node_file(o.error),
             in_file = node_file(o.input);
  io.forward_stdin = o.input != "none" && !in_file;
  io.out_pattern = out_file ? "" : o.output;
  io.err_pattern = err_file || out_file ? "" : o.error;
  StepIoServer server(io, &client.auth());
  std::string host = LocalAddressFor(cfg->ctld_addr, cfg->ctld_port);
  uint16_t port = server.Listen(host);
  if (port == 0) return Fatal("cannot listen for the step's I/O");

  // Inside an allocation, a step of it; otherwise a new interactive job.
  uint64_t job = o.jobid;
  if (!job) {
    if (const char* j = getenv("SLURM_JOB_ID")) (void)absl::SimpleAtoi(j, &job);
  }
  bool own_job = job == 0;
  if (own_job) {
    // SLURM_NTASKS (or SLURM_NPROCS) and SLURM_NNODES stand for -n and -N.
    uint32_t v = 0;
    const char* n = getenv("SLURM_NTASKS");
    if (!n) n = getenv("SLURM_NPROCS");
    if (!o.alloc.ntasks_set && n && absl::SimpleAtoi(n, &v) && v) {
      o.alloc.ntasks = v;
      o.alloc.ntasks_set = true;
    }
    if (const char* e = getenv("SLURM_NNODES");
        !o.alloc.nodes_set && e && absl::SimpleAtoi(e, &v) && v) {
      o.alloc.nodes = v;
      o.alloc.nodes_set = true;
    }
  }
  if (!own_job && !o.alloc.ntasks_set && !o.alloc.nodes_set && !o.alloc.ntasks_per_node) {
    // Inside an allocation srun takes its task counts from the job's
    // variables, as Slurm's does (the command line wins).
    uint32_t v = 0;
    const char* nt = getenv("SLURM_NTASKS");
    if (!nt) nt = getenv("SLURM_NPROCS");
    if (nt && absl::SimpleAtoi(nt, &v)) o.alloc.ntasks = v;
    if (const char* e = getenv("SLURM_NTASKS_PER_NODE"); e && absl::SimpleAtoi(e, &v))
      o.alloc.ntasks_per_node = v;
  }
  if (!own_job && !o.alloc.cpus_per_task)
    if (const char* e = getenv("SLURM_CPUS_PER_TASK")) {
      uint32_t v = 0;
      if (absl::SimpleAtoi(e, &v)) o.alloc.cpus_per_task = v;
    }
  v1::CreateStepRequest sreq;
  sreq.set_job_id(job);
  sreq.set_ntasks(o.alloc.ntasks);
  sreq.set_nodes(o.alloc.nodes_set ? o.alloc.nodes : 0);
  sreq.set_ntasks_per_node(o.alloc.ntasks_per_node);
  sreq.set_cpus_per_task(o.alloc.cpus_per_task);
  sreq.set_name(o.argv[0].substr(o.argv[0].rfind('/') + 1));
  sreq.set_overlap(o.overlap);
  sreq.set_exact(o.exact);
  // -m, or SLURM_DISTRIBUTION (an input variable: sbatch/salloc -m), both
  // checked when parsed.
  const std::string& dist = o.alloc.distribution;
  if (!dist.empty()) sreq.set_cyclic(ParseDistribution(dist).value_or("") == "cyclic");
  if (!own_job) {
    // A step's own GPUs (--gpus-per-node=[type:]N or --gres=gpu[:type]:N)
    // and memory, within the job's; a new allocation's step has them all.
    uint32_t gpus = 0;
    if (!o.alloc.gpus_per_node.empty()) {
      absl::string_view n = o.alloc.gpus_per_node;
      (void)absl::SimpleAtoi(n.substr(n.rfind(':') + 1), &gpus);
    } else if (!o.alloc.gres.empty()) {
      if (auto g = common::ParseGres(o.alloc.gres); g.ok())
        for (const auto& spec : *g)
          if (spec.name == "gpu") gpus = static_cast<uint32_t>(spec.count);
    }
    sreq.set_gpus_per_node(gpus);
    sreq.set_mem_mb(o.alloc.mem_mb);
  }
  if (own_job && o.alloc.name.empty()) o.alloc.name = o.argv[0].substr(o.argv[0].rfind('/') + 1);
  // What the controller starts on the step's nodes once the step exists:
  // our environment and command, and where to connect back for the I/O.
  // (Who runs the tasks, where and with what is the controller's to say:
  // the template has no field for any of it.)
  v1::StepLaunchTemplate* launch = sreq.mutable_launch();
  launch->set_own_job(own_job);
  for (const auto& a : o.argv) launch->add_argv(a);
  for (const auto& e : env) launch->add_env(e);
  launch->set_cwd(o.alloc.work_dir);
  launch->set_pty(o.pty);
  launch->set_io_address(absl::StrCat(host, ":", port));
  launch->set_io_key(server.key());
  launch->set_stdin_all(o.input == "all");
  if (out_file) launch->set_std_out(o.output);
  if (err_file) launch->set_std_err(o.error);
  if (in_file) launch->set_std_in(o.input);
  launch->set_multi_prog(multi_prog);
  launch->set_cpu_bind(o.cpu_bind);
  launch->set_job_name(o.alloc.name);
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
  if (o.alloc.cpus_per_task)
    overrides.push_back(absl::StrCat("SLURM_CPUS_PER_TASK=", o.alloc.cpus_per_task));
  if (o.alloc.ntasks_per_node)
    overrides.push_back(absl::StrCat("SLURM_NTASKS_PER_NODE=", o.alloc.ntasks_per_node));
  if (!dist.empty()) overrides.push_back(absl::StrCat("SLURM_DISTRIBUTION=", dist));
  for (auto& v : overrides) launch->add_overrides(std::move(v));

  std::optional<v1::CreateStepReply> first_step;
  if (own_job) {
    o.alloc.env = env;
    auto id = Allocate(client, o.alloc, "srun", false, &sreq, &first_step);
    if (!id) return 1;
    job = *id;
    sreq.set_job_id(job);
    phases.Mark("allocate");
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
    for (const auto& n : step->nodes()) {
      std::vector<uint32_t> tasks(n.tasks().begin(), n.tasks().end());
      std::fprintf(stderr, "srun: launching StepId=%lu.%u on host %s, %d tasks: [%s]\n",
                   (unsigned long)job, step_id, n.name().c_str(), n.tasks_size(),
                   common::FormatIdRanges(tasks).c_str());
    }
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
