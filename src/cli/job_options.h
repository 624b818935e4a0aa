// The options of the three job commands -- sbatch, srun and salloc -- as one
// declarative table, in the spirit of Slurm's shared option code: each entry
// names the option (long name, alias, letter, argument), the commands that
// take it, its input variable for each (SBATCH_*, srun's SLURM_*, SALLOC_*)
// and its one handler, which records it in JobOptions, refuses it with
// Slurm's error, or checks it and leaves it inert (docs/CLI.md says why).
// Precedence is the callers' order of calls: sbatch applies #SBATCH lines,
// then SBATCH_*, then its command line; srun and salloc their variables,
// then their command line. Pure apart from reading --bbf/--nodefile files;
// not thread-safe (getopt's global state).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace sluice::cli {

// Which commands an option belongs to (a mask of these).
enum Command : uint8_t { kSbatch = 1, kSrun = 2, kSalloc = 4 };
inline constexpr uint8_t kAllJobCommands = kSbatch | kSrun | kSalloc;
const char* CommandName(Command cmd);  // "sbatch", "srun", "salloc"
// How each command words the controller's refusal before its reason:
// "Batch job submission failed: ", "Unable to allocate resources: ",
// "Job submit/allocate failed: ".
const char* RefusalLead(Command cmd);

// Everything the three commands' options can say. An option a command
// does not take is never set for it.
struct JobOptions {
  std::optional<std::string> job_name, partition, output, error, input, chdir,
      wrap, gpus_per_node, gres, array, dependency, account, qos, comment,
      constraint, nodelist, exclude, begin, signal, export_env, open_mode, mail_type,
      mail_user, wckey, clusters, deadline, uid, gid, distribution, export_file,
      get_user_env,  // --get-user-env[=timeout][S|L] as given
      batch;         // --batch: the batch host's features
  std::optional<uint32_t> mincpus;
  // Topology (--sockets-per-node, --cores-per-socket, -B, --gpus-per-socket).
  std::optional<uint32_t> sockets_per_node, cores_per_socket, gpus_per_socket;
  // Slurm's "error:" lines that do not stop the command (-S, --power).
  std::vector<std::string> warnings;
  bool spread_job = false, overcommit = false;
  std::optional<int64_t> time_min_min;  // --time-min
  std::optional<int64_t> time_limit_min;
  std::optional<uint32_t> nodes, ntasks, ntasks_per_node, cpus_per_task, gpus,
      gpus_per_task, cpus_per_gpu, ntasks_per_gpu;
  std::optional<uint64_t> mem_mb, mem_per_cpu_mb, mem_per_gpu_mb;
  // Checked against what every node here has (TmpDisk 0, one thread per
  // core); only a request they meet is accepted.
  std::optional<uint64_t> tmp_mb;
  std::optional<uint32_t> threads_per_core;
  bool exclusive = false;
  bool contiguous = false;
  std::optional<int32_t> nice;
  int32_t requeue = -1;     // --requeue 1, --no-requeue 0
  int32_t signal_num = 0;   // --signal=[{R|B}:]SIG[@SECS]
  uint32_t signal_secs = 0;
  bool signal_batch = false;
  std::optional<uint64_t> priority;
  bool parsable = false, hold = false, test_only = false, help = false,
       usage = false, version = false, wait = false, quiet = false;
  int verbose = 0;
  // srun and salloc.
  bool immediate = false;
  // srun.
  bool label = false, unbuffered = false, pty = false, kill_on_bad_exit = false,
       overlap = false, exact = false, multi_prog = false, preserve_env = false,
       disable_status = false, quit_on_interrupt = false,
       interactive = false;  // Slurm's interactive step: one task on the first node, sharing
  uint32_t wait_s = 0;              // srun -W/--wait=SECS
  std::optional<uint64_t> jobid;    // --jobid
  std::string cpu_bind;             // --cpu-bind as given
  std::optional<std::string> prolog, epilog;  // run by srun itself
  // salloc.
  std::optional<bool> bell;         // --bell / --no-bell; unset: Slurm's default
  bool no_shell = false;
  std::vector<std::string> positional;  // script or command, and its arguments
  // For -v: each option given (by its canonical long name) and its value as
  // Slurm's dump shows it; later sources overwrite earlier ones.
  std::map<std::string, std::string> shown;
  bool operator==(const JobOptions&) const = default;
};

// A parse failure: `message` lines go to stderr as "<cmd>: error: <line>"
// unless getopt already printed them (message empty), then exit_code.
struct CliFailure {
  std::vector<std::string> message;
  int exit_code = 255;
  bool usage_hint = false;  // print 'Try "<cmd> --help" ...'
  std::vector<std::string> fatal = {};  // then "<cmd>: fatal: <line>"
};

struct OptionDef;
// One option being applied: its entry, its argument (nullptr when none was
// given), the command, and the options to change.
struct OptionCall {
  const OptionDef& def;
  const char* arg;
  Command cmd;
  JobOptions& o;
};
using OptionHandler = std::optional<CliFailure> (*)(const OptionCall&);

struct OptionDef {
  const char* name;       // canonical long name: -v's dump shows it
  const char* alias;      // another long name for it, or nullptr
  char letter;            // short option, or 0
  int has_arg;            // no_argument, required_argument, optional_argument
  uint8_t commands;       // mask of Command
  const char* sbatch_var; // input variables; nullptr where there is none
  const char* srun_var;
  const char* salloc_var;
  OptionHandler handle;
};

// The table (job_option_table.cc).
std::span<const OptionDef> JobOptionTable();

// Applies args (no argv[0]) for `cmd` onto `o`. Parsing stops at the first
// argument that is not an option: it and the rest go to o->positional.
// getopt prints its own messages (as Slurm's commands do) under cmd's name.
std::optional<CliFailure> ParseJobArgs(Command cmd, const std::vector<std::string>& args,
                                       JobOptions* o);

// cmd's input variables (lower precedence than its command line), each
// applied through its option's handler: a flag is set by any non-empty
// value, other options take the value as their argument.
std::optional<CliFailure> ApplyInputEnv(Command cmd,
                                        const std::function<const char*(const char*)>& getenv,
                                        JobOptions* o);

// Every long name (aliases included) and every input variable cmd takes.
std::vector<std::string> LongOptionNames(Command cmd);
std::vector<std::string> InputVariables(Command cmd);

// Prints a failure as cmd does; returns its exit code.
int ReportFailure(Command cmd, const CliFailure& f);

// What only all the options together decide, once parsing is done: the
// topology options' per-node sums (failing, as Slurm does, for
// --gpus-per-socket without --sockets-per-node), --ntasks-per-gpu's
// counts, and --batch against --constraint.
std::optional<CliFailure> FinishOptions(Command cmd, JobOptions* o);

// --gpus-per-task needs --gpus or a task count (Slurm's two lines, exit 1;
// `need_count`), and a count no node can meet is refused after that check,
// as Slurm orders them. srun checks once its counts are known.
inline constexpr uint32_t kUnreadableCount = 0xffffffff;
std::optional<CliFailure> CheckGpusPerTask(Command cmd, const JobOptions& o, bool need_count);

}  // namespace sluice::cli
