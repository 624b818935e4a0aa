// Plain values the scheduler consumes and produces. No I/O, no protobuf.
#pragma once

#include <array>
#include <cstdint>
#include <cstddef>
#include <string>
#include <vector>

#include "common/ids.h"
#include "common/job_types.h"

namespace sluice::sched {

using common::JobId;
using common::JobReason;

// What one node gives a job.
struct NodeAllocation {
  std::string node;
  uint32_t cpus = 0;
  uint64_t mem_mb = 0;
  std::vector<uint32_t> gpus;  // device indices on that node
  bool operator==(const NodeAllocation&) const = default;
};

struct SchedNode {
  std::string name;
  bool available = true;  // up, responding, not drained
  uint32_t cpus_free = 0;
  uint64_t mem_free_mb = 0;
  std::string gpu_type;         // type of this node's GPUs, empty if untyped
  std::vector<bool> gpu_free;   // by device index
  // Users with jobs on the node now, and whether one of those jobs came
  // from an ExclusiveUser partition (then only that user may join).
  std::vector<uint32_t> users;
  bool user_exclusive = false;
  // Configured totals, for --exclusive (the whole node).
  uint32_t cpus_total = 0;
  uint64_t mem_total_mb = 0;
};

struct SchedPartition {
  std::string name;
  std::vector<int> nodes;  // indices into SchedulerInput::nodes, config order
  int64_t max_time_min = -1;
  uint32_t max_nodes = 0;  // 0: unlimited
  bool up = true;
  bool inactive = false;        // State=INACTIVE: nothing is scheduled
  uint32_t min_nodes = 0;
  uint32_t max_cpus_per_node = 0;  // 0: unlimited
  bool exclusive = false;       // OverSubscribe=EXCLUSIVE
  bool exclusive_user = false;  // ExclusiveUser=YES: nodes not shared across users
  int32_t priority_tier = 1;
};

// What a job counts against accounting limits: CPUs, memory (MB), nodes,
// GPUs (common::TresKind's order).
using TresCount = std::array<int64_t, 4>;

// A limit several jobs share (an association's or a QOS's, for everyone
// or per user): caps on running jobs and on their summed TRES (-1: none),
// what the running jobs use now, and the reason a job waits when starting
// it would pass a cap.
struct SchedLimit {
  int64_t cap_jobs = -1;
  JobReason jobs_reason = JobReason::kNone;
  TresCount cap = {-1, -1, -1, -1};
  std::array<JobReason, 4> reasons{};
  int64_t used_jobs = 0;
  TresCount used = {0, 0, 0, 0};
};

struct SchedJob {
  JobId id;
  uint64_t priority = 0;
  uint32_t uid = 0;
  int partition = 0;  // index into SchedulerInput::partitions
  // Further partitions the job may run in (-p a,b): it starts in whichever
  // can start it first.
  std::vector<int> more_partitions;
  uint32_t nodes = 1;
  uint32_t cpus_per_node = 1;
  // Tasks that do not divide evenly over the nodes (-N2 -n3): the first
  // `full_nodes` picked take cpus_per_node, the rest `cpus_rest` (fewer),
  // as Slurm lays them out. 0: every node takes cpus_per_node.
  uint32_t full_nodes = 0, cpus_rest = 0;
  uint64_t mem_per_node_mb = 0;
  uint32_t gpus_per_node = 0;
  std::string gpu_type;
  int64_t time_limit_min = -1;
  // --time-min: when the full limit cannot start now, the job may start now
  // with any limit from this up to its own; -1 none.
  int64_t time_min_min = -1;
  bool exclusive = false;  // --exclusive: whole nodes
  bool contiguous = false; // --contiguous: consecutive nodes (config order)
  // Nodes the job may use (--nodelist/--exclude/--constraint), as a mask
  // over SchedulerInput::nodes; empty means any. `filter_key` names the
  // mask so jobs with equal masks share work.
  std::vector<bool> allowed;
  std::string filter_key;
  bool held = false;
  bool admin_held = false;  // JobHeldAdmin rather than JobHeldUser
  // Not eligible yet for a reason decided outside the scheduler
  // (Dependency, BeginTime, a per-job accounting limit...); kNone when
  // eligible.
  JobReason wait_reason = JobReason::kNone;
  // The shared limits it counts against (indices into
  // SchedulerInput::limits), in the order they are checked, and what it
  // would count.
  std::vector<int> limits;
  TresCount tres = {0, 0, 0, 0};
  // The QOS (SchedRunning::qos) whose running jobs it may preempt when it
  // cannot start otherwise.
  std::vector<int> preempts;
};

// A job holding resources now, and when it is expected to give them back
// (start + time limit; kForever-like values for no limit).
struct SchedRunning {
  JobId id;
  int64_t end_time = 0;
  std::vector<NodeAllocation> alloc;
  std::vector<int> limits;  // as SchedJob's: what it gives back at end_time
  TresCount tres = {0, 0, 0, 0};
  // Preemption (PreemptType=preempt/qos): its QOS (an index the pending
  // jobs' `preempts` name; -1 none) and priority (lower goes first).
  int qos = -1;
  uint64_t priority = 0;
};

struct SchedulerInput {
  int64_t now = 0;
  std::vector<SchedNode> nodes;
  std::vector<SchedPartition> partitions;
  std::vector<SchedRunning> running;
  std::vector<SchedJob> pending;  // any order; the scheduler sorts
  std::vector<SchedLimit> limits;  // used as the running jobs use them
};

// SchedulerParameters as slurm.conf spells them (bf_*).
struct SchedulerConfig {
  int64_t bf_window_s = 24 * 3600;  // how far ahead reservations are made
  int64_t bf_resolution_s = 60;     // start estimates are aligned (down) to this
  size_t bf_max_job_test = SIZE_MAX;  // jobs considered per pass (default all)
  // false: strict priority order (FIFO) -- nothing starts behind a blocked
  // job of the same partition. Used by sluice-sim's "fifo" policy.
  bool backfill = true;
  // A job without a time limit is planned as if it ran this long when
  // placing it, and holds its reservation forever.
};

struct Placement {
  JobId id;
  std::vector<NodeAllocation> alloc;
  int partition = 0;  // where it starts (one of the job's partitions)
  // --time-min: the shorter limit it starts with; -1 when its own.
  int64_t time_limit_min = -1;
  // Started ahead of a higher-priority job of its partition that waits
  // (Slurm's backfill start; the main pass stops at the first blocked job).
  bool backfill = false;
};

// A pending job's expected start and nodes, which no lower-priority job
// may delay.
struct Reservation {
  JobId id;
  int64_t start_time = 0;
  std::vector<std::string> nodes;
  int partition = 0;
  // Beyond bf_window: an estimate only, holding nothing back from
  // lower-priority jobs (and naming no nodes, as Slurm's SCHEDNODES).
  bool estimate_only = false;
};

struct SchedulePlan {
  std::vector<Placement> starts;
  std::vector<Reservation> reservations;
  // A reason for every pending job that does not start.
  std::vector<std::pair<JobId, JobReason>> reasons;
  // Running jobs to preempt (first) so that a waiting job (second) can
  // start once their resources are back.
  std::vector<std::pair<JobId, JobId>> preemptions;
};

}  // namespace sluice::sched
