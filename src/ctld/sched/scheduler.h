// The scheduler: a pure function from a snapshot of the cluster and queue
// to a plan. No I/O, no clock, no logging; the plan carries reasons instead.
// Policy here is priority-ordered first fit (backfill comes later).
#pragma once

#include "ctld/sched/types.h"

namespace sluice::sched {

// Jobs are considered by descending priority, then ascending ID. A job that
// fits on free resources of its partition's available nodes starts; the
// first blocked job of a partition waits for Resources, later blocked ones
// for Priority. Held jobs, and jobs whose partition can never run them, get
// their own reasons and consume nothing.
SchedulePlan Schedule(const SchedulerInput& input);

}  // namespace sluice::sched
