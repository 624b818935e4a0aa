// sbatch's inputs -- command line, #SBATCH directives and SBATCH_* variables
// -- turned into one set of options, with Slurm's precedence (command line
// over environment over directives) and error texts. Pure apart from
// getopt's own messages on stderr; not thread-safe (getopt state).
#pragma once

#include "absl/strings/string_view.h"
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace sluice::cli {

struct SbatchOptions {
  std::optional<std::string> job_name, partition, output, error, input, chdir,
      wrap, gpus_per_node, gres, array, dependency, account, qos, comment,
      constraint, nodelist, exclude, begin, signal, export_env, open_mode, mail_type,
      mail_user, wckey, clusters, deadline, uid, gid, distribution, export_file,
      get_user_env;  // --get-user-env[=timeout][S|L] as given
  std::optional<uint32_t> mincpus;
  // Topology (--sockets-per-node, --cores-per-socket, -B, --gpus-per-socket).
  std::optional<uint32_t> sockets_per_node, cores_per_socket, gpus_per_socket;
  // Slurm's "error:" lines that do not stop the submission (-S, --power).
  std::vector<std::string> warnings;
  bool spread_job = false;
  std::optional<int64_t> time_min_min;  // --time-min
  std::optional<int64_t> time_limit_min;
  std::optional<uint32_t> nodes, ntasks, ntasks_per_node, cpus_per_task, gpus,
      gpus_per_task, cpus_per_gpu;
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
  std::vector<std::string> positional;  // script and its arguments
  // For -v: each option given (by its canonical long name) and its value as
  // Slurm's dump shows it; later sources overwrite earlier ones.
  std::map<std::string, std::string> shown;
  bool operator==(const SbatchOptions&) const = default;
};

// A parse failure: `message` lines go to stderr as "sbatch: error: <line>"
// unless getopt already printed them (message empty), then exit_code.
struct CliFailure {
  std::vector<std::string> message;
  int exit_code = 255;
  bool usage_hint = false;  // print 'Try "sbatch --help" ...'
};

// Applies args (no argv[0]) onto `opts`. Positionals after the first one
// are the script's arguments and are not parsed as options.
std::optional<CliFailure> ParseSbatchArgs(const std::vector<std::string>& args,
                                          SbatchOptions* opts);

// Every long option sbatch's table takes (for the test that each is acted
// on, refused, or documented as inert).
std::vector<std::string> SbatchLongOptionNames();

// The option words of every "#SBATCH" line before the first command.
std::vector<std::string> ExtractDirectives(absl::string_view script);

// Slurm's checks on the script text.
std::optional<CliFailure> CheckScript(absl::string_view script);

// SBATCH_* input variables (lower precedence than the command line), each
// applied through the option table as its option would be.
std::optional<CliFailure> ApplyInputEnv(
    const std::function<const char*(const char*)>& getenv, SbatchOptions* opts);
// The names ApplyInputEnv reads (for the tests and docs/CLI.md).
std::vector<std::string> SbatchInputVariables();

// The environment sent with the job under --export: ALL (the default), NONE
// (only SLURM_* variables), or a comma list of NAME or NAME=value, where
// ALL in the list keeps everything else too. SLURM_* always pass.
std::vector<std::string> ExportedEnv(const std::optional<std::string>& spec,
                                     const std::vector<std::string>& environ);

// The script --wrap builds.
std::string WrapScript(const std::string& command);

// Splits a directive line into words as a shell would (quotes, escapes).
std::vector<std::string> ShellWords(absl::string_view line);

}  // namespace sluice::cli
