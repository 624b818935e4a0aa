// Accounting limits in a scheduling pass (SchedLimit pools): whether a
// job would pass one, charging a start, and when running jobs' ends free
// a limit. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <vector>

#include "ctld/sched/types.h"

namespace sluice::sched {

// The first shared limit starting `j` would pass, and its reason.
std::optional<JobReason> OverLimit(const SchedJob& j, const std::vector<SchedLimit>& limits);
// Counts a start of `j` against its limits.
void Charge(const SchedJob& j, std::vector<SchedLimit>& limits);
// When the running jobs' ends free enough of every limit `j` is over;
// `never` when they never do (the job alone passes a cap).
int64_t LimitsFreeAt(const SchedJob& j, const std::vector<SchedLimit>& limits,
                     const std::vector<SchedRunning>& running, int64_t never);

}  // namespace sluice::sched
