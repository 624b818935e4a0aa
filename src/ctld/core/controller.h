// The controller's domain core: jobs, nodes and partitions, and every
// transition between them. It is handed `now` on every call and never reads
// a clock, sleeps, or touches the network: peers sit behind NodeClient and
// durability behind JobStore (both owned by the composition root and
// outliving the Controller). Not thread-safe: all calls come from the ctld
// strand, including NodeClient callbacks.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/auth.h"
#include "common/slurm_conf.h"
#include "ctld/core/assoc_db.h"
#include "ctld/core/job.h"
#include "ctld/core/job_changes.h"
#include "ctld/core/job_index.h"
#include "ctld/core/mail.h"
#include "ctld/core/node_client.h"
#include "ctld/core/node_table.h"
#include "ctld/core/fair_tree.h"
#include "ctld/core/priority.h"
#include "ctld/sched/types.h"
#include "ctld/store/job_store.h"

namespace sluice::ctld {

// A submission as the command sent it; validated by Submit.
struct SubmitRequest {
  bool interactive = false;
  int32_t requeue = -1;
  int32_t signal_num = 0;
  uint32_t signal_secs = 0;
  bool signal_batch = false;
  std::string name;
  std::string partition;
  bool time_limit_set = false;
  int64_t time_limit_min = -1;
  uint32_t min_nodes = 0;
  uint32_t ntasks = 0;
  uint32_t ntasks_per_node = 0;
  uint32_t cpus_per_task = 0;
  uint64_t mem_mb = 0;
  std::string gpus_per_node;  // raw
  std::string gres;           // raw
  std::string script;
  std::string work_dir;
  std::string std_out, std_err, std_in;
  std::vector<std::string> env;
  bool hold = false;
  bool append_output = false;
  std::string dependency;   // raw
  int64_t begin_time = 0;   // unix seconds; 0 none
  std::string nodelist, exclude, constraint;  // raw
  bool exclusive = false;
  uint32_t gpus = 0, gpus_per_task = 0, cpus_per_gpu = 0;
  uint64_t mem_per_cpu_mb = 0, mem_per_gpu_mb = 0;
  int32_t nice = 0;
  uint64_t priority = 0;  // administrator-set; 0 none
  bool contiguous = false;
  std::string account;
  std::string qos;  // --qos; "" none
  std::string comment;
  std::vector<std::string> script_args;
  std::string submit_host;
  uint32_t alloc_sid = 0;
  std::string submit_line;
  std::string array;  // --array as given; "" none
  int64_t deadline = 0;       // --deadline, unix seconds; 0 none
  int64_t time_min_min = -1;  // --time-min; -1 none
  std::string mail_type, mail_user;  // as given
  int64_t as_uid = -1, as_gid = -1;  // --uid/--gid (root only); -1 the caller's
  uint32_t mincpus = 0;   // --mincpus
  bool spread_job = false;  // --spread-job
  bool overcommit = false;  // -O
  uint64_t tmp_mb = 0;      // --tmp
  uint32_t sockets_per_node = 0, cores_per_socket = 0;  // 0: not asked
};

// sbatch --test-only: where and when the scheduler would start the job now
// (nothing is submitted). start_time 0: it has no estimate.
struct WillRunOutcome {
  std::string error;
  std::vector<std::string> notes;
  uint64_t would_be_id = 0;
  int64_t start_time = 0;
  std::vector<std::string> nodes;
  uint32_t cpus = 0;
  std::string partition;
};

struct SubmitOutcome {
  JobId id;                         // 0 when refused
  std::string error;                // "Batch job submission failed: <error>"
  std::vector<std::string> notes;   // printed before, as "error:" lines
};

// Slurm errnos the commands turn into exit codes.
inline constexpr uint32_t kEslurmInvalidJobId = 2017;
inline constexpr uint32_t kEslurmAccessDenied = 2002;

struct CancelOutcome {
  JobId id;
  std::string error;     // empty on success
  uint32_t code = 0;     // Slurm errno
};

struct JobEnd {
  JobId id;
  int32_t exit_code = 0;
  int32_t signal = 0;
  bool launch_failed = false;
  std::string message;
  bool out_of_memory = false;
  bool prolog_failed = false;
  bool epilog_failed = false;
  bool unkillable = false;
  bool lost = false;
  NodeUsage usage;  // the batch script's
};

struct StepEndReport {
  JobId job;
  uint32_t step = 0;
  NodeUsage usage;  // its tasks' on the reporting node
};

struct NodeReport {
  std::string node;
  bool registering = false;
  uint32_t cpus = 0;
  uint64_t real_memory_mb = 0;
  std::vector<ReportedGpu> gpus;
  std::vector<JobId> running;
  std::vector<JobEnd> ended;
  std::string health_failure;
  std::vector<StepEndReport> ended_steps;
  HostFacts host;
  std::vector<std::pair<JobId, std::vector<uint32_t>>> job_cpus;  // CPU IDs each job holds
};

struct NodeReportOutcome {
  std::vector<JobId> acked;
  std::vector<JobId> kill;
  std::vector<std::pair<JobId, uint32_t>> allocations;  // jobs placed here, their CPUs here
};

struct StepRequest {
  JobId job;
  uint32_t ntasks = 0;
  uint32_t nodes = 0;
  uint32_t ntasks_per_node = 0;
  uint32_t cpus_per_task = 0;
  std::string name;
  bool overlap = false;  // --overlap: shares CPUs with other steps
  bool exact = false;    // --exact: only the CPUs its tasks need
  uint32_t gpus_per_node = 0;  // 0: the job's GPUs, shared; N: N of them, held
  uint64_t mem_mb = 0;         // the step's own limit per node; 0: the job's alone
  std::string srun_host;       // SrunHost:Pid
  uint32_t srun_pid = 0;
  bool cyclic = false;         // -m cyclic: task t on node t mod N (else in blocks)
};

// Where a step's tasks go; the rpc layer adds a credential per node.
struct StepPlan {
  std::string error;  // Slurm's text; empty on success
  bool busy = false;  // the allocation's CPUs are held by other steps: retry
  uint32_t step_id = 0;
  struct Node {
    std::string name;
    std::string address;
    std::vector<uint32_t> tasks;
    std::vector<uint32_t> gpus;  // the step's
    uint32_t cpus = 0;           // the step's
    uint64_t mem_mb = 0;         // the step's own limit; 0 none
    uint32_t job_cpus = 0;       // the job's allocation on the node
    uint64_t job_mem_mb = 0;
    std::vector<uint32_t> job_gpus;
  };
  std::vector<Node> nodes;
  std::vector<std::string> env;  // job-level SLURM_* variables
  std::string node_list;
  uint32_t ntasks = 0;
  uint32_t uid = 0;   // the job's owner
  uint32_t gid = 0;
  std::string user;
};

class Controller {
 public:
  Controller(common::SlurmConfig config, JobStore* store, NodeClient* nodes,
             uint32_t own_uid);

  // --mail-type events go here (owned by the composition root); none by
  // default, as with no MailProg.
  void set_mailer(Mailer* m) { mailer_ = m; }

  // Loads stored jobs; call once before anything else.
  absl::Status Recover(int64_t now);
  // scontrol reconfigure: `next` (slurm.conf read again) takes effect now.
  // Nodes and partitions may come and go, but not a node that holds a job;
  // SlurmctldHost/Port, StateSaveLocation, AuthType and ClusterName keep
  // their values until a restart. Administrators only ("Invalid user id").
  absl::Status Reconfigure(common::SlurmConfig next, const common::Identity& who,
                           int64_t now);

  // Accepts a job into memory. It is not durable, and must not be
  // acknowledged, until Sync() returns OK: callers batch several submissions
  // into one commit (group commit).
  // `dry_run`: a request that no node can satisfy leaves no record.
  SubmitOutcome Submit(const SubmitRequest& req, const common::Identity& who,
                       int64_t now, bool dry_run = false);
  // --test-only: validates `req` as Submit does and asks the scheduler, on
  // the current queue, where and when it would start; changes nothing.
  WillRunOutcome WillRun(const SubmitRequest& req, const common::Identity& who,
                         int64_t now);
  // Commits every job accepted since the last Sync in one transaction. On
  // failure those jobs are dropped and their submitters must be told.
  absl::Status Sync();
  bool has_unsynced() const { return !unsynced_.empty(); }
  // The outcome of the store's latest write since the last call, for the
  // composition root to log (the core does no I/O); nullopt when none.
  std::optional<absl::Status> TakeStoreResult();
  // Jobs whose latest change could not be written (memory ahead of disk);
  // every tick writes them again.
  size_t unsaved_jobs() const { return dirty_.size(); }
  // Job records deleted by PurgeJobAfter since start.
  uint64_t purged_records() const { return purged_records_; }
  // Decayed CPU-seconds per association (fair-share), for tests and diagnostics.
  const UsageLedger& usage() const { return usage_; }
  // Fair Tree's figures for every association, in sshare's order
  // (controller_shares.cc); implicit ones for users without an association.
  std::vector<ShareFigures> Shares() const;
  // Each pending job's priority factors (sprio); none under priority/basic.
  struct JobPriorityRow {
    const Job* job;
    PriorityFactors factors;
  };
  std::vector<JobPriorityRow> PriorityRows(int64_t now) const;
  // TRES x minutes left of the running jobs charged to each association
  // (sshare's TRESRunMins), by UsageKey; jobs without a limit count none.
  std::map<std::string, sched::TresCount> RunMinsByKey(int64_t now) const;
  std::string UsageKeyOf(const JobSpec& s) const;
  // Charges running jobs to `now` and writes the usage to the store (at a
  // clean shutdown; the tick saves it every 30 s and when jobs end).
  void SaveUsage(int64_t now);
  // The store's rebuildable caches back to the system (JobStore::ReleaseMemory).
  size_t ReleaseStoreMemory() { return store_->ReleaseMemory(); }
  const PriorityConfig& priority_config() const { return priority_; }
  // signal 0: cancel. Otherwise deliver the signal (full: every process of
  // the batch step; batch: the batch shell only; neither: job steps only).
  std::vector<CancelOutcome> Cancel(const std::vector<JobId>& ids, int signal,
                                    bool full, bool batch,
                                    const common::Identity& who, int64_t now);
  // scontrol hold/uhold/release. A hold by root or the cluster's own user is
  // an admin hold (JobHeldAdmin) unless `user_hold`; users may hold and
  // release only their own jobs, and cannot release an admin hold.
  // scontrol update job: all of `changes` or none (controller_modify.cc).
  // Errors carry Slurm's text ("Access/permission denied", "Job is no
  // longer pending execution", ...).
  absl::Status ModifyJob(JobId id, const JobChanges& changes, const common::Identity& who,
                         int64_t now);
  // sacctmgr (controller_assoc.cc): the accounts, users and associations,
  // kept in the store ("associations" setting) before the answer. Adding
  // takes root, SlurmUser or an Operator/Administrator (checked after the
  // request itself, as slurmdbd does: a dry run answers anyone); errors
  // carry sacctmgr's text.
  const AssocDb& assocs() const { return assocs_; }
  // May `who` change the associations (root, SlurmUser, an Operator)?
  // Such a user also sees every record under PrivateData.
  bool AcctAdmin(const common::Identity& who) const;
  // PrivateData=`what` (jobs, users, accounts, usage) hides the others'
  // records from `who`.
  bool SeesOwnOnly(const std::string& what, const common::Identity& who) const {
    return config_.PrivateData(what) && !AcctAdmin(who);
  }
  // With `commit` false, what would change, and nothing changes.
  absl::StatusOr<std::vector<std::string>> AddAccounts(const AddAccountsSpec& spec,
                                                       const common::Identity& who, bool commit);
  absl::StatusOr<AddUsersOutcome> AddUsers(const AddUsersSpec& spec, const common::Identity& who,
                                           bool commit);
  absl::StatusOr<std::vector<std::string>> ModifyUsers(const std::vector<std::string>& names,
                                                       const AssocDb::UserChanges& c,
                                                       const common::Identity& who, bool commit);
  absl::StatusOr<std::vector<std::string>> ModifyAccounts(const std::vector<std::string>& names,
                                                          const AssocDb::AccountChanges& c,
                                                          const common::Identity& who, bool commit);
  absl::StatusOr<AssocDb::Deleted> DeleteUsers(const std::vector<std::string>& names,
                                               const std::vector<std::string>& accounts,
                                               const std::vector<std::string>& partitions,
                                               const common::Identity& who, bool commit);
  absl::StatusOr<std::vector<std::string>> DeleteAccounts(const std::vector<std::string>& names,
                                                          const common::Identity& who, bool commit);
  // Any other change (QOS, limits): `change` runs on a copy, which is kept
  // (and stored) only with `commit` and when `who` may change things, else
  // `denied` is the answer.
  absl::Status ChangeAssocs(const std::function<absl::Status(AssocDb&)>& change,
                            const common::Identity& who, bool commit, const std::string& denied);
  // scontrol update PartitionName=: administrators only; all or nothing.
  // Kept in memory: a restart reads slurm.conf again.
  // A restart's replay of the stored partition changes (Recover), and a
  // reconfigure's clearing of them.
  void ReplayPartitionUpdates(const std::string& stored);
  absl::Status ForgetPartitionUpdates();
  absl::Status UpdatePartition(const std::string& name, const PartitionChanges& changes,
                               const common::Identity& who, int64_t now);
  // scontrol top: each job goes ahead of its owner's other waiting jobs in
  // its partition (its nice value lowered just enough). Administrators, or
  // the owner with SchedulerParameters=enable_user_top.
  std::vector<CancelOutcome> TopJobs(const std::vector<JobId>& ids, const common::Identity& who,
                                     int64_t now);
  // scontrol requeue/requeuehold: a running job is stopped and goes back
  // to the queue once its processes are gone; an ended one at once.
  // scontrol suspend / resume (administrators): the job's processes on
  // every node stop (SIGSTOP) or go on (SIGCONT); it keeps its resources,
  // and its time limit runs that much later. Slurm's refusals per job.
  // scontrol notify: `text` on a running job's stderr (its batch script's,
  // or its steps' srun where it has no script). Owner or admin.
  CancelOutcome Notify(JobId id, const std::string& text, const common::Identity& who,
                       int64_t now);
  std::vector<CancelOutcome> Suspend(const std::vector<JobId>& ids, bool resume,
                                     const common::Identity& who, int64_t now);
  std::vector<CancelOutcome> RequeueJobs(const std::vector<JobId>& ids, bool hold,
                                         const common::Identity& who, int64_t now);
  std::vector<CancelOutcome> Hold(const std::vector<JobId>& ids, bool user_hold,
                                  const common::Identity& who, int64_t now);
  std::vector<CancelOutcome> Release(const std::vector<JobId>& ids,
                                     const common::Identity& who, int64_t now);
  // scontrol update NodeName=LIST State=DRAIN|RESUME|DOWN|UNDRAIN Reason=..
  // Administrators only. DRAIN and DOWN need a reason, as in Slurm.
  absl::Status UpdateNodes(const std::string& nodes, const std::string& state,
                           const std::string& reason,
                           const common::Identity& who, int64_t now);
  absl::StatusOr<NodeReportOutcome> OnNodeReport(const NodeReport& report,
                                                 const common::Identity& who,
                                                 int64_t now);
  // The jobs OnNodeReport(report) may change: those it names and those
  // holding resources on its node (IDs, sorted, once each). The rpc layer
  // digests them before and after, so that a heartbeat that changes no
  // job leaves the readers' copy current.
  std::vector<uint64_t> JobsAReportTouches(const NodeReport& report) const;
  // A node daemon's session (liveness apart from telemetry) opened or
  // closed for `nodes`. While one is open the node is not timed out; when
  // it closes, the node counts as last heard from half a SlurmdTimeout
  // earlier (the keepalive that ended it proves the peer only that often),
  // so a dead node is still seen within SlurmdTimeout.
  absl::Status OnNodeSession(const std::vector<std::string>& nodes, bool open,
                             const common::Identity& who, int64_t now);
  // One scheduling pass: start what fits, set every pending job's reason.
  void Schedule(int64_t now);
  // Time limits, node timeouts, purging of old finished jobs.
  void Tick(int64_t now);

  // True when something happened that a scheduling pass should look at.
  // New submissions alone ask for one only when one of them might start
  // now (NewJobsMayStart): over a deep queue on a full cluster a pass per
  // submission only refreshes reasons, and made a submission's cost grow
  // with the queue (issue 14, point 2). The periodic pass (or the next job
  // end, node change...) then gives them their reasons.
  bool schedule_needed() const {
    return schedule_needed_ || (submitted_since_pass_ && NewJobsMayStart());
  }
  // Below this many jobs a pass is cheap: every submission gets one, so
  // small clusters see reasons at once.
  static constexpr size_t kDeepQueueJobs = 1000;

  const std::map<uint64_t, Job>& jobs() const { return jobs_; }
  // Jobs by owner and by array, always in step with jobs().
  const JobIndex& job_index() const { return index_; }
  // Advances whenever a job is written to the store, ends, or enters or
  // leaves the map, and whenever a scheduling pass changes what it shows of
  // a job (priority, reason, start estimate, a start): a tick or a pass
  // that leaves it alone changed nothing QueryJobs shows (what they do
  // besides, fair-share usage, mails, timed signals and node liveness, is
  // not part of a job's record).
  uint64_t job_changes() const { return job_changes_; }
  const std::vector<NodeRecord>& nodes() const { return nodes_; }
  const common::SlurmConfig& config() const { return config_; }
  int64_t boot_time() const { return boot_time_; }  // the first Recover's `now`
  uint64_t next_job_id() const { return next_job_id_; }

  // Environment of the batch step (job-level SLURM_* plus the submitter's).
  std::vector<std::string> BatchEnv(const Job& job, const std::string& env_block) const;
  // Job-level variables only (no submitter environment): for steps.
  std::vector<std::string> JobEnv(const Job& job) const;

  // Job arrays (controller_arrays.cc).
  // Every record of the array submitted as `id` (in ID order), or just `id`
  // when it names no array.
  std::vector<JobId> ArrayMembers(JobId id) const;
  // The record of task `task` of array `array_id`; a task still waiting in
  // the array's pending rest is split off into a record of its own first
  // (as Slurm does to hold or cancel one task). NotFound when there is none.
  absl::StatusOr<JobId> ArrayTask(JobId array_id, uint32_t task, int64_t now);

 private:
  Job* FindJob(JobId id);
  // Every job enters and leaves the map through these (index_ follows).
  Job& AddJob(Job&& j);
  void EraseJob(uint64_t id);
  // Every change of a job's state once it is in the map goes through here
  // (index_ keeps the live jobs).
  void SetState(Job& j, JobState s);
  // A scheduling pass sets what a view shows through this: a change
  // advances job_changes_ (readers need a new copy), the same value does not.
  template <typename T, typename V>
  void SetShown(T& field, V&& value) {
    if (field == value) return;
    field = std::forward<V>(value);
    ++job_changes_;
  }
  // The jobs the clock can change: all but those pending without a
  // --deadline. One walk of the job map per tick (over a deep queue each
  // walk costs milliseconds: the tick made six), then each check walks this.
  std::vector<Job*> WatchedJobs();
  NodeRecord* FindNode(const std::string& name);
  NodeEndpoint Endpoint(const NodeRecord& n) const;
  // Writes `jobs`; false on failure, when it remembers them for the tick
  // to write again.
  bool Persist(const std::vector<const Job*>& jobs);
  void RetryUnsaved();
  // A requeue asked for by scontrol: to the queue, held if asked (an
  // administrator's hold when `admin`), its accounting of the last run gone.
  void RequeueNow(Job& job, bool hold, bool admin, int64_t now);
  // Accounting: a step's record ends (once); the job is written on the tick.
  void EndStepRecord(Job& job, uint32_t step, common::JobState state, int exit_code, int signal,
                     int64_t now);
  static common::JobState StepEndState(int exit_code, int signal, bool out_of_memory);
  // Writes the jobs whose accounting alone changed (steps started or ended).
  void FlushAccounting();
  void PurgeAccounting(int64_t now);
  int64_t next_purge_ = 0;
  void Launch(Job& job, int64_t now);
  // Lets go of the bodies (script, environment) of jobs just saved: the
  // store has them (JobStore::LoadBody).
  void ReleaseBodies(const std::vector<const Job*>& saved);
  bool BodyInUse(uint64_t body, uint64_t array) const;
  void OnLaunchDone(JobId id, absl::Status st, int64_t now);
  void Finish(Job& job, JobState state, JobReason reason, int64_t now);
  void ReleaseResources(Job& job);
  void Terminate(Job& job, SignalKind kind, JobState final_state, int64_t now);
  // Steps (controller_steps.cc).
 public:
  StepPlan CreateStep(const StepRequest& req, const common::Identity& who, int64_t now);
  // An interactive allocation ends (step < 0), or one step does.
  // `out_of_memory`: a task was killed for exceeding its memory, and the
  // allocation ends OUT_OF_MEMORY.
  absl::Status CompleteJob(JobId id, int step, int exit_code, int signal,
                           const common::Identity& who, int64_t now,
                           bool out_of_memory = false);
  // scancel N.S on every node of the step.
  // `signal` 0 cancels the step (SIGTERM, SIGKILL after KillWait); else
  // that signal goes to every process of the step, or with `batch_only`
  // to its tasks alone (not their children).
  CancelOutcome CancelStep(JobId id, uint32_t step, int signal, bool batch_only,
                           const common::Identity& who, int64_t now);

 private:
  // scontrol update PartitionName=: checks and applies (controller_modify.cc).
  // With `apply` false, only checks.
  absl::Status ApplyPartitionChanges(const std::string& name, const PartitionChanges& c,
                                     bool apply);
  // Node health (controller_nodes.cc).
  void DrainNode(NodeRecord& n, const std::string& reason, int64_t now);
  bool Requeueable(const Job& job) const;
  void Requeue(Job& job, bool held, int64_t now);
  void FailOrRequeue(Job& job, int64_t now);
  void FailJobsOn(const NodeRecord& n, int64_t now);
  void ApplyJobEnd(Job& job, const JobEnd& e, NodeRecord& node, int64_t now);
  void ApplyNodeHealth(NodeRecord& n, const NodeReport& rep, int64_t now);
  void CheckNodeTimeouts(int64_t now);
  void SendTimedSignals(int64_t now, const std::vector<Job*>& watched);
  // --deadline: ends a pending job that can no longer finish by it; with
  // `passed_only`, only one whose deadline has passed.
  void EndIfPastDeadline(Job& j, int64_t now, bool passed_only);
  // --sockets-per-node/--cores-per-socket within what some node has.
  bool TopologyFits(const JobSpec& s) const;
  // Accounting limits (controller_limits.cc). What applies to a job: its
  // user association, the account associations above it (nearest first),
  // its QOS, and the per-user limits inherited down the tree.
  struct JobLimits {
    const AcctAssoc* user_assoc = nullptr;
    std::vector<const AcctAssoc*> chain;
    const AcctQos* qos = nullptr;
    int64_t max_jobs = -1, max_submit = -1, max_wall = -1;
    common::TresVec max_tres = common::kNoTres;
  };
  JobLimits LimitsOf(const JobSpec& s) const;
  // The job's QOS: its own (lower-cased) or the default; "Invalid qos
  // specification" for one that does not exist or (with
  // AccountingStorageEnforce=qos) its association does not allow.
  absl::Status ApplyQos(JobSpec& s) const;
  // With limits enforced: MaxWall as the default time limit, and the
  // submit limits (Slurm's refusal text, the limit's name in `notes`).
  std::string SubmitLimits(JobSpec& s, bool time_given, std::vector<std::string>* notes) const;
  // A per-job limit (MaxWall, MaxTRES of its QOS or association `e`) the
  // job (asking `t`) passes: it waits with this reason.
  std::optional<JobReason> PerJobLimitReason(const Job& j, const JobLimits& e,
                                             const sched::TresCount& t) const;
  sched::TresCount LimitTres(const Job& j) const;
  // The shared run limits for the scheduler: `in.limits`, and each running
  // and pending job's pools and TRES (offers mapped back by `offer_of`).
  void AddLimitPools(sched::SchedulerInput& in, const std::map<uint64_t, uint64_t>& offer_of) const;
  // PreemptType=preempt/qos: each running job's QOS (where it may be
  // preempted) and priority, and the QOS each pending job may preempt.
  void AddPreemption(sched::SchedulerInput& in, const std::map<uint64_t, uint64_t>& offer_of) const;
  // Stops a running job for a preemptor: requeued (its QOS's PreemptMode,
  // or slurm.conf's, is REQUEUE and the job may be requeued) or ended
  // PREEMPTED.
  void Preempt(JobId id, JobId for_job, int64_t now);
  // --mail-type: the mail for `event` of `job`, if it asked for it (an
  // array task without ARRAY_TASKS counts toward its array's summary).
  void MailEvent(const Job& job, uint32_t event, int64_t now);
  void MailTimeLimits(int64_t now, const std::vector<Job*>& watched);
  bool Authorized(const Job& job, const common::Identity& who) const;
  // The job, when it exists and `who` may act on it; else null with Slurm's
  // error in `r`.
  Job* FindOwnJob(JobId id, const common::Identity& who, CancelOutcome* r);
  // Suspends (SIGSTOP on every node) or resumes (SIGCONT) a job, keeping
  // the books of its suspended time.
  void StopOrContinue(Job& job, bool resume, int64_t now);
  // What the controller derives from config_: parameters, and the node
  // table rebuilt in the configuration's order (nodes that stay keep their
  // state).
  void ApplyConfig();
  // Takes `task` out of `rest`'s pending set into a record of its own (a
  // new ID), or makes `rest` that task when it is the last one. Not
  // persisted: the caller writes both.
  Job& SplitTask(Job& rest, uint32_t task);
  // Running or completing tasks of each array (throttle accounting).
  std::map<uint64_t, uint32_t> ActiveArrayTasks() const;
  JobReason WaitReason(const Job& j, int64_t now) const;
  // A held job's reason (its hold), no estimate and no planned nodes, as a
  // pass shows them without planning it.
  void ShowHeld(Job& j);
  // Applies `change` to each pending job (and running one, with
  // `running_too`) the caller owns and `may` allows, with Slurm's errors
  // for the others.
  std::vector<CancelOutcome> UpdatePending(
      const std::vector<JobId>& ids, const common::Identity& who, int64_t now,
      const std::function<bool(const Job&)>& may,
      const std::function<void(Job&)>& change, bool running_too = false);
  uint64_t BasePriority(const Job& job) const;
  // The next job ID not in use (from next_job_id_, wrapping from MaxJobId
  // to FirstJobId as Slurm does), and taking it.
  uint64_t FreeJobId() const;
  uint64_t TakeJobId();
  sched::SchedPartition ToSched(const common::PartitionConf& p) const;
  // The scheduler's snapshot: nodes, partitions, running and pending jobs
  // (job `also` too, though not yet committed). Extra offers of job arrays
  // (`active_tasks`: ActiveArrayTasks()) go into `offer_of`; a throttled
  // array gets its reason here, and a held job, left out, its ShowHeld.
  sched::SchedulerInput SchedInput(int64_t now, uint64_t also,
                                   const std::map<uint64_t, uint32_t>& active_tasks,
                                   std::map<uint64_t, uint64_t>* offer_of);
  void UpdatePriorities(int64_t now);
  // Fair share (controller_shares.cc).
  struct PriorityContext {
    uint32_t cluster_cpus = 0;
    uint32_t max_factor = 1;
    int64_t max_qos = 0, max_assoc = 0;
    std::map<std::string, double> fairshare;  // by UsageKey
  };
  PriorityContext PriorityContextNow() const;
  PriorityInputs InputsOf(const Job& j, const PriorityContext& c, int64_t now) const;
  std::vector<ShareNode> ShareNodes() const;
  void ChargeUsage(int64_t now, const std::vector<Job*>& watched);
  absl::Status RecoverUsage(const std::map<std::string, std::string>& settings);
  std::string ValidateResources(const SubmitRequest& req, JobSpec* spec,
                                std::vector<std::string>* notes) const;
  std::string CheckMemory(const JobSpec& s, std::vector<std::string>* notes) const;

  common::SlurmConfig config_;
  sched::SchedulerConfig sched_config_;
  PriorityConfig priority_;
  UsageLedger usage_{7 * 86400};
  int64_t last_charge_ = 0;
  int64_t next_usage_save_ = 0;
  size_t charged_jobs_ = 0;  // running at the last charge
  bool kill_invalid_depend_ = false;
  JobStore* store_;
  NodeClient* node_client_;
  Mailer* mailer_ = nullptr;
  std::set<uint64_t> array_begun_;  // arrays whose summary "Began" mail went
  uint32_t own_uid_;
  std::map<uint64_t, Job> jobs_;
  JobIndex index_;
  uint64_t job_changes_ = 0;
  std::vector<NodeRecord> nodes_;  // fixed by the configuration
  std::map<std::string, int> node_index_;  // name -> index into nodes_
  uint64_t next_job_id_ = 1;
  int64_t boot_time_ = 0;
  std::vector<std::string> partition_updates_;  // in force, as stored (see UpdatePartition)
  AssocDb assocs_;
  // Where associations apply (slurm.conf's AccountingStorageType or
  // Enforce): a job naming no account takes its user's default one; with
  // AccountingStorageEnforce=associations (or limits, qos, safe) the user
  // must be associated with that account on every partition the job
  // names, else Slurm's "Invalid account or account/partition
  // combination specified".
  absl::Status ApplyAssociations(JobSpec& s, const std::vector<std::string>& partitions) const;
  // A partition's AllowGroups (the owner's groups, primary or not; root and
  // SlurmUser pass), AllowAccounts and DenyAccounts: partitions the job may
  // not use are dropped from its list; none left is Slurm's refusal.
  absl::Status CheckPartitionAccess(JobSpec& s) const;
  // The default partition sacctmgr gave `user`, or "".
  std::string UserDefaultPartition(const std::string& user) const;
  absl::Status SaveAssocs(const AssocDb& next);
  // `next` kept (stored first) when `who` may change the associations;
  // else `denied` is the error.
  absl::Status CommitAssocs(const AssocDb& next, const common::Identity& who,
                            const std::string& denied);
  // Accepted or changed, not yet committed (Sync). A batch job here is a
  // submission sbatch has no answer for yet, and is never started; batch
  // starts and ends are written at once, so nothing else of theirs waits.
  std::set<uint64_t> unsynced_;
  std::set<uint64_t> dirty_;        // changed in memory, the write failed
  uint64_t purged_records_ = 0;
  std::set<uint64_t> acct_dirty_;   // step records changed; written on the tick
  std::optional<absl::Status> store_result_;
  bool schedule_needed_ = true;
  bool submitted_since_pass_ = false;  // jobs came in since the last pass
  bool NewJobsMayStart() const;
  int64_t last_now_ = 0;
};

}  // namespace sluice::ctld
