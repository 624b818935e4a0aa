// The engine over the option table: getopt_long's arrays for each command
// are built from it, and every option found goes to its entry's handler.
#include "cli/job_options.h"

#include <getopt.h>

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cli/cli_util.h"
#include "cli/job_option_handlers.h"
#include <algorithm>

namespace sluice::cli {
namespace {

constexpr int kLongBase = 1000;  // getopt value of entry i without a letter

// getopt_long's view of one command's part of the table.
struct Getopt {
  std::vector<option> longs;
  std::string shorts = "+";  // stop at the first non-option, as Slurm does
  std::map<int, const OptionDef*> by_value;
};

const Getopt& GetoptFor(Command cmd) {
  static const Getopt* cache[kSalloc + 1] = {};
  if (cache[cmd]) return *cache[cmd];
  auto* g = new Getopt;  // built once per process, kept
  std::span<const OptionDef> table = JobOptionTable();
  for (size_t i = 0; i < table.size(); ++i) {
    const OptionDef& d = table[i];
    if (!(d.commands & cmd)) continue;
    int value = d.letter ? d.letter : kLongBase + static_cast<int>(i);
    g->by_value[value] = &d;
    g->longs.push_back({d.name, d.has_arg, nullptr, value});
    if (d.alias) g->longs.push_back({d.alias, d.has_arg, nullptr, value});
    if (d.letter) {
      g->shorts += d.letter;
      if (d.has_arg == required_argument) g->shorts += ':';
      if (d.has_arg == optional_argument) g->shorts += "::";
    }
  }
  g->longs.push_back({nullptr, 0, nullptr, 0});
  cache[cmd] = g;
  return *g;
}

std::optional<CliFailure> Apply(const OptionDef& d, const char* arg, Command cmd,
                                JobOptions* o) {
  // -v's record: the value as given ("set" for a flag); a handler may put
  // what Slurm's dump shows instead.
  if (d.letter != 'v' && d.letter != 'V' && std::string_view(d.name) != "help" &&
      std::string_view(d.name) != "usage")
    o->shown[d.name] = arg ? arg : "set";
  return d.handle(OptionCall{d, arg, cmd, *o});
}

}  // namespace

const char* CommandName(Command cmd) {
  return cmd == kSbatch ? "sbatch" : cmd == kSrun ? "srun" : "salloc";
}

const char* RefusalLead(Command cmd) {
  return cmd == kSbatch ? "Batch job submission failed: "
         : cmd == kSrun ? "Unable to allocate resources: "
                        : "Job submit/allocate failed: ";
}

std::optional<CliFailure> ParseJobArgs(Command cmd, const std::vector<std::string>& args,
                                       JobOptions* o) {
  const Getopt& g = GetoptFor(cmd);
  std::vector<std::string> store = {CommandName(cmd)};
  store.insert(store.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : store) argv.push_back(s.data());
  argv.push_back(nullptr);
  int argc = static_cast<int>(store.size());
  optind = 0;  // full re-initialisation (glibc)
  opterr = 1;  // getopt prints Slurm's (glibc's) own messages
  int c;
  while ((c = getopt_long(argc, argv.data(), g.shorts.c_str(), g.longs.data(), nullptr)) != -1) {
    if (c == '?') return CliFailure{{}, 255, true};
    auto it = g.by_value.find(c);
    if (it == g.by_value.end())  // cannot happen: every value comes from the table
      return CliFailure{{absl::StrCat("internal error: option ", c, " has no entry")}, 1};
    if (auto f = Apply(*it->second, optarg, cmd, o)) return f;
  }
  for (int i = optind; i < argc; ++i) o->positional.push_back(argv[i]);
  return std::nullopt;
}

namespace {
const char* VarFor(const OptionDef& d, Command cmd) {
  return cmd == kSbatch ? d.sbatch_var : cmd == kSrun ? d.srun_var : d.salloc_var;
}
}  // namespace

std::optional<CliFailure> ApplyInputEnv(Command cmd,
                                        const std::function<const char*(const char*)>& getenv,
                                        JobOptions* o) {
  for (const OptionDef& d : JobOptionTable()) {
    const char* var = VarFor(d, cmd);
    if (!var || !(d.commands & cmd)) continue;
    const char* value = getenv(var);
    if (!value || !*value) continue;
    if (auto f = Apply(d, d.has_arg == no_argument ? nullptr : value, cmd, o)) return f;
  }
  return std::nullopt;
}

std::vector<std::string> LongOptionNames(Command cmd) {
  std::vector<std::string> out;
  for (const OptionDef& d : JobOptionTable()) {
    if (!(d.commands & cmd)) continue;
    out.push_back(d.name);
    if (d.alias) out.push_back(d.alias);
  }
  return out;
}

std::vector<std::string> InputVariables(Command cmd) {
  std::vector<std::string> out;
  for (const OptionDef& d : JobOptionTable())
    if (const char* v = VarFor(d, cmd); v && (d.commands & cmd)) out.push_back(v);
  return out;
}

std::optional<CliFailure> CheckGpusPerTask(Command cmd, const JobOptions& o, bool need_count) {
  if (!o.gpus_per_task) return std::nullopt;
  if (need_count && !o.gpus && !o.ntasks)
    return CliFailure{{"Failed to validate job spec. --gpus-per-task used without either --gpus "
                       "or -n/--ntasks is not allowed.",
                       "Invalid generic resource (gres) specification"},
                      1};
  if (*o.gpus_per_task == kUnreadableCount)
    return opt::Refused(cmd, "Requested node configuration is not available");
  return std::nullopt;
}

int ReportFailure(Command cmd, const CliFailure& f) {
  for (const auto& line : f.message) PrintError(CommandName(cmd), line);
  for (const auto& line : f.fatal) std::fprintf(stderr, "%s: fatal: %s\n", CommandName(cmd), line.c_str());
  if (f.usage_hint)
    std::fprintf(stderr, "Try \"%s --help\" for more information\n", CommandName(cmd));
  return f.exit_code;
}

std::optional<CliFailure> FinishOptions(Command cmd, JobOptions* o) {
  if (o->gpus_per_socket) {
    if (!o->sockets_per_node)
      return CliFailure{{"--gpus-per-socket option requires --sockets-per-node specification",
                         "Invalid generic resource (gres) specification"},
                        1};
    o->gpus_per_node = std::to_string(*o->gpus_per_socket * *o->sockets_per_node);
  }
  // --ntasks-per-gpu, as Slurm's man page has it: with a GPU count and no
  // task count, that many tasks for each GPU; with a task count and no GPU
  // count, enough GPUs for the tasks.
  if (uint32_t per = o->ntasks_per_gpu.value_or(0)) {
    if (o->gpus && !o->ntasks) o->ntasks = per * *o->gpus;
    else if (o->ntasks && !o->gpus) o->gpus = (*o->ntasks + per - 1) / per;
  }
  if (cmd != kSrun)
    if (auto f = CheckGpusPerTask(cmd, *o, true)) return f;
  if (o->batch) {
    // The batch host's features must be among the job's --constraint;
    // every node the job gets has those, so a subset asks nothing more.
    std::vector<std::string> have =
        absl::StrSplit(o->constraint.value_or(""), absl::ByAnyChar("&,|"));
    for (absl::string_view f : absl::StrSplit(*o->batch, absl::ByAnyChar("&,")))
      if (std::find(have.begin(), have.end(), f) == have.end())
        return opt::Refused(cmd, "Job --batch option is invalid or not a subset of --constraints");
  }
  return std::nullopt;
}

}  // namespace sluice::cli
