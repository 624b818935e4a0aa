// The vocabulary Slurm users see: job states, pending/ending reasons and
// node states, with the exact names Slurm prints. Every place that prints
// one of these goes through here. Pure; thread-safe.
#pragma once

#include "absl/strings/string_view.h"
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::common {

enum class JobState : uint8_t {
  kPending = 0,
  kRunning = 1,
  kCompleting = 2,
  kCompleted = 3,
  kCancelled = 4,
  kFailed = 5,
  kTimeout = 6,
  kNodeFail = 7,
  kOutOfMemory = 8,
  kDeadline = 9,  // could not end before its --deadline
  kSuspended = 10,  // stopped by scontrol suspend; keeps its resources
  kPreempted = 11,  // ended by preemption (PreemptMode=CANCEL)
};
inline constexpr int kJobStateCount = 12;

bool IsFinished(JobState s);
absl::string_view JobStateName(JobState s);     // "PENDING"
absl::string_view JobStateCompact(JobState s);  // "PD"
// Accepts long or compact names, any case ("pending", "PD", "r").
std::optional<JobState> ParseJobState(absl::string_view s);

enum class JobReason : uint8_t {
  kNone = 0,
  kPriority,
  kResources,
  kPartitionTimeLimit,
  kPartitionConfig,
  kPartitionNodeLimit,
  kJobHeldUser,
  kJobHeldAdmin,
  kDependency,
  kDependencyNeverSatisfied,
  kBeginTime,
  kBadConstraints,
  kJobLaunchFailure,
  kNonZeroExitCode,
  kTimeLimit,
  kNodeDown,
  kPartitionDown,
  kPartitionInactive,
  kReqNodeNotAvail,
  kOutOfMemory,
  kRaisedSignal,
  kLaunchFailRequeueHeld,
  kJobArrayTaskLimit,  // the array's %throttle is reached
  kDeadLine,           // ended: it could not finish before its --deadline
  // Accounting limits (issue 13): association (Assoc*) and QOS (QOS*).
  kAssocMaxJobsLimit,
  kAssocGrpJobsLimit,
  kAssocMaxWallDurationPerJobLimit,
  kAssocMaxCpuPerJobLimit,
  kAssocMaxMemPerJob,
  kAssocMaxNodePerJobLimit,
  kAssocMaxGRESPerJob,
  kAssocGrpCpuLimit,
  kAssocGrpMemLimit,
  kAssocGrpNodeLimit,
  kAssocGrpGRES,
  kQOSMaxJobsPerUserLimit,
  kQOSGrpJobsLimit,
  kQOSMaxWallDurationPerJobLimit,
  kQOSMaxCpuPerJobLimit,
  kQOSMaxMemoryPerJob,
  kQOSMaxNodePerJobLimit,
  kQOSMaxGRESPerJob,
  kQOSMaxCpuPerUserLimit,
  kQOSMaxMemoryPerUser,
  kQOSMaxNodePerUserLimit,
  kQOSMaxGRESPerUser,
  kQOSGrpCpuLimit,
  kQOSGrpMemLimit,
  kQOSGrpNodeLimit,
  kQOSGrpGRES,
  kCount,
};
absl::string_view JobReasonName(JobReason r);
std::optional<JobReason> JobReasonFromInt(uint32_t v);

enum class NodeBaseState : uint8_t {
  kUnknown = 0,
  kIdle = 1,
  kMixed = 2,
  kAllocated = 3,
  kDown = 4,
};
// sinfo's short form ("idle", "mix", "alloc", "down", "drain", "drng",
// "unk") and the long form ("idle", "mixed", "allocated", ...).
std::string NodeStateShort(NodeBaseState s, bool drain, bool responding);
std::string NodeStateLong(NodeBaseState s, bool drain, bool responding);

}  // namespace sluice::common
