// The scheduler: a pure function from a snapshot of the cluster and queue
// to a plan. No I/O, no clock, no logging; the plan carries reasons and
// expected start times instead.
#pragma once

#include <optional>

#include "ctld/sched/types.h"

namespace sluice::sched {

// Conservative backfill. Jobs are taken by descending priority (then
// ascending ID). Each gets the earliest start at which it fits on enough of
// its partition's available nodes for its whole time limit, given what
// running jobs give back when their limits expire and what higher-priority
// jobs have already reserved. A job whose earliest start is now starts now;
// otherwise it gets a reservation that lower-priority jobs cannot delay, so
// a small job backfills ahead of a blocked large one only if it ends before
// the large one's reservation begins. The first blocked job of a partition
// waits for Resources, later ones for Priority; held jobs and jobs their
// partition can never run get their own reasons and consume nothing.
SchedulePlan Schedule(const SchedulerInput& input,
                      const SchedulerConfig& config = {});

// The partition limit a job exceeds (time, node count, CPUs per node), if
// any: the job pends with this reason, or -- with EnforcePartLimits -- is
// refused at submission.
std::optional<JobReason> PartitionLimitReason(const SchedJob& j,
                                              const SchedPartition& p);

// How many copies of a job array's waiting record one pass offers: as many
// tasks as could start on `free_cpus` (at least one, so the array gets a
// reason and a reservation), no more than are waiting, and no more than
// its %throttle leaves (0 when it is reached: the array waits with
// JobArrayTaskLimit). Used by the controller and the simulator alike.
uint64_t ArrayOffers(uint64_t waiting, uint32_t throttle, uint32_t active,
                     uint64_t free_cpus, uint32_t cpus_per_task);

}  // namespace sluice::sched

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sluice::sched {

// SchedulerParameters from slurm.conf: bf_window=<minutes>,
// bf_resolution=<seconds>, bf_max_job_test=<n>, bf_continue; other keys
// belong to Slurm features Sluice does not have and are ignored.
// InvalidArgument for a malformed number.
absl::StatusOr<SchedulerConfig> ParseSchedulerParameters(absl::string_view s);

}  // namespace sluice::sched
