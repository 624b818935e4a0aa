#include "cli/sbatch_more_options.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cli/cli_util.h"
#include "common/hostlist.h"
#include "common/time_spec.h"

namespace sluice::cli {
namespace {

CliFailure Fail(std::vector<std::string> lines, int code) {
  return CliFailure{std::move(lines), code, false};
}

bool OneOf(absl::string_view v, std::initializer_list<absl::string_view> words) {
  for (auto w : words)
    if (absl::EqualsIgnoreCase(v, w)) return true;
  return false;
}

bool Digits(absl::string_view v) {
  return !v.empty() && v.find_first_not_of("0123456789") == absl::string_view::npos;
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
  absl::string_view range = v, g;
  if (size_t c = v.find(':'); c != v.npos) {
    range = v.substr(0, c);
    g = v.substr(c + 1);
    if (!gov(g)) return false;
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

bool HandleMoreSbatchOption(int c, const char* a, SbatchOptions* o,
                            std::optional<CliFailure>* fail) {
  absl::string_view v = a ? a : "";
  auto positive = [&](const char* name, std::optional<uint32_t>* out) {
    uint32_t n;
    if (auto e = ParsePositive(std::string(v), name, &n)) *fail = Fail({e->message}, e->exit_code);
    else if (out) *out = n;
  };
  switch (c) {
    // Inert here as in Slurm (accepted, nothing to act on; docs/CLI.md).
    case kOptBb: case kOptClusterConstraint: case kOptContainer: case kOptReboot:
    case 's':  // --oversubscribe: every partition here is OverSubscribe=NO
      return true;
    case kOptIgnorePbs: case kOptUseMinNodes:
      return true;  // what Sluice always does: no #PBS lines read; -N min is what is allocated
    case kOptBbf:
      if (!ReadFile(std::string(v))) *fail = Fail({"Invalid --bbf specification"}, 1);
      return true;
    case 'S':  // --core-spec
      o->warnings.push_back(
          "Ignoring -S since it's not allowed by configuration (AllowSpecResourcesUsage = No)");
      return true;
    case kOptThreadSpec:
      o->warnings.push_back("Ignoring --thread-spec since it's not allowed by configuration "
                            "(AllowSpecResourcesUsage = No)");
      return true;
    case kOptCpuFreq:
      if (!ValidCpuFreq(v))
        *fail = Fail({absl::StrCat("unrecognized --cpu-freq argument \"", v, "\""),
                      "Invalid --cpu-freq argument"}, 255);
      return true;
    case kOptDelayBoot:
      if (!common::ParseTimeLimit(v).ok()) *fail = Fail({"Invalid --delay-boot specification"}, 255);
      return true;
    case kOptGpuBind: {
      absl::string_view x = v;
      if (absl::StartsWith(x, "verbose,")) x.remove_prefix(8);
      bool ok = OneOf(x, {"closest", "none", "verbose"}) || absl::StartsWith(x, "map_gpu:") ||
                absl::StartsWith(x, "mask_gpu:") || absl::StartsWith(x, "per_task:") ||
                absl::StartsWith(x, "single:");
      if (!ok) *fail = Fail({absl::StrCat("Invalid --gpu-bind argument: gpu:", v)}, 255);
      return true;
    }
    case kOptGpuFreq: {
      bool ok = true;
      for (absl::string_view part : absl::StrSplit(v, ',')) {
        absl::string_view val = part;
        if (absl::StartsWith(part, "memory=")) val = part.substr(7);
        ok &= Digits(val) || OneOf(val, {"low", "medium", "high", "highm1", "verbose"});
      }
      if (!ok) *fail = Fail({absl::StrCat("Invalid --gpu-freq argument: gpu:", v)}, 255);
      return true;
    }
    case kOptGresFlags:
      if (!OneOf(v, {"enforce-binding", "disable-binding"}))
        *fail = Fail({"Invalid --gres-flags specification"}, 255);
      return true;
    case kOptMcsLabel:
      return true;  // no MCS plugin: nothing labels or separates jobs here
    case 'F': {  // --nodefile
      auto text = ReadFile(std::string(v));
      if (!text) {
        *fail = Fail({absl::StrCat("slurm_allocate_resources error opening file ", v,
                                   ", No such file or directory"),
                      "Invalid --nodefile node file"}, 255);
        return true;
      }
      std::vector<std::string> hosts;
      for (absl::string_view h : absl::StrSplit(*text, absl::ByAnyChar(" ,\t\n"), absl::SkipEmpty()))
        hosts.emplace_back(h);
      o->nodelist = common::CompressHostlist(hosts);  // as -w
      return true;
    }
    case kOptNtasksPerCore: positive("--ntasks-per-core", nullptr); return true;
    case kOptNtasksPerSocket: positive("--ntasks-per-socket", nullptr); return true;
    case kOptSocketsPerNode: positive("--sockets-per-node", &o->sockets_per_node); return true;
    case kOptCoresPerSocket: positive("--cores-per-socket", &o->cores_per_socket); return true;
    case kOptGpusPerSocket: positive("--gpus-per-socket", &o->gpus_per_socket); return true;
    case 'B': {  // --extra-node-info
      // S[:C[:T]], each a number or '*'.
      const char* which[] = {"first", "second", "third"};
      std::vector<absl::string_view> f = absl::StrSplit(v, ':');
      for (size_t i = 0; i < f.size() && i < 3; ++i) {
        uint32_t n = 0;
        if (f[i] == "*") continue;
        if (!Digits(f[i]) || !absl::SimpleAtoi(f[i], &n) || n == 0) {
          *fail = Fail({absl::StrCat("Invalid numeric value \"", f[i], "\" for ", which[i],
                                     " arg of -B.")}, 1);
          return true;
        }
        if (i == 0) o->sockets_per_node = n;
        if (i == 1) o->cores_per_socket = n;
        if (i == 2) o->threads_per_core = n;
      }
      return true;
    }
    case kOptPower:
      if (!OneOf(v, {"level"})) {
        std::string w = absl::StrCat("Ignoring unrecognized power option (", v, ")");
        o->warnings.push_back(w);  // Slurm says it twice
        o->warnings.push_back(w);
      }
      return true;
    case kOptProfile:
      for (absl::string_view p : absl::StrSplit(v, ','))
        if (!OneOf(p, {"all", "none", "energy", "lustre", "network", "task"})) {
          *fail = Fail({absl::StrCat("invalid --profile=", v, " option")}, 255);
          break;
        }
      return true;
    case kOptSwitches: {
      std::string count(v.substr(0, v.find('@')));
      uint32_t n;
      if (!Digits(count) || !absl::SimpleAtoi(count, &n))
        *fail = Fail({absl::StrCat("Invalid numeric value \"", count, "\" for --switches.")}, 1);
      return true;
    }
    default:
      return false;
  }
}

std::optional<CliFailure> FinishTopology(SbatchOptions* o) {
  if (o->gpus_per_socket) {
    if (!o->sockets_per_node)
      return Fail({"--gpus-per-socket option requires --sockets-per-node specification",
                   "Invalid generic resource (gres) specification"}, 1);
    o->gpus_per_node = std::to_string(*o->gpus_per_socket * *o->sockets_per_node);
  }
  return std::nullopt;
}

}  // namespace sluice::cli
