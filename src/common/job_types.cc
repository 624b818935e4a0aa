#include "absl/strings/string_view.h"
#include "common/job_types.h"

#include "absl/strings/ascii.h"

namespace sluice::common {
namespace {
struct StateNames {
  absl::string_view name, compact;
};
constexpr StateNames kStates[kJobStateCount] = {
    {"PENDING", "PD"},   {"RUNNING", "R"},   {"COMPLETING", "CG"},
    {"COMPLETED", "CD"}, {"CANCELLED", "CA"}, {"FAILED", "F"},
    {"TIMEOUT", "TO"},   {"NODE_FAIL", "NF"}, {"OUT_OF_MEMORY", "OOM"},
    {"DEADLINE", "DL"},  {"SUSPENDED", "S"},  {"PREEMPTED", "PR"},
};
constexpr absl::string_view kReasons[] = {
    "None",
    "Priority",
    "Resources",
    "PartitionTimeLimit",
    "PartitionConfig",
    "PartitionNodeLimit",
    "JobHeldUser",
    "JobHeldAdmin",
    "Dependency",
    "DependencyNeverSatisfied",
    "BeginTime",
    "BadConstraints",
    "JobLaunchFailure",
    "NonZeroExitCode",
    "TimeLimit",
    "NodeDown",
    "PartitionDown",
    "PartitionInactive",
    "ReqNodeNotAvail",
    "OutOfMemory",
    "RaisedSignal",
    "launch failed requeued held",
    "JobArrayTaskLimit",
    "DeadLine",
    "AssocMaxJobsLimit",
    "AssocGrpJobsLimit",
    "AssocMaxWallDurationPerJobLimit",
    "AssocMaxCpuPerJobLimit",
    "AssocMaxMemPerJob",
    "AssocMaxNodePerJobLimit",
    "AssocMaxGRESPerJob",
    "AssocGrpCpuLimit",
    "AssocGrpMemLimit",
    "AssocGrpNodeLimit",
    "AssocGrpGRES",
    "QOSMaxJobsPerUserLimit",
    "QOSGrpJobsLimit",
    "QOSMaxWallDurationPerJobLimit",
    "QOSMaxCpuPerJobLimit",
    "QOSMaxMemoryPerJob",
    "QOSMaxNodePerJobLimit",
    "QOSMaxGRESPerJob",
    "QOSMaxCpuPerUserLimit",
    "QOSMaxMemoryPerUser",
    "QOSMaxNodePerUserLimit",
    "QOSMaxGRESPerUser",
    "QOSGrpCpuLimit",
    "QOSGrpMemLimit",
    "QOSGrpNodeLimit",
    "QOSGrpGRES",
};
static_assert(sizeof(kReasons) / sizeof(kReasons[0]) ==
              static_cast<size_t>(JobReason::kCount));
}  // namespace

bool IsFinished(JobState s) {
  return s != JobState::kPending && s != JobState::kRunning &&
         s != JobState::kCompleting && s != JobState::kSuspended;
}

absl::string_view JobStateName(JobState s) {
  return kStates[static_cast<int>(s)].name;
}
absl::string_view JobStateCompact(JobState s) {
  return kStates[static_cast<int>(s)].compact;
}

std::optional<JobState> ParseJobState(absl::string_view s) {
  std::string up = absl::AsciiStrToUpper(s);
  for (int i = 0; i < kJobStateCount; ++i) {
    if (up == kStates[i].name || up == kStates[i].compact)
      return static_cast<JobState>(i);
  }
  return std::nullopt;
}

absl::string_view JobReasonName(JobReason r) {
  return kReasons[static_cast<int>(r)];
}

std::optional<JobReason> JobReasonFromInt(uint32_t v) {
  if (v >= static_cast<uint32_t>(JobReason::kCount)) return std::nullopt;
  return static_cast<JobReason>(v);
}

std::string NodeStateShort(NodeBaseState s, bool drain, bool responding) {
  std::string base;
  if (drain) {
    base = (s == NodeBaseState::kMixed || s == NodeBaseState::kAllocated)
               ? "drng"
               : "drain";
  } else {
    switch (s) {
      case NodeBaseState::kIdle: base = "idle"; break;
      case NodeBaseState::kMixed: base = "mix"; break;
      case NodeBaseState::kAllocated: base = "alloc"; break;
      case NodeBaseState::kDown: base = "down"; break;
      case NodeBaseState::kUnknown: base = "unk"; break;
    }
  }
  if (!responding && s != NodeBaseState::kDown) base += "*";
  return base;
}

std::string NodeStateLong(NodeBaseState s, bool drain, bool responding) {
  std::string base;
  if (drain) {
    base = (s == NodeBaseState::kMixed || s == NodeBaseState::kAllocated)
               ? "draining"
               : "drained";
  } else {
    switch (s) {
      case NodeBaseState::kIdle: base = "idle"; break;
      case NodeBaseState::kMixed: base = "mixed"; break;
      case NodeBaseState::kAllocated: base = "allocated"; break;
      case NodeBaseState::kDown: base = "down"; break;
      case NodeBaseState::kUnknown: base = "unknown"; break;
    }
  }
  if (!responding && s != NodeBaseState::kDown) base += "*";
  return base;
}

}  // namespace sluice::common
