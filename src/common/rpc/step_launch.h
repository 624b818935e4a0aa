// The node daemons' LaunchTasks requests for one srun step, built by the
// controller from srun's template (`StepLaunchTemplate`: command,
// environment, I/O address — only what a user may choose) and what the
// controller decided: who runs the tasks, the step's nodes, each node's
// tasks, CPUs and GPUs. Nothing of the internal message comes from the
// user; it is built from scratch here. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ctld.pb.h"
#include "node.pb.h"

namespace sluice::common {

// Who the tasks run as: the identity MUNGE vouched for, never the template.
struct StepRunAs {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string user;
};

// OK when every override names a variable srun sets (InvalidArgument
// otherwise). Checked before a step is created, so a bad template creates
// nothing.
absl::Status ValidateStepLaunchTemplate(const ::sluice::v1::StepLaunchTemplate& launch);

// One request per node of `step`, in the step's node order.
// InvalidArgument when an override names a variable srun does not set.
absl::StatusOr<std::vector<::sluice::v1::LaunchTasksRequest>> StepLaunchRequests(
    const ::sluice::v1::StepLaunchTemplate& launch, uint64_t job,
    const ::sluice::v1::CreateStepReply& step, const StepRunAs& who);

}  // namespace sluice::common
