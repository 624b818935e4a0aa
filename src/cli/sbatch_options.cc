#include "absl/strings/string_view.h"
#include "cli/sbatch_options.h"

#include <getopt.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "cli/cli_util.h"
#include "cli/sbatch_more_options.h"
#include "cli/user_env.h"
#include "cli/signals.h"
#include "common/sizes.h"
#include "common/time_spec.h"

namespace sluice::cli {
namespace {

enum LongOnly {
  kGpusPerNode = 1000, kGres, kWrap, kParsable, kHold, kTestOnly, kMem,
  kNtasksPerNode, kArray, kAccount, kQos, kComment, kExclusive, kContiguous,
  kRequeue, kNoRequeue, kBegin, kSignal, kExport, kOpenMode, kMailType,
  kMailUser, kWckey, kMemPerCpu, kMemPerGpu, kGpusPerTask, kCpusPerGpu, kGpus,
  kPriority, kReservation, kGetUserEnv, kWait, kNice, kUsage, kHelp, kVersion,
  kTmp, kLicenses, kDeadline, kTimeMin, kKillInvalidDep, kUid, kGid,
  kThreadsPerCore, kNoKill, kOvercommit, kSpreadJob, kPropagate, kMcsLabel,
  kMinCpus, kExportFile,
};

const struct option kLongOpts[] = {
    {"job-name", required_argument, nullptr, 'J'},
    {"output", required_argument, nullptr, 'o'},
    {"error", required_argument, nullptr, 'e'},
    {"input", required_argument, nullptr, 'i'},
    {"partition", required_argument, nullptr, 'p'},
    {"time", required_argument, nullptr, 't'},
    {"nodes", required_argument, nullptr, 'N'},
    {"ntasks", required_argument, nullptr, 'n'},
    {"cpus-per-task", required_argument, nullptr, 'c'},
    {"chdir", required_argument, nullptr, 'D'},
    {"workdir", required_argument, nullptr, 'D'},
    {"dependency", required_argument, nullptr, 'd'},
    {"constraint", required_argument, nullptr, 'C'},
    {"nodelist", required_argument, nullptr, 'w'},
    {"exclude", required_argument, nullptr, 'x'},
    {"account", required_argument, nullptr, 'A'},
    {"array", required_argument, nullptr, 'a'},
    {"quiet", no_argument, nullptr, 'Q'},
    {"verbose", no_argument, nullptr, 'v'},
    {"hold", no_argument, nullptr, 'H'},
    {"gpus-per-node", required_argument, nullptr, kGpusPerNode},
    {"gres", required_argument, nullptr, kGres},
    {"wrap", required_argument, nullptr, kWrap},
    {"parsable", no_argument, nullptr, kParsable},
    {"test-only", no_argument, nullptr, kTestOnly},
    {"mem", required_argument, nullptr, kMem},
    {"ntasks-per-node", required_argument, nullptr, kNtasksPerNode},
    {"tasks-per-node", required_argument, nullptr, kNtasksPerNode},
    {"qos", required_argument, nullptr, 'q'},
    {"comment", required_argument, nullptr, kComment},
    {"exclusive", optional_argument, nullptr, kExclusive},
    {"contiguous", no_argument, nullptr, kContiguous},
    {"requeue", no_argument, nullptr, kRequeue},
    {"no-requeue", no_argument, nullptr, kNoRequeue},
    {"begin", required_argument, nullptr, 'b'},
    {"signal", required_argument, nullptr, kSignal},
    {"export", required_argument, nullptr, kExport},
    {"open-mode", required_argument, nullptr, kOpenMode},
    {"mail-type", required_argument, nullptr, kMailType},
    {"mail-user", required_argument, nullptr, kMailUser},
    {"wckey", required_argument, nullptr, kWckey},
    {"mem-per-cpu", required_argument, nullptr, kMemPerCpu},
    {"mem-per-gpu", required_argument, nullptr, kMemPerGpu},
    {"gpus-per-task", required_argument, nullptr, kGpusPerTask},
    {"cpus-per-gpu", required_argument, nullptr, kCpusPerGpu},
    {"gpus", required_argument, nullptr, 'G'},
    {"priority", required_argument, nullptr, kPriority},
    {"reservation", required_argument, nullptr, kReservation},
    {"get-user-env", optional_argument, nullptr, kGetUserEnv},
    {"clusters", required_argument, nullptr, 'M'},
    {"wait", no_argument, nullptr, 'W'},
    {"nice", optional_argument, nullptr, kNice},
    {"tmp", required_argument, nullptr, kTmp},
    {"licenses", required_argument, nullptr, 'L'},
    {"deadline", required_argument, nullptr, kDeadline},
    {"time-min", required_argument, nullptr, kTimeMin},
    {"kill-on-invalid-dep", required_argument, nullptr, kKillInvalidDep},
    {"threads-per-core", required_argument, nullptr, kThreadsPerCore},
    {"no-kill", optional_argument, nullptr, 'k'},
    {"overcommit", no_argument, nullptr, 'O'},
    {"spread-job", no_argument, nullptr, kSpreadJob},
    {"mincpus", required_argument, nullptr, kMinCpus},
    {"export-file", required_argument, nullptr, kExportFile},
    {"propagate", optional_argument, nullptr, kPropagate},
    {"uid", required_argument, nullptr, kUid},
    {"distribution", required_argument, nullptr, 'm'},
    {"gid", required_argument, nullptr, kGid},
    {"bb", required_argument, nullptr, kOptBb},
    {"bbf", required_argument, nullptr, kOptBbf},
    {"cluster-constraint", required_argument, nullptr, kOptClusterConstraint},
    {"container", required_argument, nullptr, kOptContainer},
    {"core-spec", required_argument, nullptr, 'S'},
    {"cores-per-socket", required_argument, nullptr, kOptCoresPerSocket},
    {"cpu-freq", required_argument, nullptr, kOptCpuFreq},
    {"delay-boot", required_argument, nullptr, kOptDelayBoot},
    {"extra-node-info", required_argument, nullptr, 'B'},
    {"gpu-bind", required_argument, nullptr, kOptGpuBind},
    {"gpu-freq", required_argument, nullptr, kOptGpuFreq},
    {"gpus-per-socket", required_argument, nullptr, kOptGpusPerSocket},
    {"gres-flags", required_argument, nullptr, kOptGresFlags},
    {"ignore-pbs", no_argument, nullptr, kOptIgnorePbs},
    {"mcs-label", required_argument, nullptr, kOptMcsLabel},
    {"nodefile", required_argument, nullptr, 'F'},
    {"ntasks-per-core", required_argument, nullptr, kOptNtasksPerCore},
    {"ntasks-per-socket", required_argument, nullptr, kOptNtasksPerSocket},
    {"oversubscribe", no_argument, nullptr, 's'},
    {"power", required_argument, nullptr, kOptPower},
    {"profile", required_argument, nullptr, kOptProfile},
    {"reboot", no_argument, nullptr, kOptReboot},
    {"sockets-per-node", required_argument, nullptr, kOptSocketsPerNode},
    {"switches", required_argument, nullptr, kOptSwitches},
    {"thread-spec", required_argument, nullptr, kOptThreadSpec},
    {"use-min-nodes", no_argument, nullptr, kOptUseMinNodes},
    {"usage", no_argument, nullptr, kUsage},
    {"help", no_argument, nullptr, 'h'},
    {"version", no_argument, nullptr, 'V'},
    {nullptr, 0, nullptr, 0},
};
constexpr char kShortOpts[] = "+J:o:e:i:p:t:N:n:c:D:d:C:w:x:A:a:QvHq:b:M:WG:L:kOhVm:S:B:F:s";

CliFailure Fail(std::string msg, int code = 255) {
  return CliFailure{{std::move(msg)}, code, false};
}

// -v's record of option `c`: its canonical long name (the first table entry
// with its value) and what Slurm's dump shows for it. Paths are made
// absolute, and the time canonical, when the dump is printed.
std::optional<CliFailure> Record(int c, const char* a, SbatchOptions* o) {
  if (c == '?' || c == 'h' || c == kUsage || c == 'V') return std::nullopt;
  for (const auto& lo : kLongOpts) {
    if (!lo.name || lo.val != c) continue;
    std::string v = a ? a : "set";
    if (c == kExclusive && !a) v = "exclusive";
    if (c == kRequeue) v = "requeue";
    if (c == kNice && !a) v = "100";
    o->shown[lo.name] = v;
    break;
  }
  return std::nullopt;
}

bool ParseCount(const char* s, uint32_t* out) {
  return absl::SimpleAtoi(s, out);
}

}  // namespace

std::optional<CliFailure> ParseSbatchArgs(const std::vector<std::string>& args,
                                          SbatchOptions* o) {
  std::vector<std::string> store = {"sbatch"};
  store.insert(store.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : store) argv.push_back(s.data());
  argv.push_back(nullptr);
  int argc = static_cast<int>(store.size());
  optind = 0;  // full re-initialisation (glibc)
  opterr = 1;  // getopt prints Slurm's (glibc's) own messages
  int c;
  while ((c = getopt_long(argc, argv.data(), kShortOpts, kLongOpts, nullptr)) !=
         -1) {
    const char* a = optarg;
    if (auto f = Record(c, a, o)) return f;
    switch (c) {
      case 'J': o->job_name = a; break;
      case 'o': o->output = a; break;
      case 'e': o->error = a; break;
      case 'i': o->input = a; break;
      case 'p': o->partition = a; break;
      case 't': {
        auto t = common::ParseTimeLimit(a);
        if (!t.ok()) return Fail("Invalid --time specification");
        o->time_limit_min = *t;
        break;
      }
      case 'N': {
        // min[-max] with k/m suffixes: the minimum is what is allocated here.
        uint32_t lo, hi;
        if (auto e = ParseNodeCount(a, &lo, &hi)) return Fail(e->message, e->exit_code);
        o->nodes = std::max<uint32_t>(1, lo);
        break;
      }
      case 'n': case 'c': case kNtasksPerNode: {
        uint32_t n;
        const char* name = c == 'n' ? "--ntasks" : c == 'c' ? "--cpus-per-task" : "--ntasks-per-node";
        if (auto e = ParsePositive(a, name, &n)) return Fail(e->message, e->exit_code);
        (c == 'n' ? o->ntasks : c == 'c' ? o->cpus_per_task : o->ntasks_per_node) = n;
        break;
      }
      case kMem: case kMemPerCpu: case kMemPerGpu: {
        auto m = common::ParseMemoryMB(a);
        if (!m.ok())
          return Fail(c == kMem       ? "Invalid --mem specification"
                      : c == kMemPerCpu ? "Invalid --mem-per-cpu specification"
                                        : "Invalid --mem-per-gpu specification");
        (c == kMem ? o->mem_mb : c == kMemPerCpu ? o->mem_per_cpu_mb : o->mem_per_gpu_mb) = *m;
        break;
      }
      case 'G': case kGpusPerTask: case kCpusPerGpu: {
        // --gpus=[type:]N keeps its type through --gpus-per-node's parser.
        std::string v = a;
        std::string count = v.substr(v.rfind(':') + 1);
        uint32_t n;
        if (!ParseCount(count.c_str(), &n))
          return Fail(absl::StrCat("Invalid ", c == 'G' ? "--gpus" : c == kGpusPerTask
                                                                     ? "--gpus-per-task"
                                                                     : "--cpus-per-gpu",
                                   " specification"));
        if (c == 'G') {
          o->gpus = n;
          if (v.find(':') != std::string::npos)
            o->gpus_per_node = v.substr(0, v.rfind(':')) + ":0";  // type only
        } else if (c == kGpusPerTask) {
          o->gpus_per_task = n;
        } else {
          o->cpus_per_gpu = n;
        }
        break;
      }
      case kExclusive: o->exclusive = true; break;
      case kContiguous: o->contiguous = true; break;
      case kRequeue: o->requeue = 1; break;
      case kNoRequeue: o->requeue = 0; break;
      case kSignal: {
        absl::string_view v = a;
        bool batch = false;
        if (absl::ConsumePrefix(&v, "B:")) batch = true;
        else if (absl::ConsumePrefix(&v, "R:")) {}  // reservation end: as usual
        uint32_t secs = 60;
        size_t at = v.find('@');
        std::string sig(v.substr(0, at));
        int num = ParseSignal(sig.c_str());
        if (num == 0 || (at != absl::string_view::npos &&
                         (!absl::SimpleAtoi(v.substr(at + 1), &secs) || secs > 65535)))
          return Fail("Invalid --signal specification");
        o->signal_num = num;
        o->signal_secs = secs;
        o->signal_batch = batch;
        break;
      }
      case kNice: {
        int32_t n = 100;  // Slurm's default when --nice has no value
        if (a && (!absl::SimpleAtoi(a, &n) || n < -2147483645 || n > 2147483645))
          return Fail("Invalid nice value, must be between -2147483645 and 2147483645");
        o->nice = n;
        break;
      }
      case kPriority: {
        uint64_t p;
        if (!absl::SimpleAtoi(a, &p) || p == 0)
          return Fail(absl::StrCat("Invalid --priority specification: ", a));
        o->priority = p;
        break;
      }
      case 'D': o->chdir = a; break;
      case 'd': o->dependency = a; break;
      case 'C': o->constraint = a; break;
      case 'w': o->nodelist = a; break;
      case 'x': o->exclude = a; break;
      case 'A': o->account = a; break;
      case 'a': o->array = a; break;
      case 'q': o->qos = a; break;
      case 'b': o->begin = a; break;
      case kExport: o->export_env = a; break;
      case kOpenMode: o->open_mode = a; break;
      case kGpusPerNode: o->gpus_per_node = a; break;
      case kGres: o->gres = a; break;
      case kWrap: o->wrap = a; break;
      case kParsable: o->parsable = true; break;
      case 'H': o->hold = true; break;
      case kTestOnly: o->test_only = true; break;
      case 'W': o->wait = true; break;
      case 'Q': o->quiet = true; break;
      case 'v': ++o->verbose; break;
      case 'h': o->help = true; break;
      case kUsage: o->usage = true; break;
      case 'V': o->version = true; break;
      case kComment: o->comment = a; break;
      case kMailType:
        for (absl::string_view t : absl::StrSplit(a, ',')) {
          static const char* kTypes[] = {
              "NONE", "BEGIN", "END", "FAIL", "REQUEUE", "ALL", "INVALID_DEPEND", "STAGE_OUT",
              "TIME_LIMIT", "TIME_LIMIT_90", "TIME_LIMIT_80", "TIME_LIMIT_50", "ARRAY_TASKS"};
          bool known = false;
          for (const char* k : kTypes) known |= absl::EqualsIgnoreCase(t, k);
          if (!known) return Fail(absl::StrCat("--mail-type=", a, " invalid"));
        }
        o->mail_type = a;
        break;
      case kMailUser: o->mail_user = a; break;
      case kWckey: o->wckey = a; break;
      case 'M': o->clusters = a; break;
      case kTmp: {
        auto m = common::ParseMemoryMB(a);
        if (!m.ok()) return Fail("Invalid --tmp specification");
        // No node here declares TmpDisk, so only --tmp=0 can be met.
        if (*m > 0)
          return Fail("Batch job submission failed: Requested node configuration is not available",
                      1);
        o->tmp_mb = *m;
        break;
      }
      case kThreadsPerCore: {
        uint32_t n;
        if (!ParseCount(a, &n) || n == 0) return Fail("Invalid --threads-per-core specification");
        // Every node here has one thread per core.
        if (n > 1)
          return Fail("Batch job submission failed: Requested node configuration is not available",
                      1);
        o->threads_per_core = n;
        break;
      }
      case kReservation:
        // No reservations exist on this cluster.
        return Fail("Batch job submission failed: Requested reservation is invalid", 1);
      case 'L':
        // No licenses are configured (slurm.conf Licenses=).
        return Fail("Batch job submission failed: Invalid license specification", 1);
      case kDeadline: o->deadline = a; break;
      case 'm': {
        auto d = ParseDistribution(a);
        if (!d.ok()) return Fail(std::string(d.status().message()), 255);
        o->distribution = a;
        break;
      }
      case kUid: o->uid = a; break;  // resolved (and root-only) in sbatch_main
      case kGid: o->gid = a; break;  // parsed with --begin's rules in sbatch_main
      case kTimeMin: {
        auto t = common::ParseTimeLimit(a);
        if (!t.ok()) return Fail("Invalid --time-min specification");
        o->time_min_min = *t;
        break;
      }
      case kGetUserEnv:
        if (!ParseGetUserEnv(a ? a : "")) return Fail("Invalid --get-user-env specification");
        o->get_user_env = a ? a : "";
        break;
      case kKillInvalidDep: case 'k':
      case kSpreadJob: o->spread_job = true; break;
      case kMinCpus: {
        uint32_t n;
        if (auto e = ParsePositive(a, "--mincpus", &n)) return Fail(e->message, e->exit_code);
        o->mincpus = n;
        break;
      }
      case kExportFile: o->export_file = a; break;  // read in sbatch_main
      case 'O': case kPropagate: {
        // Refused rather than ignored: each would change how or whether
        // the job runs (see docs/CLI.md).
        std::string name = "--";
        for (const auto& lo : kLongOpts)
          if (lo.name && lo.val == c) {
            name += lo.name;
            break;
          }
        return Fail(absl::StrCat(name, " is not supported by this Sluice release"), 1);
      }
      case 'S': case 'B': case 'F': case 's':
      case kOptBb: case kOptBbf: case kOptClusterConstraint: case kOptContainer:
      case kOptCoresPerSocket: case kOptCpuFreq: case kOptDelayBoot:
      case kOptGpuBind: case kOptGpuFreq: case kOptGpusPerSocket:
      case kOptGresFlags: case kOptIgnorePbs: case kOptMcsLabel:
      case kOptNtasksPerCore: case kOptNtasksPerSocket: case kOptPower:
      case kOptProfile: case kOptReboot: case kOptSocketsPerNode: case kOptSwitches:
      case kOptThreadSpec: case kOptUseMinNodes: {
        std::optional<CliFailure> fail;
        HandleMoreSbatchOption(c, a, o, &fail);
        if (fail) return fail;
        break;
      }
      case '?': return CliFailure{{}, 255, true};
      default:
        return Fail(absl::StrCat("internal error: option ", c, " has no handler"), 1);
    }
  }
  for (int i = optind; i < argc; ++i) o->positional.push_back(argv[i]);
  return std::nullopt;
}

std::vector<std::string> SbatchLongOptionNames() {
  std::vector<std::string> out;
  for (const auto& lo : kLongOpts)
    if (lo.name) out.push_back(lo.name);
  return out;
}

namespace {
// Every input variable of Slurm 22.05's sbatch(1), with the option whose
// value it supplies; flags are set by any non-empty value. Each goes
// through the option table like the option itself: acted on, refused, or
// inert exactly as the option is (an option Sluice's table lacks is refused
// by getopt, never dropped).
constexpr InputVar kSbatchInputVars[] = {
    {"SBATCH_ACCOUNT", "account"}, {"SBATCH_ACCTG_FREQ", "acctg-freq"},
    {"SBATCH_ARRAY_INX", "array"}, {"SBATCH_BATCH", "batch"},
    {"SBATCH_CLUSTERS", "clusters"}, {"SBATCH_CONSTRAINT", "constraint"},
    {"SBATCH_CONTAINER", "container"}, {"SBATCH_CORE_SPEC", "core-spec"},
    {"SBATCH_CPUS_PER_GPU", "cpus-per-gpu"}, {"SBATCH_DEBUG", "verbose", true},
    {"SBATCH_DELAY_BOOT", "delay-boot"}, {"SBATCH_DISTRIBUTION", "distribution"},
    {"SBATCH_ERROR", "error"}, {"SBATCH_EXCLUSIVE", "exclusive"},
    {"SBATCH_EXPORT", "export"}, {"SBATCH_GET_USER_ENV", "get-user-env"},
    {"SBATCH_GPUS", "gpus"}, {"SBATCH_GPUS_PER_NODE", "gpus-per-node"},
    {"SBATCH_GPUS_PER_TASK", "gpus-per-task"}, {"SBATCH_GPU_BIND", "gpu-bind"},
    {"SBATCH_GPU_FREQ", "gpu-freq"}, {"SBATCH_GRES", "gres"},
    {"SBATCH_GRES_FLAGS", "gres-flags"}, {"SBATCH_HINT", "hint"},
    {"SBATCH_HOLD", "hold", true}, {"SBATCH_IGNORE_PBS", "ignore-pbs", true},
    {"SBATCH_INPUT", "input"}, {"SBATCH_JOB_NAME", "job-name"},
    {"SBATCH_MEM_BIND", "mem-bind"}, {"SBATCH_MEM_PER_CPU", "mem-per-cpu"},
    {"SBATCH_MEM_PER_GPU", "mem-per-gpu"}, {"SBATCH_MEM_PER_NODE", "mem"},
    {"SBATCH_NETWORK", "network"}, {"SBATCH_NO_KILL", "no-kill", true},
    {"SBATCH_NO_REQUEUE", "no-requeue", true}, {"SBATCH_OPEN_MODE", "open-mode"},
    {"SBATCH_OUTPUT", "output"}, {"SBATCH_OVERCOMMIT", "overcommit", true},
    {"SBATCH_PARTITION", "partition"}, {"SBATCH_POWER", "power"},
    {"SBATCH_PROFILE", "profile"}, {"SBATCH_QOS", "qos"},
    {"SBATCH_REQUEUE", "requeue", true}, {"SBATCH_REQ_SWITCH", "switches"},
    {"SBATCH_RESERVATION", "reservation"}, {"SBATCH_SIGNAL", "signal"},
    {"SBATCH_SPREAD_JOB", "spread-job", true},
    {"SBATCH_THREADS_PER_CORE", "threads-per-core"}, {"SBATCH_THREAD_SPEC", "thread-spec"},
    {"SBATCH_TIMELIMIT", "time"}, {"SBATCH_USE_MIN_NODES", "use-min-nodes", true},
    {"SBATCH_WAIT", "wait", true}, {"SBATCH_WAIT_ALL_NODES", "wait-all-nodes"},
    {"SBATCH_WCKEY", "wckey"},
};
}  // namespace

std::vector<std::string> SbatchInputVariables() {
  std::vector<std::string> out;
  for (const auto& v : kSbatchInputVars) out.push_back(v.var);
  return out;
}

std::optional<CliFailure> ApplyInputEnv(
    const std::function<const char*(const char*)>& getenv, SbatchOptions* o) {
  for (const auto& v : kSbatchInputVars) {  // through `getenv`, which tests replace
    const char* value = getenv(v.var);
    if (!value || !*value) continue;
    std::string arg = v.flag ? absl::StrCat("--", v.option)
                             : absl::StrCat("--", v.option, "=", value);
    if (auto f = ParseSbatchArgs({arg}, o)) return f;
  }
  return std::nullopt;
}

}  // namespace sluice::cli
