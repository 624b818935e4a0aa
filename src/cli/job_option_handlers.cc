#include "cli/job_option_handlers.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include <cstdlib>
#include "cli/signals.h"
#include "cli/user_env.h"
#include "common/cpu_bind.h"
#include "common/hostlist.h"

namespace sluice::cli::opt {
namespace {

bool OneOf(absl::string_view v, std::initializer_list<absl::string_view> words) {
  for (auto w : words)
    if (absl::EqualsIgnoreCase(v, w)) return true;
  return false;
}

bool Digits(absl::string_view v) {
  return !v.empty() && v.find_first_not_of("0123456789") == absl::string_view::npos;
}

CliFailure NotNumeric(absl::string_view value, absl::string_view option) {
  return Fail(absl::StrCat("Invalid numeric value \"", value, "\" for ", option, "."), 1);
}

// --cpu-freq: low, medium, high, highm1, a number (kHz), or min[-max[:gov]]
// with one of the governors.
bool ValidCpuFreq(absl::string_view v) {
  auto level = [](absl::string_view x) {
    return Digits(x) || OneOf(x, {"low", "medium", "high", "highm1"});
  };
  auto gov = [](absl::string_view x) {
    return OneOf(x, {"conservative", "ondemand", "performance", "powersave", "userspace",
                     "schedutil"});
  };
  absl::string_view range = v;
  if (size_t c = v.find(':'); c != v.npos) {
    range = v.substr(0, c);
    if (!gov(v.substr(c + 1))) return false;
  } else if (gov(v)) {
    return true;
  }
  std::vector<absl::string_view> mm = absl::StrSplit(range, '-');
  if (mm.size() > 2) return false;
  for (auto x : mm)
    if (!level(x)) return false;
  return true;
}

}  // namespace

CliFailure Refused(Command cmd, const std::string& reason) {
  return Fail(absl::StrCat(RefusalLead(cmd), reason), 1);
}

Result Inert(const OptionCall&) { return std::nullopt; }

Result NotSupported(const OptionCall& c) {
  return Fail(absl::StrCat(Dashed(c), " is not supported by this Sluice release"), 1);
}

Result InertCount(const OptionCall& c) {
  uint32_t n;
  if (!Digits(Arg(c)) || !absl::SimpleAtoi(Arg(c), &n)) return NotNumeric(Arg(c), Dashed(c));
  return std::nullopt;
}

Result InertPositive(const OptionCall& c) {
  uint32_t n;
  if (auto e = ParsePositive(ArgStr(c), Dashed(c).c_str(), &n)) return Fail(e->message, e->exit_code);
  return std::nullopt;
}

Result Nodes(const OptionCall& c) {
  // min[-max] with k/m suffixes: the minimum is what is allocated here.
  uint32_t lo, hi;
  if (auto e = ParseNodeCount(ArgStr(c), &lo, &hi)) return Fail(e->message, e->exit_code);
  c.o.nodes = std::max<uint32_t>(1, lo);
  return std::nullopt;
}

Result Gpus(const OptionCall& c) {
  // --gpus=[type:]N keeps its type through --gpus-per-node's parser.
  std::string v = ArgStr(c);
  std::string_view name = c.def.name;
  uint32_t n;
  if (!absl::SimpleAtoi(v.substr(v.rfind(':') + 1), &n)) {
    // Slurm checks --cpus-per-gpu as a number; a GPU count it cannot read
    // is a request no node can meet.
    if (name == "cpus-per-gpu") return NotNumeric(v, "--cpus-per-gpu");
    if (name == "gpus-per-task") {  // refused after Slurm's count check
      c.o.gpus_per_task = kUnreadableCount;
      return std::nullopt;
    }
    return Refused(c.cmd, "Requested node configuration is not available");
  }
  if (name == "gpus") {
    c.o.gpus = n;
    if (v.find(':') != std::string::npos)
      c.o.gpus_per_node = v.substr(0, v.rfind(':')) + ":0";  // type only
  } else if (name == "gpus-per-task") {
    c.o.gpus_per_task = n;
  } else {
    c.o.cpus_per_gpu = n;
  }
  return std::nullopt;
}

Result Exclusive(const OptionCall& c) {
  // =user and =mcs (no MCS plugin here) ask for whole nodes as plain
  // --exclusive does on this cluster.
  if (c.arg && !OneOf(c.arg, {"user", "mcs"})) return Fail("Invalid --exclusive specification");
  c.o.exclusive = true;
  if (!c.arg) c.o.shown["exclusive"] = "exclusive";
  return std::nullopt;
}

Result Requeue(const OptionCall& c) {
  c.o.requeue = 1;
  c.o.shown["requeue"] = "requeue";
  return std::nullopt;
}

Result NoRequeue(const OptionCall& c) {
  c.o.requeue = 0;
  return std::nullopt;
}

Result Signal(const OptionCall& c) {
  absl::string_view v = c.arg;
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
  c.o.signal_num = num;
  c.o.signal_secs = secs;
  c.o.signal_batch = batch;
  return std::nullopt;
}

Result Nice(const OptionCall& c) {
  // Slurm reads the leading number ("5x" is 5, "abc" 0), as strtol does.
  int64_t n = 100;  // Slurm's default when --nice has no value
  if (c.arg) n = std::strtoll(c.arg, nullptr, 10);
  if (n < -2147483645 || n > 2147483645)
    return Fail("Invalid nice value, must be between -2147483645 and 2147483645");
  if (!c.arg) c.o.shown["nice"] = "100";
  c.o.nice = static_cast<int32_t>(n);
  return std::nullopt;
}

Result Priority(const OptionCall& c) {
  // As Slurm reads it: TOP is the highest, a negative number is refused,
  // otherwise the leading number ("abc" and 0 mean no fixed priority).
  absl::string_view v = Arg(c);
  if (absl::EqualsIgnoreCase(v, "TOP")) {
    c.o.priority = 0xfffffffe;  // Slurm's highest settable priority
    return std::nullopt;
  }
  if (absl::StartsWith(absl::StripLeadingAsciiWhitespace(v), "-"))
    return Fail("Priority must be >= 0");
  uint64_t p = std::strtoull(c.arg, nullptr, 10);
  if (p) c.o.priority = p;
  return std::nullopt;
}

Result MailType(const OptionCall& c) {
  static const char* kTypes[] = {
      "NONE", "BEGIN", "END", "FAIL", "REQUEUE", "ALL", "INVALID_DEPEND", "STAGE_OUT",
      "TIME_LIMIT", "TIME_LIMIT_90", "TIME_LIMIT_80", "TIME_LIMIT_50", "ARRAY_TASKS"};
  for (absl::string_view t : absl::StrSplit(c.arg, ',')) {
    bool known = false;
    for (const char* k : kTypes) known |= absl::EqualsIgnoreCase(t, k);
    if (!known)  // sbatch and srun/salloc word it differently
      return Fail(c.cmd == kSbatch ? absl::StrCat("--mail-type=", c.arg, " invalid")
                                   : "Invalid --mail-type specification");
  }
  c.o.mail_type = c.arg;
  return std::nullopt;
}

Result Tmp(const OptionCall& c) {
  auto m = common::ParseMemoryMB(Arg(c));
  if (!m.ok()) return Fail("Invalid --tmp specification");
  c.o.tmp_mb = *m;  // the controller checks it against the nodes' TmpDisk
  return std::nullopt;
}

Result ThreadsPerCore(const OptionCall& c) {
  uint32_t n;
  if (!Digits(Arg(c)) || !absl::SimpleAtoi(Arg(c), &n) || n == 0)
    return NotNumeric(Arg(c), "--threads-per-core");
  if (n > 1) {  // every node here has one thread per core
    CliFailure f = Refused(c.cmd, "Requested node configuration is not available");
    if (c.cmd != kSbatch)
      f.message.insert(f.message.begin(),
                       "Socket, core and/or thread specification can not be satisfied");
    return f;
  }
  c.o.threads_per_core = n;
  return std::nullopt;
}

// No reservations exist on this cluster, and no licenses are configured.
Result Reservation(const OptionCall& c) { return Refused(c.cmd, "Requested reservation is invalid"); }
Result Licenses(const OptionCall& c) { return Refused(c.cmd, "Invalid license specification"); }

Result Distribution(const OptionCall& c) {
  auto d = ParseDistribution(ArgStr(c));
  if (!d.ok()) return Fail(std::string(d.status().message()), 255);
  c.o.distribution = ArgStr(c);
  return std::nullopt;
}

Result GetUserEnvOpt(const OptionCall& c) {
  if (!ParseGetUserEnv(ArgStr(c))) return Fail("Invalid --get-user-env specification");
  // sbatch loads the login environment into the job; salloc's job has no
  // environment of its own to fill, and Slurm's salloc does nothing with it.
  if (c.cmd == kSbatch) c.o.get_user_env = ArgStr(c);
  return std::nullopt;
}

Result Verbose(const OptionCall& c) {
  ++c.o.verbose;
  return std::nullopt;
}

Result Bbf(const OptionCall& c) {
  if (!ReadFile(ArgStr(c))) return Fail("Invalid --bbf specification", 1);
  return std::nullopt;
}

Result CoreSpec(const OptionCall& c) {
  c.o.warnings.push_back(
      "Ignoring -S since it's not allowed by configuration (AllowSpecResourcesUsage = No)");
  return std::nullopt;
}

Result ThreadSpec(const OptionCall& c) {
  c.o.warnings.push_back("Ignoring --thread-spec since it's not allowed by configuration "
                         "(AllowSpecResourcesUsage = No)");
  return std::nullopt;
}

Result CpuFreq(const OptionCall& c) {
  if (ValidCpuFreq(Arg(c))) return std::nullopt;
  return CliFailure{{absl::StrCat("unrecognized --cpu-freq argument \"", Arg(c), "\""),
                     "Invalid --cpu-freq argument"},
                    255};
}

Result DelayBoot(const OptionCall& c) {
  if (!common::ParseTimeLimit(Arg(c)).ok()) return Fail("Invalid --delay-boot specification");
  return std::nullopt;
}

Result GpuBind(const OptionCall& c) {
  absl::string_view x = Arg(c);
  if (absl::StartsWith(x, "verbose,")) x.remove_prefix(8);
  bool ok = OneOf(x, {"closest", "none", "verbose"}) || absl::StartsWith(x, "map_gpu:") ||
            absl::StartsWith(x, "mask_gpu:") || absl::StartsWith(x, "per_task:") ||
            absl::StartsWith(x, "single:");
  if (!ok) return Fail(absl::StrCat("Invalid --gpu-bind argument: gpu:", Arg(c)));
  return std::nullopt;
}

Result GpuFreq(const OptionCall& c) {
  for (absl::string_view part : absl::StrSplit(Arg(c), ',')) {
    absl::string_view val = part;
    if (absl::StartsWith(part, "memory=")) val = part.substr(7);
    if (!Digits(val) && !OneOf(val, {"low", "medium", "high", "highm1", "verbose"}))
      return Fail(absl::StrCat("Invalid --gpu-freq argument: gpu:", Arg(c)));
  }
  return std::nullopt;
}

Result GresFlags(const OptionCall& c) {
  if (!OneOf(Arg(c), {"enforce-binding", "disable-binding"}))
    return Fail("Invalid --gres-flags specification");
  return std::nullopt;
}

Result NodeFile(const OptionCall& c) {
  auto text = ReadFile(ArgStr(c));
  if (!text)
    return CliFailure{{absl::StrCat("slurm_allocate_resources error opening file ", Arg(c),
                                    ", No such file or directory"),
                       "Invalid --nodefile node file"},
                      255};
  std::vector<std::string> hosts;
  for (absl::string_view h : absl::StrSplit(*text, absl::ByAnyChar(" ,\t\n"), absl::SkipEmpty()))
    hosts.emplace_back(h);
  c.o.nodelist = common::CompressHostlist(hosts);  // as -w
  return std::nullopt;
}

Result ExtraNodeInfo(const OptionCall& c) {
  // S[:C[:T]], each a number or '*'.
  const char* which[] = {"first", "second", "third"};
  std::vector<absl::string_view> f = absl::StrSplit(Arg(c), ':');
  for (size_t i = 0; i < f.size() && i < 3; ++i) {
    uint32_t n = 0;
    if (f[i] == "*") continue;
    if (!Digits(f[i]) || !absl::SimpleAtoi(f[i], &n) || n == 0)
      return Fail(absl::StrCat("Invalid numeric value \"", f[i], "\" for ", which[i], " arg of -B."),
                  1);
    if (i == 0) c.o.sockets_per_node = n;
    if (i == 1) c.o.cores_per_socket = n;
    if (i == 2) c.o.threads_per_core = n;
  }
  return std::nullopt;
}

Result Power(const OptionCall& c) {
  if (!OneOf(Arg(c), {"level"})) {
    std::string w = absl::StrCat("Ignoring unrecognized power option (", Arg(c), ")");
    c.o.warnings.push_back(w);  // Slurm says it twice
    c.o.warnings.push_back(w);
  }
  return std::nullopt;
}

Result Profile(const OptionCall& c) {
  for (absl::string_view p : absl::StrSplit(Arg(c), ','))
    if (!OneOf(p, {"all", "none", "energy", "lustre", "network", "task"}))
      return Fail(absl::StrCat("invalid --profile=", Arg(c), " option"));
  return std::nullopt;
}

Result Switches(const OptionCall& c) {
  std::string v = ArgStr(c);
  std::string count = v.substr(0, v.find('@'));
  uint32_t n;
  if (!Digits(count) || !absl::SimpleAtoi(count, &n)) return NotNumeric(count, "--switches");
  return std::nullopt;
}

Result Hint(const OptionCall& c) {
  // One socket of single-threaded cores on every node, and no task/affinity
  // plugin in the reference (task/none): every hint leaves the job as it
  // is, as the reference's jobs were.
  absl::string_view v = Arg(c);
  if (OneOf(v, {"multithread", "nomultithread", "compute_bound", "memory_bound"}))
    return std::nullopt;
  return Fail(absl::StrCat("unrecognized --hint argument \"", v, "\", see --hint=help"), 1);
}

Result MemBind(const OptionCall& c) {
  absl::string_view v = Arg(c);
  if (absl::StartsWith(v, "verbose,")) v.remove_prefix(8);
  bool ok = OneOf(v, {"none", "no", "local", "rank", "verbose", "sort", "nosort", "prefer"}) ||
            absl::StartsWith(v, "map_mem:") || absl::StartsWith(v, "mask_mem:");
  if (!ok) return Fail(absl::StrCat("unrecognized --mem-bind argument \"", Arg(c), "\""));
  return std::nullopt;
}

Result AcctgFreq(const OptionCall& c) {
  // DATATYPE=SECONDS[,...] (task, energy, network, filesystem), or a bare
  // number of seconds for task sampling.
  for (absl::string_view part : absl::StrSplit(Arg(c), ',')) {
    std::vector<absl::string_view> kv = absl::StrSplit(part, absl::MaxSplits('=', 1));
    bool ok = kv.size() == 1 ? Digits(kv[0])
                             : OneOf(kv[0], {"task", "energy", "network", "filesystem"}) &&
                                   Digits(kv[1]);
    if (!ok) return Fail(absl::StrCat("Invalid --acctg-freq specification: ", Arg(c)));
  }
  return std::nullopt;
}

Result WaitAllNodes(const OptionCall& c) {
  // Nodes here are up when allocated (no power saving, no reboot): there is
  // nothing to wait for. Slurm's two commands word a bad value differently.
  std::string v = ArgStr(c);
  if (c.cmd == kSbatch && !Digits(v)) return NotNumeric(v, "--wait-all-nodes");
  if (v != "0" && v != "1") return Fail("Invalid --wait-all-nodes specification");
  return std::nullopt;
}

Result Prefer(const OptionCall& c) { return NotSupported(c); }

Result KillOnBadExit(const OptionCall& c) {
  if (c.arg && !Digits(c.arg)) return NotNumeric(c.arg, "--kill-on-bad-exit");
  c.o.kill_on_bad_exit = !c.arg || std::string_view(c.arg) != "0";
  return std::nullopt;
}

Result KillCommand(const OptionCall& c) {
  // A signal Slurm knows is checked, then refused: salloc does not watch
  // its allocation end to signal the command (docs/CLI.md).
  if (c.arg && ParseSignal(c.arg) == 0) return Fail("Invalid --kill-command specification");
  return NotSupported(c);
}

Result WaitSecs(const OptionCall& c) {
  uint32_t n;
  if (!Digits(Arg(c)) || !absl::SimpleAtoi(Arg(c), &n)) return NotNumeric(Arg(c), "--wait");
  c.o.wait_s = n;
  return std::nullopt;
}

Result JobId(const OptionCall& c) {
  uint64_t id;
  if (!absl::SimpleAtoi(Arg(c), &id) || id == 0) return NotNumeric(Arg(c), "--jobid");
  c.o.jobid = id;
  return std::nullopt;
}

Result Mpi(const OptionCall& c) {
  // MpiDefault=none and no MPI plugin here: only "none" can be met.
  if (Arg(c) == "none") return std::nullopt;
  return Fail(absl::StrCat("Couldn't find the specified plugin name for mpi/", Arg(c),
                           " looking at all files"),
              1);
}

Result CpuBind(const OptionCall& c) {
  if (auto b = common::ParseCpuBind(Arg(c)); !b.ok())
    return CliFailure{{std::string(b.status().message())}, 1, false,
                      {"Failed to parse --cpu-bind= values."}};
  c.o.cpu_bind = ArgStr(c);
  return std::nullopt;
}

Result HetGroup(const OptionCall& c) {
  // A job here has one component, group 0: naming it changes nothing.
  if (Arg(c) == "0") return std::nullopt;
  return NotSupported(c);
}

Result Compress(const OptionCall& c) {
  // Only --bcast compresses, and --bcast is refused.
  if (!c.arg || OneOf(c.arg, {"lz4", "zlib", "none"})) return std::nullopt;
  c.o.warnings.push_back(
      absl::StrCat("Compression type '", c.arg, "' unknown, disabling compression support."));
  return std::nullopt;
}

Result X11(const OptionCall& c) {
  // No X11 forwarding here (PrologFlags=X11 is not supported); without a
  // display Slurm's own words come first.
  const char* display = getenv("DISPLAY");
  if (!display || !*display) return Fail("No DISPLAY variable set, cannot setup x11 forwarding.", 1);
  return NotSupported(c);
}

Result Bell(const OptionCall& c) {
  c.o.bell = true;
  return std::nullopt;
}

Result NoBell(const OptionCall& c) {
  c.o.bell = false;
  return std::nullopt;
}

}  // namespace sluice::cli::opt
