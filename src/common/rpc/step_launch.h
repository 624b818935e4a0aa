// The node daemons' LaunchTasks requests for one srun step: srun's template
// (its environment, command, I/O address) completed with the job's and the
// step's variables and each node's share of the tasks. srun fills the
// template, the controller calls this once the step exists. Pure; thread-safe.
#pragma once

#include <vector>

#include "ctld.pb.h"
#include "node.pb.h"

namespace sluice::common {

// One request per node of `step`, in the step's node order.
std::vector<::sluice::v1::LaunchTasksRequest> StepLaunchRequests(
    const ::sluice::v1::StepLaunch& launch, uint64_t job,
    const ::sluice::v1::CreateStepReply& step);

}  // namespace sluice::common
