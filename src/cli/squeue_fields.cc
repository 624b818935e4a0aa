#include "cli/squeue_fields.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "cli/array_ids.h"
#include "common/job_types.h"
#include "common/output_pattern.h"
#include "common/time_spec.h"

namespace sluice::cli {

using ::sluice::v1::JobInfo;
using common::JobState;

namespace {

JobState State(const JobInfo& j) { return static_cast<JobState>(j.state()); }
JobState ShownState(const JobInfo& j) { return j.completing() ? JobState::kCompleting : State(j); }
bool Pending(const JobInfo& j) { return State(j) == JobState::kPending; }
bool Held(const JobInfo& j) { return Pending(j) && j.priority() == 0; }

std::string Reason(const JobInfo& j) {
  auto r = common::JobReasonFromInt(j.reason());
  return std::string(common::JobReasonName(r ? *r : common::JobReason::kNone));
}

std::string Ts(int64_t t) { return t ? common::FormatTimestamp(t) : "N/A"; }
std::string OrNull(const std::string& s) { return s.empty() ? "(null)" : s; }
std::string OrNA(const std::string& s) { return s.empty() ? "N/A" : s; }

std::string Output(const JobInfo& j, const std::string& pattern) {
  common::OutputPatternVars vars{j.job_id(), j.name(), j.user_name(), j.batch_host(),
                                 j.array_job_id(), j.array_task_id()};
  return common::ExpandOutputPattern(pattern, vars);
}

// Where a running job is expected to end: its limit's end, or NONE
// without one (as squeue's END_TIME shows).
std::string EndTime(const JobInfo& j) {
  if (common::IsFinished(State(j))) return Ts(j.end_time());
  if (Pending(j) || !j.start_time()) return "N/A";
  if (j.time_limit_min() < 0) return "NONE";
  return Ts(j.start_time() + j.time_limit_min() * 60 + j.suspended_secs());
}

std::string TimeLeft(const JobInfo& j, int64_t now) {
  if (j.time_limit_min() < 0) return common::FormatTimeLimit(j.time_limit_min());
  int64_t left = j.time_limit_min() * 60 - Elapsed(j, now);
  return common::FormatDuration(std::max<int64_t>(0, left));
}

#define V(expr) [](const JobInfo& j, int64_t now) -> std::string { (void)j; (void)now; return expr; }

// Slurm 22.05's squeue job fields, in its -O list order; -o letters beside
// the names they share a value with.
const SqueueField kFields[] = {
    {'a', "account", "ACCOUNT", true, V(OrNull(j.account()))},
    {0, "accruetime", "ACCRUE_TIME", true, V(Held(j) ? "N/A" : Ts(j.eligible_time()))},
    {0, "admin_comment", "ADMIN_COMMENT", true, V("(null)")},
    {0, "allocnodes", "ALLOC_NODES", true, V(OrNull(j.alloc_node()))},
    {0, "allocsid", "ALLOC_SID", true, V(absl::StrCat(j.alloc_sid()))},
    {'F', "arrayjobid", "ARRAY_JOB_ID", true,
     V(absl::StrCat(j.array_job_id() ? j.array_job_id() : j.job_id()))},
    {'K', "arraytaskid", "ARRAY_TASK_ID", true, V(ArrayTaskText(j))},
    // No associations yet (issue 13): Slurm without accounting shows 0.
    {0, "associd", "ASSOC_ID", true, V("0")},
    {0, "batchflag", "BATCH_FLAG", true, V(j.interactive() ? "0" : "1")},
    {'B', "batchhost", "EXEC_HOST", true, V(j.batch_host().empty() ? "n/a" : j.batch_host())},
    {0, "boardspernode", "BOARDS_PER_NODE", true, V("0")},
    {0, "burstbuffer", "BURST_BUFFER", true, V("(null)")},
    {0, "burstbufferstate", "BURST_BUFFER_STATE", true, V("(null)")},
    {0, "cluster", "CLUSTER", true, V(OrNull(j.cluster()))},
    {0, "clusterfeature", "CLUSTER_FEATURES", true, V("(null)")},
    {'o', "command", "COMMAND", true, V(OrNull(j.command()))},
    {'k', "comment", "COMMENT", true, V(OrNull(j.comment()))},
    {'O', "contiguous", "CONTIGUOUS", false, V(j.contiguous() ? "1" : "0")},
    {0, "container", "CONTAINER", true, V("(null)")},
    {'I', "cores", "CORES_PER_SOCKET", true, V("*")},
    {'X', "corespec", "CORE_SPEC", true, V("N/A")},
    {'c', "cpus-per-task,cpuspertask", "CPUS_PER_TASK", false, V(absl::StrCat(j.cpus_per_task()))},
    {0, "cpus-per-tres", "CPUS_PER_TRES", true, V(OrNA(j.cpus_per_tres()))},
    {0, "deadline", "DEADLINE", true, V(j.deadline() ? Ts(j.deadline()) : "N/A")},
    {0, "delayboot", "DELAY_BOOT", true, V("0:00")},
    {'E', "dependency", "DEPENDENCY", true, V(OrNull(j.dependency()))},
    {0, "derivedec", "DERIVED_EC", true, V(absl::StrCat(j.derived_exit_code()))},
    {0, "eligibletime", "ELIGIBLE_TIME", true, V(Held(j) ? "N/A" : Ts(j.eligible_time()))},
    {'e', "endtime", "END_TIME", false, V(EndTime(j))},
    {0, "exit_code", "EXIT_CODE", true, V(absl::StrCat(j.exit_code()))},
    {'f', "feature", "FEATURES", true, V(OrNull(j.features()))},
    {'b', "gres,tres-per-node", "TRES_PER_NODE", true, V(OrNA(j.tres_per_node()))},
    {'G', "groupid", "GROUP", false, V(absl::StrCat(j.group_id()))},
    {'g', "groupname", "GROUP", true, V(j.group_name())},
    {0, "hetjobid,packjobid", "HET_JOB_ID", true, V("N/A")},
    {0, "hetjobidset,packjobidset", "HET_JOB_ID_SET", true, V("N/A")},
    {0, "hetjoboffset,packjoboffset", "HET_JOB_OFFSET", true, V("N/A")},
    {'i', "jobarrayid", "JOBID", true, V(ArrayJobIdText(j))},
    {'A', "jobid", "JOBID", true, V(absl::StrCat(j.job_id()))},
    {0, "lastschedeval", "LAST_SCHED_EVAL", true,
     V(Ts(Pending(j) ? now : j.start_time() ? j.start_time() : j.submit_time()))},
    {'W', "licenses", "LICENSES", true, V("(null)")},
    {0, "maxcpus", "MAX_CPUS", true, V(absl::StrCat(j.num_cpus()))},
    {0, "maxnodes", "MAX_NODES", true, V(absl::StrCat(j.num_nodes()))},
    {0, "mcslabel", "MCSLABEL", true, V("(null)")},
    {0, "mem-per-tres", "MEM_PER_TRES", true, V(OrNA(j.mem_per_tres()))},
    {0, "mincpus", "MIN_CPUS", true, V(absl::StrCat(j.cpus_per_task()))},
    {'m', "minmemory", "MIN_MEMORY", true, V(j.min_mem_mb() ? absl::StrCat(j.min_mem_mb(), "M") : "0")},
    {0, "mintime", "TIME_MIN", true, V(common::FormatDuration(std::max<int64_t>(0, j.time_min_min()) * 60))},
    {'d', "mintmpdisk", "MIN_TMP_DISK", true,
     V(j.min_tmp_disk_mb() ? absl::StrCat(j.min_tmp_disk_mb(), "M") : "0")},
    {'j', "name", "NAME", true, V(j.name())},
    {0, "network", "NETWORK", true, V("(null)")},
    {'y', "nice", "NICE", false, V(absl::StrCat(j.nice()))},
    {'N', "nodelist", "NODELIST", true, V(j.node_list())},
    {0, "ntperboard", "NTASKS_PER_BOARD", true, V("0")},
    {0, "ntpercore", "NTASKS_PER_CORE", true, V("N/A")},
    {0, "ntpernode", "NTASKS_PER_NODE", true, V(absl::StrCat(j.ntasks_per_node()))},
    {0, "ntpersocket", "NTASKS_PER_SOCKET", true, V("N/A")},
    {'C', "numcpus", "CPUS", false, V(absl::StrCat(j.num_cpus()))},
    {'D', "numnodes", "NODES", false, V(absl::StrCat(j.num_nodes()))},
    {0, "numtasks", "TASKS", true, V(absl::StrCat(j.num_tasks()))},
    {0, "origin", "ORIGIN", true, V("NA")},
    {0, "originraw", "ORIGIN_RAW", true, V("NA")},
    {'h', "oversubscribe,shared", "OVER_SUBSCRIBE", true, V(j.exclusive() ? "NO" : "OK")},
    {'P', "partition", "PARTITION", true, V(j.partition())},
    {0, "pendingtime", "PENDING_TIME", true,
     V(absl::StrCat(std::max<int64_t>(0, (j.start_time() ? j.start_time() : now) - j.submit_time())))},
    {0, "preempttime", "PREEMPT_TIME", true, V("N/A")},
    {0, "prefer", "PREFER", true, V("(null)")},
    {'p', "priority", "PRIORITY", false,
     V(absl::StrFormat("%.14f", static_cast<double>(j.priority()) / 4294967295.0))},
    {'Q', "prioritylong", "PRIORITY", false, V(absl::StrCat(j.priority()))},
    {0, "profile", "PROFILE", true, V("NotSet")},
    {'q', "qos", "QOS", true, V(OrNull(j.qos()))},
    {'r', "reason", "REASON", true, V(Reason(j))},
    {'R', "reasonlist", "NODELIST(REASON)", true,
     V(Pending(j) || State(j) == JobState::kFailed || State(j) == JobState::kTimeout ||
               State(j) == JobState::kNodeFail
           ? absl::StrCat("(", Reason(j), ")")
           : j.node_list())},
    {0, "reboot", "REBOOT", true, V("0")},
    {'n', "reqnodes", "REQ_NODES", true, V(j.req_nodes())},
    {0, "reqswitch", "REQ_SWITCH", true, V("0")},
    {0, "requeue", "REQUEUE", true, V(j.requeue() ? "1" : "0")},
    {'v', "reservation", "RESERVATION", true, V("(null)")},
    {0, "resizetime", "RESIZE_TIME", true, V("N/A")},
    {0, "restartcnt", "RESTART_COUNT", true, V(absl::StrCat(j.restart_count()))},
    {'Y', "schednodes", "SCHEDNODES", true, V(OrNull(j.sched_nodes()))},
    {'z', "sct", "S:C:T", true, V("*:*:*")},
    {'s', "selectjobinfo", "", true, V("")},
    {0, "siblingsactive", "ACTIVE_SIBLINGS", true, V("NA")},
    {0, "siblingsactiveraw", "ACTIVE_SIBLINGS_RAW", true, V("NA")},
    {0, "siblingsviable", "VIABLE_SIBLINGS", true, V("NA")},
    // (Slurm's header has this spelling.)
    {0, "siblingsviableraw", "VIALBLE_SIBLINGS_RAW", true, V("NA")},
    {'H', "sockets", "SOCKETS_PER_NODE", true, V("*")},
    {0, "sperboard", "SOCKETS_PER_BOARD", true, V("0")},
    {'S', "starttime", "START_TIME", false, V(Ts(Pending(j) ? ShownStart(j) : j.start_time()))},
    {'T', "state", "STATE", true, V(std::string(common::JobStateName(ShownState(j))))},
    {'t', "statecompact", "ST", true, V(std::string(common::JobStateCompact(ShownState(j))))},
    {0, "stderr", "STDERR", true, V(Output(j, j.std_err()))},
    {0, "stdin", "STDIN", true, V(j.std_in())},
    {0, "stdout", "STDOUT", true, V(Output(j, j.std_out()))},
    {'V', "submittime", "SUBMIT_TIME", false, V(Ts(j.submit_time()))},
    {0, "system_comment", "SYSTEM_COMMENT", true, V("(null)")},
    {'J', "threads", "THREADS_PER_CORE", true, V("*")},
    {'L', "timeleft", "TIME_LEFT", false, V(TimeLeft(j, now))},
    {'l', "timelimit", "TIME_LIMIT", false, V(common::FormatTimeLimit(j.time_limit_min()))},
    {'M', "timeused", "TIME", false, V(common::FormatDuration(Elapsed(j, now)))},
    {0, "tres-alloc,tres", "TRES_ALLOC", true, V(j.tres())},
    {0, "tres-bind", "TRES_BIND", true, V("N/A")},
    {0, "tres-freq", "TRES_FREQ", true, V("N/A")},
    {0, "tres-per-job", "TRES_PER_JOB", true, V("N/A")},
    {0, "tres-per-socket", "TRES_PER_SOCKET", true, V("N/A")},
    {0, "tres-per-task", "TRES_PER_TASK", true, V("N/A")},
    {'U', "userid", "UID", false, V(absl::StrCat(j.user_id()))},
    {'u', "username", "USER", true, V(j.user_name())},
    {0, "wait4switch", "WAIT4SWITCH", true, V("0:00")},
    {'w', "wckey", "WCKEY", true, V("(null)")},
    {'Z', "workdir", "WORK_DIR", true, V(j.work_dir())},
    {'x', "", "EXC_NODES", true, V(j.exc_nodes())},
};

#undef V

}  // namespace

int64_t Elapsed(const JobInfo& j, int64_t now) {
  if (j.start_time() == 0) return 0;
  int64_t end = common::IsFinished(State(j)) ? j.end_time() : now;
  // Time spent suspended is not run time (nor the current stop).
  int64_t away = j.suspended_secs() + (State(j) == JobState::kSuspended ? end - j.suspend_time() : 0);
  return std::max<int64_t>(0, end - j.start_time() - away);
}

int64_t ShownStart(const JobInfo& j) {
  if (j.reason() == static_cast<uint32_t>(common::JobReason::kBeginTime))
    return j.eligible_time();
  return j.expected_start();
}

const SqueueField* SqueueFieldByLetter(char letter) {
  if (!letter) return nullptr;
  for (const auto& f : kFields)
    if (f.letter == letter) return &f;
  return nullptr;
}

const SqueueField* SqueueFieldByName(absl::string_view name) {
  for (const auto& f : kFields)
    for (absl::string_view n : absl::StrSplit(f.names, ',', absl::SkipEmpty()))
      if (absl::EqualsIgnoreCase(n, name)) return &f;
  return nullptr;
}

}  // namespace sluice::cli
