// Whether a pending job's --dependency is satisfied, still waiting, or can
// never be satisfied, judged from the jobs the controller knows. A job ID
// the controller does not know (never existed, or purged after MinJobAge)
// counts as satisfied, as in Slurm 22.05. Pure; not thread-safe (reads the
// controller's job map).
#pragma once

#include <cstdint>
#include <map>

#include "common/dependency.h"
#include "ctld/core/job.h"

namespace sluice::ctld {

enum class DepState { kSatisfied, kWaiting, kNever };

DepState EvaluateDependency(const common::Dependency& dep, const Job& self,
                            const std::map<uint64_t, Job>& jobs, int64_t now);

}  // namespace sluice::ctld
