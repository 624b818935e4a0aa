// Small helpers every command shares: loading the config the Slurm way,
// printing Slurm-style errors, reading files. Not thread-safe (stdio).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "common/slurm_conf.h"

namespace sluice::cli {

// Loads slurm.conf ($SLURM_CONF or the default); on failure prints
// "<cmd>: error: ..." and returns nullopt.
std::optional<common::SlurmConfig> LoadConfigOrComplain(const char* cmd);

void PrintError(const char* cmd, const std::string& msg);  // "cmd: error: msg"

// -M/--clusters: one cluster, one controller, so only this cluster's
// ClusterName (or "all", where `all_ok`) can be meant. Prints Slurm's
// "No cluster 'X' known by database." and returns false for any other.
bool OnlyThisCluster(const char* cmd, const std::string& clusters,
                     const common::SlurmConfig& cfg, bool all_ok);

// The default of every command's option switch: an option in the table
// without a case. Prints an internal error; returns the exit code 1.
int NoHandler(const char* cmd, int option);

// -v's dump of the options given, as Slurm prints it to stderr:
// "cmd: defined options", a rule, "cmd: NAME<pad to 20>: VALUE" by name,
// a rule, "cmd: end of defined options".
void PrintDefinedOptions(const char* cmd, const std::map<std::string, std::string>& shown);
// A time limit in minutes as that dump shows it: "00:10:00", "2-03:05:00".
std::string DumpedTimeLimit(int64_t minutes);

// Counts as sbatch, srun and salloc read them. A failure is Slurm's message
// (without "cmd: error: ") and its exit code.
struct CountError {
  std::string message;
  int exit_code;
};
// -N/--nodes: MIN[-MAX], each with an optional k (x1024) or m (x1048576)
// suffix: `"X" is not a valid node count` (255), `Maximum node count M is
// less than minimum node count N` (255). 0 is taken (Slurm submits it).
std::optional<CountError> ParseNodeCount(const std::string& text, uint32_t* min,
                                         uint32_t* max);
// A positive whole number for `option` ("--ntasks"): anything else is
// `Invalid numeric value "X" for --ntasks.` (exit 1).
std::optional<CountError> ParsePositive(const std::string& text, const char* option,
                                        uint32_t* out);

// -m/--distribution: "block" or "cyclic" for nodes, then optionally
// ":block|cyclic|fcyclic|*" for sockets and cores and ",Pack|NoPack"; the
// node-level word is returned ("*" is block). `arbitrary` and `plane=N`
// (they need a host file or a plane size) get Sluice's "not supported".
// Anything else: Slurm's "Invalid --distribution specification".
absl::StatusOr<std::string> ParseDistribution(const std::string& text);

// An input variable that stands for an option of a command with its own
// getopt table (squeue's SQUEUE_*; the job commands' are in their option
// table, job_options.h): flags are set by any non-empty value. `value` is
// the option's getopt value, so that one the command line gives is left
// to the command line.
struct InputVar {
  const char* var;
  const char* option;
  int value;
  bool flag = false;
};
// Runs `parse` (a command's getopt pass: -1 to go on, else an exit code)
// over "cmd --option=value ..." for every variable of `vars` that is set,
// non-empty, and not for an option in `given`; -1 when there is none.
int ParseInputVars(const char* cmd, const InputVar* vars, size_t count, const std::set<int>& given,
                   const std::function<int(int, char**)>& parse);

// A command's --help text as a table of Slurm's lines; a line that
// introduces an option names it (nullptr otherwise).
struct HelpLine {
  const char* option;
  const char* text;
};
std::string RenderHelp(const HelpLine* lines, size_t count);

// The local time as squeue/sinfo -l and -i print it above their header
// ("Mon Nov 30 12:01:10 2026").
std::string ListingTime(int64_t unix_seconds);
// Lines, each ending in a newline (the --usage texts).
std::string RenderLines(const char* const* lines, size_t count);
std::vector<std::string> HelpOptions(const HelpLine* lines, size_t count);

// True when the compressed `node_list` names any host in `nodes`.
bool RunsOnAny(const std::string& node_list, const std::set<std::string>& nodes);

std::optional<std::string> ReadFile(const std::string& path);
std::string ReadAll(int fd);
std::string CurrentDir();

// Flushes stdio and exits without running gRPC's orderly shutdown (which
// joins its threads): a command has nothing left to send by then, and the
// shutdown costs more than the rest of the command.
[[noreturn]] void ExitNow(int rc);

inline constexpr char kVersion[] = "slurm-wlm 22.05.8";

// The command line as typed, its words joined by spaces (Slurm's
// SubmitLine); call before getopt reorders argv.
std::string CommandLine(int argc, char** argv);

}  // namespace sluice::cli
