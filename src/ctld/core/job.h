// A job as the controller holds it: the request (JobSpec), what the
// scheduler granted (allocation), and its life (state, reason, times, exit).
// Value types; thread-compatible. Owned by JobTable.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/array_spec.h"
#include "common/ids.h"
#include "common/job_types.h"
#include "ctld/sched/types.h"

namespace sluice::ctld {

using common::JobId;
using common::JobReason;
using common::JobState;
using sched::NodeAllocation;

// The validated request.
struct JobSpec {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string user;
  std::string group;
  std::string name;
  std::string partition;
  int64_t time_limit_min = -1;  // common::kTimeInfinite / kTimeInvalid
  uint32_t min_nodes = 1;
  uint32_t ntasks = 1;
  bool ntasks_set = false;
  uint32_t ntasks_per_node = 0;
  uint32_t cpus_per_task = 1;
  bool cpus_per_task_set = false;
  uint32_t cpus_per_gpu = 0;  // --cpus-per-gpu
  uint64_t mem_mb = 0;  // per node; 0: not requested
  uint64_t mem_per_gpu_mb = 0;  // --mem-per-gpu as given (mem_mb holds the product)
  uint32_t gpus_per_node = 0;
  std::string gpu_type;
  std::string script;
  std::string work_dir;
  std::string std_out;  // patterns as given (may be empty: default)
  std::string std_err;
  std::string std_in;
  // The submitter's environment, entries separated by NUL: one allocation
  // instead of one per variable (a login shell's 40 variables cost ~3 KB
  // more per job as separate strings). Env()/SetEnv() convert.
  std::string env_block;
  std::vector<std::string> Env() const;
  static std::vector<std::string> SplitEnv(const std::string& env_block);
  void SetEnv(const std::vector<std::string>& env);
  // The script and the environment (the job's body) are needed only to
  // launch it; once the job's first save has written them to the store they
  // are let go here and read back at launch (JobStore::LoadBody). body_id
  // names the stored body: the job's own ID, or its array's for a task split
  // off after the save; 0 while the body is still held here.
  uint64_t body_id = 0;
  bool HoldsBody() const { return !script.empty() || !env_block.empty(); }
  void ReleaseBody(uint64_t stored_as);
  bool hold = false;
  bool admin_hold = false;     // held by an administrator (JobHeldAdmin)
  bool append_output = false;  // --open-mode=append
  std::string dependency;      // canonical --dependency, "" when none
  std::vector<std::string> nodelist;  // -w: nodes the job must use
  std::vector<std::string> exclude;   // -x: nodes it must not use
  std::string constraint;             // -C: features, '&' and '|'
  bool exclusive = false;             // whole nodes
  bool contiguous = false;            // consecutive nodes
  std::string account;                // -A; "" when none
  std::string qos;                    // --qos, or the default; "" without accounting
  std::string comment;                // --comment
  std::vector<std::string> script_args;  // the batch script's arguments
  int32_t nice = 0;
  uint64_t fixed_priority = 0;        // set by an administrator; 0 none
  int64_t begin_time = 0;      // --begin, unix seconds
  std::string submit_host;
  uint32_t alloc_sid = 0;      // the submitter's session ID
  std::string submit_line;     // sacct's SubmitLine
  int32_t requeue = -1;        // --requeue 1 / --no-requeue 0; -1: JobRequeue
  int32_t signal_num = 0;      // --signal: signal to send before the limit
  uint32_t signal_secs = 0;    //   this many seconds before it
  bool signal_batch = false;   //   B: only the batch shell
  bool interactive = false;    // made by srun/salloc: no batch script
  int64_t deadline = 0;        // --deadline, unix seconds; 0 none
  uint32_t mail_type = 0;      // --mail-type bits (ctld/core/mail.h)
  uint32_t mincpus = 0;        // --mincpus: CPUs per node at least
  // -O/--overcommit: CPUs per node as if it ran one task there (its
  // tasks then share them).
  bool overcommit = false;
  uint64_t tmp_mb = 0;  // --tmp: a node's TmpDisk must be at least this
  // --sockets-per-node / --cores-per-socket (0: not asked). Every node here
  // is one socket of all its CPUs; a job asking more waits, BadConstraints.
  uint32_t sockets_per_node = 0, cores_per_socket = 0;
  std::string mail_user;       // --mail-user; "" the job's user
  int64_t time_min_min = -1;   // --time-min: backfill may cut the limit to this; -1 none
  // --array: the shape of the whole array, for every task's SLURM_ARRAY_*
  // variables (count 0: not an array).
  struct ArrayShape {
    uint32_t count = 0, min = 0, max = 0, step = 1, throttle = 0;
    bool operator==(const ArrayShape&) const = default;
  } array;

  // The time limit to run with: with --time-min and --deadline, cut to end
  // by the deadline (from `now`); else the limit as it is.
  int64_t LimitWithinDeadline(int64_t now) const;
  uint32_t TasksPerNode() const;
  // Tasks on the i-th node of the allocation: TasksPerNode() on the first
  // ntasks % min_nodes nodes and one fewer on the rest when -n does not
  // divide over -N (and no --ntasks-per-node), as Slurm's block layout.
  uint32_t TasksOnNode(size_t i) const;
  // Whether the nodes after the first ntasks % min_nodes take fewer CPUs
  // (their tasks' share; none when -c alone does not set the count).
  bool UnevenCpus() const;
  uint32_t CpusPerNode() const;
  std::string TresPerNode() const;  // "gres:gpu:2" or ""
  // The partitions the job may run in ("a,b" while pending).
  std::vector<std::string> Partitions() const;
};

// What a step used, as its cgroups measured it (sacct's MaxRSS, AveRSS,
// MaxVMSize, TotalCPU, UserCPU, SystemCPU). Sizes in KiB, times in usec.
struct StepUsage {
  bool known = false;  // false: nothing was reported (sacct prints blanks)
  uint64_t max_rss_kb = 0, ave_rss_kb = 0, max_vm_kb = 0, ave_vm_kb = 0;
  std::string max_rss_node, max_vm_node;
  uint32_t max_rss_task = 0, max_vm_task = 0;
  int64_t user_usec = 0, sys_usec = 0;
  uint32_t tasks = 0;  // tasks measured (AveRSS's divisor)
  // The task that used the least CPU of all nodes' (MinCPU*), when known.
  bool has_min_cpu = false;
  int64_t min_cpu_usec = 0;
  std::string min_cpu_node;
  uint32_t min_cpu_task = 0;
  // The other ends, for sacct --json's per-task TRES usage.
  int64_t max_cpu_usec = 0;
  std::string max_cpu_node, min_rss_node, min_vm_node;
  uint32_t max_cpu_task = 0, min_rss_task = 0, min_vm_task = 0;
  uint64_t min_rss_kb = 0, min_vm_kb = 0;
  bool operator==(const StepUsage&) const = default;
};

// One node's measurement of a job's batch script or of a step's tasks
// there, as the node daemon reports it.
struct NodeUsage {
  bool known = false;
  uint64_t max_rss_kb = 0;
  uint32_t max_rss_task = 0;
  uint64_t sum_rss_kb = 0;
  uint32_t tasks = 0;
  int64_t user_usec = 0, sys_usec = 0;
  uint64_t max_vm_kb = 0;
  uint32_t max_vm_task = 0;
  uint64_t sum_vm_kb = 0;
  bool has_min_cpu = false;
  int64_t min_cpu_usec = 0;
  uint32_t min_cpu_task = 0;
  int64_t max_cpu_usec = 0;
  uint32_t max_cpu_task = 0;
  uint64_t min_rss_kb = 0, min_vm_kb = 0;
  uint32_t min_rss_task = 0, min_vm_task = 0;
};

// The accounting record of one srun step (sacct's N.S line); kept with its
// job for as long as the job's record is kept.
struct StepRecord {
  uint32_t id = 0;
  std::string name;
  int64_t start_time = 0, end_time = 0;  // end 0: still running
  JobState state = JobState::kRunning;
  int32_t exit_code = 0, exit_signal = 0;
  std::string node_list;  // compressed
  uint32_t nnodes = 0, ntasks = 0, ncpus = 0;
  StepUsage usage;
  bool operator==(const StepRecord&) const = default;
};

// A year in minutes: how Slurm plans a job without a time limit, and the
// limit its backfill gives such a job when it starts one.
inline constexpr int64_t kYearMin = 365LL * 24 * 60;

// Holding its allocation: running, completing or suspended.
inline bool HoldsResources(JobState s) {
  return s == JobState::kRunning || s == JobState::kCompleting || s == JobState::kSuspended;
}

struct Job {
  JobId id;
  JobSpec spec;
  JobState state = JobState::kPending;
  JobReason reason = JobReason::kNone;
  uint64_t priority = 0;
  int64_t submit_time = 0;  // unix seconds
  int64_t eligible_time = 0;
  int64_t start_time = 0;
  int64_t end_time = 0;
  std::vector<NodeAllocation> alloc;
  // The CPU IDs it holds on each node, as the nodes report them (not
  // persisted: every report repeats them).
  std::map<std::string, std::vector<uint32_t>, std::less<>> cpu_ids;
  int32_t exit_code = 0;
  int32_t exit_signal = 0;
  uint32_t restart_count = 0;  // requeues so far
  bool signal_sent = false;    // --signal delivered (not persisted)
  uint32_t mailed = 0;         // time-limit mails sent (not persisted)
  // scontrol requeue of a running job: once its processes are gone it goes
  // back to the queue (1), held (2) — instead of ending. 0: not asked.
  uint32_t requeue_on_end = 0;
  // Requeued by preemption for this job: it waits (BeginTime, as Slurm
  // shows it) until that one has started or gone. Not stored: after a
  // controller restart it simply competes again.
  uint64_t preempted_for = 0;
  // Steps srun runs inside the allocation (in memory only: a controller
  // restart forgets them; their tasks keep running).
  struct Step {
    uint32_t id = 0;
    std::string name;
    int64_t start_time = 0;
    std::vector<std::string> nodes;
    uint32_t ntasks = 0;
    std::vector<uint32_t> cpus;  // per node (parallel to `nodes`); empty with --overlap
    std::vector<std::vector<uint32_t>> gpus;  // per node: GPUs held alone; empty: none
    uint64_t mem_mb = 0;  // its own limit per node; 0 none
    std::string srun_host;
    uint32_t srun_pid = 0;
    bool cyclic = false;
  };
  std::vector<Step> steps;
  uint32_t next_step_id = 0;
  // Accounting (persisted, kept after the job ends): every step srun ran,
  // and what the batch script used.
  std::vector<StepRecord> step_log;
  StepUsage batch_usage;
  int64_t cancelled_by = -1;  // uid of who scancelled it (sacct's "CANCELLED by N")
  // While COMPLETING: the state the job takes once its node confirms the
  // processes are gone.
  JobState final_state = JobState::kCompleted;
  // Pending: the last scheduling pass's estimate (not persisted; every pass
  // recomputes it). 0 when the job has no reservation.
  int64_t expected_start = 0;
  std::vector<std::string> sched_nodes;
  bool backfilled = false;     // started by a backfill start (Scheduler=Backfill)
  // scontrol suspend/resume: when it was last suspended or resumed, how
  // long it had run before the last suspend, and how long it has been
  // suspended in all (the limit runs that much later).
  int64_t suspend_time = 0, pre_suspend_secs = 0, suspended_secs = 0;
  // Seconds it has run by `now`, suspended time left out.
  int64_t RunSecs(int64_t now) const;
  bool backfill_eval = false;  // pending, tried and blocked (Scheduler=Backfill:*)
  // Job arrays. Every record of an array has array_job_id, the ID it was
  // submitted under. While tasks wait, one record (with that ID) holds all
  // of them in array_pending; each task that starts is split off into a
  // record of its own with a new ID and its array_task_id, and the last one
  // takes the submitted record itself.
  uint64_t array_job_id = 0;          // 0: not part of an array
  int64_t array_task_id = -1;         // -1: the pending rest (or no array)
  common::ArrayIndexSet array_pending;
  bool IsArrayRest() const { return array_job_id && array_task_id < 0; }
  // A task of an array that counts against its %throttle (it holds its
  // resources: running, suspended or completing).
  bool IsActiveArrayTask() const { return array_job_id && HoldsResources(state); }

  std::vector<std::string> NodeNames() const;
  std::string NodeList() const;  // compressed, "" when none
  const std::string& BatchHost() const;
  // Output/error path with the default filled in ("slurm-%j.out") and made
  // absolute against the work dir; patterns unexpanded.
  // Arrays default to "slurm-%A_%a.out".
  std::string StdOutPattern() const;
  std::string StdErrPattern() const;
};

}  // namespace sluice::ctld
