// Preemption's choice of victims (PreemptType=preempt/qos): a pure
// function of the snapshot, used by Schedule. No I/O; thread-safe.
#pragma once

#include <cstddef>
#include <vector>

#include "ctld/sched/types.h"

namespace sluice::sched {

// The fewest of `candidates` (tried in the order given; indices into it)
// whose allocations, given back to `nodes` (free resources now), let `j`
// start now on enough of partition `p`'s nodes; empty when even all of
// them would not.
std::vector<size_t> PickVictims(const SchedJob& j, const SchedPartition& p,
                                const std::vector<SchedNode>& nodes,
                                const std::vector<const SchedRunning*>& candidates);

}  // namespace sluice::sched
