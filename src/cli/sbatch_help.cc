// sbatch --help and --usage, as Slurm 22.05 prints them, line by line. Each
// line that introduces an option names it: tests/cli/option_table_test.cc
// checks every such option is in sbatch's option table (sbatch_options.cc)
// and every option of that table is here or a listed alias, so the help
// and the parser cannot drift apart. Pure; thread-safe.
#include "cli/sbatch_help.h"

#include "absl/strings/str_cat.h"

namespace sluice::cli {
namespace {

struct HelpLine {
  const char* option;  // the long option this line introduces, or nullptr
  const char* text;
};

constexpr HelpLine kHelp[] = {
    {nullptr, "Usage: sbatch [OPTIONS(0)...] [ : [OPTIONS(N)...]] script(0) [args(0)...]"},
    {nullptr, ""},
    {nullptr, "Parallel run options:"},
    {"array", "  -a, --array=indexes         job array index values"},
    {"account", "  -A, --account=name          charge job to specified account"},
    {"bb", "      --bb=<spec>             burst buffer specifications"},
    {"bbf", "      --bbf=<file_name>       burst buffer specification file"},
    {"begin", "  -b, --begin=time            defer job until HH:MM MM/DD/YY"},
    {"comment", "      --comment=name          arbitrary comment"},
    {"cpu-freq", "      --cpu-freq=min[-max[:gov]] requested cpu frequency (and governor)"},
    {"cpus-per-task", "  -c, --cpus-per-task=ncpus   number of cpus required per task"},
    {"dependency", "  -d, --dependency=type:jobid[:time] defer job until condition on jobid is satisfied"},
    {"deadline", "      --deadline=time         remove the job if no ending possible before"},
    {nullptr, "                              this deadline (start > (deadline - time[-min]))"},
    {"delay-boot", "      --delay-boot=mins       delay boot for desired node features"},
    {"chdir", "  -D, --chdir=directory       set working directory for batch script"},
    {"error", "  -e, --error=err             file for batch script's standard error"},
    {"export", "      --export[=names]        specify environment variables to export"},
    {"export-file", "      --export-file=file|fd   specify environment variables file or file"},
    {nullptr, "                              descriptor to export"},
    {"get-user-env", "      --get-user-env          load environment from local cluster"},
    {"gid", "      --gid=group_id          group ID to run job as (user root only)"},
    {"gres", "      --gres=list             required generic resources"},
    {"gres-flags", "      --gres-flags=opts       flags related to GRES management"},
    {"hold", "  -H, --hold                  submit job in held state"},
    {"ignore-pbs", "      --ignore-pbs            Ignore #PBS and #BSUB options in the batch script"},
    {"input", "  -i, --input=in              file for batch script's standard input"},
    {"job-name", "  -J, --job-name=jobname      name of job"},
    {"no-kill", "  -k, --no-kill               do not kill job on node failure"},
    {"licenses", "  -L, --licenses=names        required license, comma separated"},
    {"clusters", "  -M, --clusters=names        Comma separated list of clusters to issue"},
    {nullptr, "                              commands to.  Default is current cluster."},
    {nullptr, "                              Name of 'all' will submit to run on all clusters."},
    {nullptr, "                              NOTE: SlurmDBD must up."},
    {"container", "      --container             Path to OCI container bundle"},
    {"distribution", "  -m, --distribution=type     distribution method for processes to nodes"},
    {nullptr, "                              (type = block|cyclic|arbitrary)"},
    {"mail-type", "      --mail-type=type        notify on state change: BEGIN, END, FAIL or ALL"},
    {"mail-user", "      --mail-user=user        who to send email notification for job state"},
    {nullptr, "                              changes"},
    {"mcs-label", "      --mcs-label=mcs         mcs label if mcs plugin mcs/group is used"},
    {"ntasks", "  -n, --ntasks=ntasks         number of tasks to run"},
    {"nice", "      --nice[=value]          decrease scheduling priority by value"},
    {"no-requeue", "      --no-requeue            if set, do not permit the job to be requeued"},
    {"ntasks-per-node", "      --ntasks-per-node=n     number of tasks to invoke on each node"},
    {"nodes", "  -N, --nodes=N               number of nodes on which to run (N = min[-max])"},
    {"output", "  -o, --output=out            file for batch script's standard output"},
    {"overcommit", "  -O, --overcommit            overcommit resources"},
    {"partition", "  -p, --partition=partition   partition requested"},
    {"parsable", "      --parsable              outputs only the jobid and cluster name (if present),"},
    {nullptr, "                              separated by semicolon, only on successful submission."},
    {"power", "      --power=flags           power management options"},
    {"priority", "      --priority=value        set the priority of the job to value"},
    {"profile", "      --profile=value         enable acct_gather_profile for detailed data"},
    {nullptr, "                              value is all or none or any combination of"},
    {nullptr, "                              energy, lustre, network or task"},
    {"propagate", "      --propagate[=rlimits]   propagate all [or specific list of] rlimits"},
    {"qos", "  -q, --qos=qos               quality of service"},
    {"quiet", "  -Q, --quiet                 quiet mode (suppress informational messages)"},
    {"reboot", "      --reboot                reboot compute nodes before starting job"},
    {"requeue", "      --requeue               if set, permit the job to be requeued"},
    {"oversubscribe", "  -s, --oversubscribe         over subscribe resources with other jobs"},
    {"core-spec", "  -S, --core-spec=cores       count of reserved cores"},
    {"signal", "      --signal=[[R][B]:]num[@time] send signal when time limit within time seconds"},
    {"spread-job", "      --spread-job            spread job across as many nodes as possible"},
    {"switches", "      --switches=max-switches{@max-time-to-wait}"},
    {nullptr, "                              Optimum switches and max time to wait for optimum"},
    {"thread-spec", "      --thread-spec=threads   count of reserved threads"},
    {"time", "  -t, --time=minutes          time limit"},
    {"time-min", "      --time-min=minutes      minimum time limit (if distinct)"},
    {"uid", "      --uid=user_id           user ID to run job as (user root only)"},
    {"use-min-nodes", "      --use-min-nodes         if a range of node counts is given, prefer the"},
    {nullptr, "                              smaller count"},
    {"verbose", "  -v, --verbose               verbose mode (multiple -v's increase verbosity)"},
    {"wait", "  -W, --wait                  wait for completion of submitted job"},
    {"wckey", "      --wckey=wckey           wckey to run job under"},
    {"wrap", "      --wrap[=command string] wrap command string in a sh script and submit"},
    {nullptr, ""},
    {nullptr, "Constraint options:"},
    {"cluster-constraint", "      --cluster-constraint=[!]list specify a list of cluster constraints"},
    {"contiguous", "      --contiguous            demand a contiguous range of nodes"},
    {"constraint", "  -C, --constraint=list       specify a list of constraints"},
    {"nodefile", "  -F, --nodefile=filename     request a specific list of hosts"},
    {"mem", "      --mem=MB                minimum amount of real memory"},
    {"mincpus", "      --mincpus=n             minimum number of logical processors (threads)"},
    {nullptr, "                              per node"},
    {"reservation", "      --reservation=name      allocate resources from named reservation"},
    {"tmp", "      --tmp=MB                minimum amount of temporary disk"},
    {"nodelist", "  -w, --nodelist=hosts...     request a specific list of hosts"},
    {"exclude", "  -x, --exclude=hosts...      exclude a specific list of hosts"},
    {nullptr, ""},
    {nullptr, "Consumable resources related options:"},
    {"exclusive", "      --exclusive[=user]      allocate nodes in exclusive mode when"},
    {nullptr, "                              cpu consumable resource is enabled"},
    {"exclusive", "      --exclusive[=mcs]       allocate nodes in exclusive mode when"},
    {nullptr, "                              cpu consumable resource is enabled"},
    {nullptr, "                              and mcs plugin is enabled"},
    {"mem-per-cpu", "      --mem-per-cpu=MB        maximum amount of real memory per allocated"},
    {nullptr, "                              cpu required by the job."},
    {nullptr, "                              --mem >= --mem-per-cpu if --mem is specified."},
    {nullptr, ""},
    {nullptr, "Affinity/Multi-core options: (when the task/affinity plugin is enabled)"},
    {nullptr, "                              For the following 4 options, you are"},
    {nullptr, "                              specifying the minimum resources available for"},
    {nullptr, "                              the node(s) allocated to the job."},
    {"sockets-per-node", "      --sockets-per-node=S    number of sockets per node to allocate"},
    {"cores-per-socket", "      --cores-per-socket=C    number of cores per socket to allocate"},
    {"threads-per-core", "      --threads-per-core=T    number of threads per core to allocate"},
    {"extra-node-info", "  -B  --extra-node-info=S[:C[:T]]  combine request of sockets per node,"},
    {nullptr, "                              cores per socket and threads per core."},
    {nullptr, "                              Specify an asterisk (*) as a placeholder,"},
    {nullptr, "                              a minimum value, or a min-max range."},
    {nullptr, ""},
    {"ntasks-per-core", "      --ntasks-per-core=n     number of tasks to invoke on each core"},
    {"ntasks-per-socket", "      --ntasks-per-socket=n   number of tasks to invoke on each socket"},
    {nullptr, ""},
    {nullptr, "GPU scheduling options:"},
    {"cpus-per-gpu", "      --cpus-per-gpu=n        number of CPUs required per allocated GPU"},
    {"gpus", "  -G, --gpus=n                count of GPUs required for the job"},
    {"gpu-bind", "      --gpu-bind=...          task to gpu binding options"},
    {"gpu-freq", "      --gpu-freq=...          frequency and voltage of GPUs"},
    {"gpus-per-node", "      --gpus-per-node=n       number of GPUs required per allocated node"},
    {"gpus-per-socket", "      --gpus-per-socket=n     number of GPUs required per allocated socket"},
    {"gpus-per-task", "      --gpus-per-task=n       number of GPUs required per spawned task"},
    {"mem-per-gpu", "      --mem-per-gpu=n         real memory required per allocated GPU"},
    {nullptr, ""},
    {nullptr, "Help options:"},
    {"help", "  -h, --help                  show this help message"},
    {"usage", "      --usage                 display brief usage message"},
    {nullptr, ""},
    {nullptr, "Other options:"},
    {"version", "  -V, --version               output version information and exit"},
    {nullptr, ""},
};

// --usage: the options in Slurm's order, as its usage text wraps them.
constexpr const char* kUsage[] = {
    "Usage: sbatch [-N nnodes] [-n ntasks]",
    "              [-c ncpus] [-r n] [-p partition] [--hold] [--parsable] [-t minutes]",
    "              [-D path] [--no-kill] [--overcommit]",
    "              [--input file] [--output file] [--error file]",
    "              [--time-min=minutes] [--licenses=names] [--clusters=cluster_names]",
    "              [--chdir=directory] [--oversubscribe] [-m dist] [-J jobname]",
    "              [--verbose] [--gid=group] [--uid=user]",
    "              [--contiguous] [--mincpus=n] [--mem=MB] [--tmp=MB] [-C list]",
    "              [--account=name] [--dependency=type:jobid[+time]] [--comment=name]",
    "              [--mail-type=type] [--mail-user=user] [--nice[=value]] [--wait]",
    "              [--requeue] [--no-requeue] [--ntasks-per-node=n] [--propagate]",
    "              [--nodefile=file] [--nodelist=hosts] [--exclude=hosts]",
    "              [--network=type] [--mem-per-cpu=MB] [--qos=qos] [--gres=list]",
    "              [--mem-bind=...] [--reservation=name] [--mcs-label=mcs]",
    "              [--cpu-freq=min[-max[:gov]]] [--power=flags] [--gres-flags=opts]",
    "              [--switches=max-switches{@max-time-to-wait}] [--reboot]",
    "              [--core-spec=cores] [--thread-spec=threads]",
    "              [--bb=burst_buffer_spec] [--bbf=burst_buffer_file]",
    "              [--array=index_values] [--profile=...] [--ignore-pbs] [--spread-job]",
    "              [--export[=names]] [--export-file=file|fd] [--delay-boot=mins]",
    "              [--use-min-nodes]",
    "              [--cpus-per-gpu=n] [--gpus=n] [--gpu-bind=...] [--gpu-freq=...]",
    "              [--gpus-per-node=n] [--gpus-per-socket=n] [--gpus-per-task=n]",
    "              [--mem-per-gpu=MB]",
    "              executable [args...]",
};

}  // namespace

std::string SbatchHelp() {
  std::string out;
  for (const auto& l : kHelp) absl::StrAppend(&out, l.text, "\n");
  return out;
}

std::string SbatchUsage() {
  std::string out;
  for (const char* l : kUsage) absl::StrAppend(&out, l, "\n");
  return out;
}

std::vector<std::string> SbatchHelpOptions() {
  std::vector<std::string> out;
  for (const auto& l : kHelp)
    if (l.option) out.push_back(l.option);
  return out;
}

}  // namespace sluice::cli
