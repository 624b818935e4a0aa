// The one option table of sbatch, srun and salloc. Which commands take an
// option follows Slurm 22.05's --help texts (and man pages for the options
// they leave out); the input variables follow the man pages' INPUT
// ENVIRONMENT VARIABLES. An entry's handler acts on the option, refuses it
// with Slurm's error, or checks it and leaves it inert; docs/CLI.md lists
// the inert and refused ones with the reason.
#include <getopt.h>

#include "cli/job_option_handlers.h"
#include "cli/job_options.h"

namespace sluice::cli {
namespace {

using namespace opt;  // NOLINT: the handlers, in this table only
using O = JobOptions;
constexpr uint8_t B = kSbatch, R = kSrun, A = kSalloc, All = kAllJobCommands;
constexpr int N = no_argument, Q = required_argument, Opt = optional_argument;
constexpr const char* _ = nullptr;

// name, alias, letter, argument, commands, SBATCH_*, srun's, SALLOC_*, handler
constexpr OptionDef kTable[] = {
    // Where, how long, under what name and account.
    {"partition", _, 'p', Q, All, "SBATCH_PARTITION", "SLURM_PARTITION", "SALLOC_PARTITION", Str<&O::partition>},
    {"time", _, 't', Q, All, "SBATCH_TIMELIMIT", "SLURM_TIMELIMIT", "SALLOC_TIMELIMIT", Minutes<&O::time_limit_min>},
    {"time-min", _, 0, Q, All, _, _, _, Minutes<&O::time_min_min>},
    {"job-name", _, 'J', Q, All, "SBATCH_JOB_NAME", _, _, Str<&O::job_name>},
    {"account", _, 'A', Q, All, "SBATCH_ACCOUNT", "SLURM_ACCOUNT", "SALLOC_ACCOUNT", Str<&O::account>},
    {"chdir", _, 'D', Q, All, _, "SLURM_WORKING_DIR", _, Str<&O::chdir>},
    {"comment", _, 0, Q, All, _, _, _, Str<&O::comment>},
    {"clusters", _, 'M', Q, All, "SBATCH_CLUSTERS", "SLURM_CLUSTERS", "SALLOC_CLUSTERS", Str<&O::clusters>},
    // Counts and sizes.
    {"nodes", _, 'N', Q, All, _, _, _, Nodes},
    {"ntasks", _, 'n', Q, All, _, _, _, Positive<&O::ntasks>},
    {"ntasks-per-node", "tasks-per-node", 0, Q, All, _, _, _, Positive<&O::ntasks_per_node>},
    {"cpus-per-task", _, 'c', Q, All, _, "SRUN_CPUS_PER_TASK", _, Positive<&O::cpus_per_task>},
    {"mincpus", _, 0, Q, All, _, _, _, Positive<&O::mincpus>},
    {"mem", _, 0, Q, All, "SBATCH_MEM_PER_NODE", _, "SALLOC_MEM_PER_NODE", Megabytes<&O::mem_mb>},
    {"mem-per-cpu", _, 0, Q, All, "SBATCH_MEM_PER_CPU", "SLURM_MEM_PER_CPU", "SALLOC_MEM_PER_CPU", Megabytes<&O::mem_per_cpu_mb>},
    {"mem-per-gpu", _, 0, Q, All, "SBATCH_MEM_PER_GPU", "SLURM_MEM_PER_GPU", "SALLOC_MEM_PER_GPU", Megabytes<&O::mem_per_gpu_mb>},
    {"tmp", _, 0, Q, All, _, _, _, Tmp},
    {"overcommit", _, 'O', N, All, "SBATCH_OVERCOMMIT", "SLURM_OVERCOMMIT", "SALLOC_OVERCOMMIT", Flag<&O::overcommit>},
    {"spread-job", _, 0, N, All, "SBATCH_SPREAD_JOB", "SLURM_SPREAD_JOB", "SALLOC_SPREAD_JOB", Flag<&O::spread_job>},
    {"distribution", _, 'm', Q, All, "SBATCH_DISTRIBUTION", "SLURM_DISTRIBUTION", _, Distribution},
    // GPUs and generic resources.
    {"gpus", _, 'G', Q, All, "SBATCH_GPUS", "SLURM_GPUS", "SALLOC_GPUS", Gpus},
    {"gpus-per-node", _, 0, Q, All, "SBATCH_GPUS_PER_NODE", _, "SALLOC_GPUS_PER_NODE", Str<&O::gpus_per_node>},
    {"gpus-per-task", _, 0, Q, All, "SBATCH_GPUS_PER_TASK", "SLURM_GPUS_PER_TASK", "SALLOC_GPUS_PER_TASK", Gpus},
    {"gpus-per-socket", _, 0, Q, All, _, _, _, Positive<&O::gpus_per_socket>},
    {"cpus-per-gpu", _, 0, Q, All, "SBATCH_CPUS_PER_GPU", "SLURM_CPUS_PER_GPU", "SALLOC_CPUS_PER_GPU", Gpus},
    {"ntasks-per-gpu", _, 0, Q, All, _, "SLURM_NTASKS_PER_GPU", _, Positive<&O::ntasks_per_gpu>},
    {"gres", _, 0, Q, All, "SBATCH_GRES", "SLURM_GRES", "SALLOC_GRES", Str<&O::gres>},
    {"gres-flags", _, 0, Q, All, "SBATCH_GRES_FLAGS", "SLURM_GRES_FLAGS", "SALLOC_GRES_FLAGS", GresFlags},
    {"gpu-bind", _, 0, Q, All, "SBATCH_GPU_BIND", "SLURM_GPU_BIND", "SALLOC_GPU_BIND", GpuBind},
    {"gpu-freq", _, 0, Q, All, "SBATCH_GPU_FREQ", "SLURM_GPU_FREQ", "SALLOC_GPU_FREQ", GpuFreq},
    // Which nodes.
    {"nodelist", _, 'w', Q, All, _, _, _, Str<&O::nodelist>},
    {"exclude", _, 'x', Q, All, _, _, _, Str<&O::exclude>},
    {"nodefile", _, 'F', Q, All, _, _, _, NodeFile},
    {"constraint", _, 'C', Q, All, "SBATCH_CONSTRAINT", "SLURM_CONSTRAINT", "SALLOC_CONSTRAINT", Str<&O::constraint>},
    {"contiguous", _, 0, N, All, _, _, _, Flag<&O::contiguous>},
    {"exclusive", _, 0, Opt, All, "SBATCH_EXCLUSIVE", "SLURM_EXCLUSIVE", "SALLOC_EXCLUSIVE", Exclusive},
    {"oversubscribe", _, 's', N, All, _, _, _, Inert},
    {"batch", _, 0, Q, B, "SBATCH_BATCH", _, _, Str<&O::batch>},
    {"prefer", _, 0, Q, All, _, _, _, Prefer},
    // Topology: every node here is one socket of single-threaded cores.
    {"sockets-per-node", _, 0, Q, All, _, _, _, Positive<&O::sockets_per_node>},
    {"cores-per-socket", _, 0, Q, All, _, _, _, Positive<&O::cores_per_socket>},
    {"threads-per-core", _, 0, Q, All, "SBATCH_THREADS_PER_CORE", "SLURM_THREADS_PER_CORE", "SALLOC_THREADS_PER_CORE", ThreadsPerCore},
    {"extra-node-info", _, 'B', Q, All, _, _, _, ExtraNodeInfo},
    {"ntasks-per-core", _, 0, Q, All, _, "SLURM_NTASKS_PER_CORE", _, InertPositive},
    {"ntasks-per-socket", _, 0, Q, All, _, "SLURM_NTASKS_PER_SOCKET", _, InertPositive},
    {"hint", _, 0, Q, All, "SBATCH_HINT", "SLURM_HINT", "SALLOC_HINT", Hint},
    {"core-spec", _, 'S', Q, All, "SBATCH_CORE_SPEC", "SLURM_CORE_SPEC", "SALLOC_CORE_SPEC", CoreSpec},
    {"thread-spec", _, 0, Q, All, "SBATCH_THREAD_SPEC", "SLURM_THREAD_SPEC", "SALLOC_THREAD_SPEC", ThreadSpec},
    {"mem-bind", _, 0, Q, All, "SBATCH_MEM_BIND", "SLURM_MEM_BIND", "SALLOC_MEM_BIND", MemBind},
    // When.
    {"begin", _, 'b', Q, All, _, _, _, Str<&O::begin>},
    {"deadline", _, 0, Q, All, _, _, _, Str<&O::deadline>},
    {"dependency", _, 'd', Q, All, _, "SLURM_DEPENDENCY", _, Str<&O::dependency>},
    {"hold", _, 'H', N, All, "SBATCH_HOLD", _, _, Flag<&O::hold>},
    {"immediate", _, 'I', Opt, R | A, _, "SLURM_IMMEDIATE", "SALLOC_IMMEDIATE", Flag<&O::immediate>},
    {"nice", _, 0, Opt, All, _, _, _, Nice},
    {"priority", _, 0, Q, All, _, _, _, Priority},
    {"signal", _, 0, Q, All, "SBATCH_SIGNAL", "SLURM_SIGNAL", "SALLOC_SIGNAL", Signal},
    {"requeue", _, 0, N, B, "SBATCH_REQUEUE", _, _, Requeue},
    {"no-requeue", _, 0, N, B, "SBATCH_NO_REQUEUE", _, _, NoRequeue},
    {"no-kill", _, 'k', Opt, All, "SBATCH_NO_KILL", "SLURM_NO_KILL", "SALLOC_NO_KILL", NotSupported},
    {"kill-on-invalid-dep", _, 0, Q, B, _, _, _, NotSupported},
    {"mail-type", _, 0, Q, All, _, _, _, MailType},
    {"mail-user", _, 0, Q, All, _, _, _, Str<&O::mail_user>},
    // Who and what environment.
    {"uid", _, 0, Q, All, _, _, _, Str<&O::uid>},
    {"gid", _, 0, Q, All, _, _, _, Str<&O::gid>},
    {"export", _, 0, Q, B | R, "SBATCH_EXPORT", "SLURM_EXPORT_ENV", _, Str<&O::export_env>},
    {"export-file", _, 0, Q, B, _, _, _, Str<&O::export_file>},
    {"get-user-env", _, 0, Opt, B | A, "SBATCH_GET_USER_ENV", _, _, GetUserEnvOpt},
    {"propagate", _, 0, Opt, B | R, _, _, _, NotSupported},
    // Batch script and files.
    {"array", _, 'a', Q, B, "SBATCH_ARRAY_INX", _, _, Str<&O::array>},
    {"wrap", _, 0, Q, B, _, _, _, Str<&O::wrap>},
    {"output", _, 'o', Q, B | R, "SBATCH_OUTPUT", "SLURM_STDOUTMODE", _, Str<&O::output>},
    {"error", _, 'e', Q, B | R, "SBATCH_ERROR", "SLURM_STDERRMODE", _, Str<&O::error>},
    {"input", _, 'i', Q, B | R, "SBATCH_INPUT", "SLURM_STDINMODE", _, Str<&O::input>},
    {"open-mode", _, 0, Q, B, "SBATCH_OPEN_MODE", _, _, Str<&O::open_mode>},
    {"ignore-pbs", _, 0, N, B, "SBATCH_IGNORE_PBS", _, _, Inert},
    // What sbatch itself does.
    {"parsable", _, 0, N, B, _, _, _, Flag<&O::parsable>},
    {"test-only", _, 0, N, B | R, _, _, _, Flag<&O::test_only>},
    {"wait", _, 'W', N, B, "SBATCH_WAIT", _, _, Flag<&O::wait>},
    // srun: the step, its I/O and its launch.
    {"wait", _, 'W', Q, R, _, "SLURM_WAIT", _, WaitSecs},
    {"label", _, 'l', N, R, _, "SLURM_LABELIO", _, Flag<&O::label>},
    {"unbuffered", _, 'u', N, R, _, "SLURM_UNBUFFEREDIO", _, Flag<&O::unbuffered>},
    {"pty", _, 0, N, R, _, _, _, Flag<&O::pty>},
    {"kill-on-bad-exit", _, 'K', Opt, R, _, "SLURM_KILL_BAD_EXIT", _, KillOnBadExit},
    {"overlap", _, 0, N, R, _, "SLURM_OVERLAP", _, Flag<&O::overlap>},
    {"exact", _, 0, N, R, _, "SLURM_EXACT", _, Flag<&O::exact>},
    {"jobid", _, 0, Q, R, _, _, _, JobId},
    {"mpi", _, 0, Q, R, _, "SLURM_MPI_TYPE", _, Mpi},
    {"cpu-bind", "cpu_bind", 0, Q, R, _, "SLURM_CPU_BIND", _, CpuBind},
    {"multi-prog", _, 0, N, R, _, _, _, Flag<&O::multi_prog>},
    {"preserve-env", _, 'E', N, R, _, _, _, Flag<&O::preserve_env>},
    {"disable-status", _, 'X', N, R, _, "SLURM_DISABLE_STATUS", _, Flag<&O::disable_status>},
    {"quit-on-interrupt", _, 0, N, R, _, _, _, Flag<&O::quit_on_interrupt>},
    {"prolog", _, 0, Q, R, _, "SLURM_PROLOG", _, Str<&O::prolog>},
    {"epilog", _, 0, Q, R, _, "SLURM_EPILOG", _, Str<&O::epilog>},
    {"task-prolog", _, 0, Q, R, _, "SLURM_TASK_PROLOG", _, NotSupported},
    {"task-epilog", _, 0, Q, R, _, "SLURM_TASK_EPILOG", _, NotSupported},
    {"bcast", _, 0, Opt, R, _, "SLURM_BCAST", _, NotSupported},
    {"bcast-exclude", _, 0, Q, R, _, "SLURM_BCAST_EXCLUDE", _, Inert},
    {"send-libs", _, 0, Opt, R, _, "SLURM_SEND_LIBS", _, Inert},
    {"compress", _, 0, Opt, R, _, "SLURM_COMPRESS", _, Compress},
    {"het-group", "pack-group", 0, Q, R, _, _, _, HetGroup},
    {"no-allocate", _, 'Z', N, R, _, _, _, NotSupported},
    {"relative", _, 'r', Q, R, _, _, _, NotSupported},
    {"resv-ports", _, 0, Opt, R, _, "SLURM_RESV_PORTS", _, Inert},
    {"slurmd-debug", _, 0, Q, R, _, "SLURMD_DEBUG", _, NotSupported},
    {"threads", _, 'T', Q, R, _, "SLURM_THREADS", _, InertPositive},
    {"msg-timeout", _, 0, Q, R, _, _, _, InertCount},
    {"accel-bind", _, 0, Q, R, _, _, _, Inert},
    // Slurm's own interactive step (salloc's InteractiveStepOptions).
    {"interactive", _, 0, N, R, _, _, _, Flag<&O::interactive>},
    {"x11", _, 0, Opt, R | A, _, _, _, X11},
    // salloc.
    {"bell", _, 0, N, A, _, _, "SALLOC_BELL", Bell},
    {"no-bell", _, 0, N, A, _, _, "SALLOC_NO_BELL", NoBell},
    {"no-shell", _, 0, N, A, _, _, _, Flag<&O::no_shell>},
    {"kill-command", _, 'K', Opt, A, _, _, "SALLOC_KILL_CMD", KillCommand},
    {"wait-all-nodes", _, 0, Q, B | A, "SBATCH_WAIT_ALL_NODES", _, "SALLOC_WAIT_ALL_NODES", WaitAllNodes},
    // Inert or refused here, as docs/CLI.md explains.
    {"qos", _, 'q', Q, All, "SBATCH_QOS", "SLURM_QOS", "SALLOC_QOS", Str<&O::qos>},
    {"wckey", _, 0, Q, All, "SBATCH_WCKEY", "SLURM_WCKEY", "SALLOC_WCKEY", Str<&O::wckey>},
    {"reservation", _, 0, Q, All, "SBATCH_RESERVATION", "SLURM_RESERVATION", "SALLOC_RESERVATION", Reservation},
    {"licenses", _, 'L', Q, All, _, _, _, Licenses},
    {"bb", _, 0, Q, All, _, "SLURM_BURST_BUFFER", "SALLOC_BURST_BUFFER", Inert},
    {"bbf", _, 0, Q, All, _, _, _, Bbf},
    {"cluster-constraint", _, 0, Q, All, _, _, _, Inert},
    {"container", _, 0, Q, All, "SBATCH_CONTAINER", "SRUN_CONTAINER", "SALLOC_CONTAINER", Inert},
    {"cpu-freq", _, 0, Q, All, _, "SLURM_CPU_FREQ_REQ", _, CpuFreq},
    {"delay-boot", _, 0, Q, All, "SBATCH_DELAY_BOOT", "SLURM_DELAY_BOOT", "SALLOC_DELAY_BOOT", DelayBoot},
    {"mcs-label", _, 0, Q, All, _, _, _, Inert},
    {"network", _, 0, Q, All, "SBATCH_NETWORK", "SLURM_NETWORK", "SALLOC_NETWORK", Inert},
    {"acctg-freq", _, 0, Q, All, "SBATCH_ACCTG_FREQ", "SLURM_ACCTG_FREQ", "SALLOC_ACCTG_FREQ", AcctgFreq},
    {"power", _, 0, Q, All, "SBATCH_POWER", "SLURM_POWER", "SALLOC_POWER", Power},
    {"profile", _, 0, Q, All, "SBATCH_PROFILE", "SLURM_PROFILE", "SALLOC_PROFILE", Profile},
    {"reboot", _, 0, N, All, _, _, _, Inert},
    {"switches", _, 0, Q, All, "SBATCH_REQ_SWITCH", "SLURM_REQ_SWITCH", "SALLOC_REQ_SWITCH", Switches},
    {"use-min-nodes", _, 0, N, All, "SBATCH_USE_MIN_NODES", "SLURM_USE_MIN_NODES", "SALLOC_USE_MIN_NODES", Inert},
    // The command's own talk.
    {"quiet", _, 'Q', N, All, _, _, _, Flag<&O::quiet>},
    {"verbose", _, 'v', N, All, "SBATCH_DEBUG", "SLURM_DEBUG", "SALLOC_DEBUG", Verbose},
    {"help", _, 'h', N, All, _, _, _, Flag<&O::help>},
    {"usage", _, 0, N, All, _, _, _, Flag<&O::usage>},
    {"version", _, 'V', N, All, _, _, _, Flag<&O::version>},
};

}  // namespace

std::span<const OptionDef> JobOptionTable() { return kTable; }

}  // namespace sluice::cli
