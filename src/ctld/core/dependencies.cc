#include "ctld/core/dependencies.h"

namespace sluice::ctld {
namespace {

using common::DepType;

DepState OneJob(DepType type, int64_t delay_min, const Job& other, int64_t now) {
  const bool finished = common::IsFinished(other.state);
  const bool ok = other.state == JobState::kCompleted;
  switch (type) {
    case DepType::kAfter:
      // Satisfied once the other job has started (plus any delay), or was
      // cancelled before it could.
      if (other.start_time > 0)
        return now >= other.start_time + delay_min * 60 ? DepState::kSatisfied
                                                        : DepState::kWaiting;
      return finished ? DepState::kSatisfied : DepState::kWaiting;
    case DepType::kAfterAny:
      return finished ? DepState::kSatisfied : DepState::kWaiting;
    case DepType::kAfterOk:
    case DepType::kAfterCorr:
      if (!finished) return DepState::kWaiting;
      return ok ? DepState::kSatisfied : DepState::kNever;
    case DepType::kAfterNotOk:
      if (!finished) return DepState::kWaiting;
      return ok ? DepState::kNever : DepState::kSatisfied;
    case DepType::kSingleton:
      break;
  }
  return DepState::kSatisfied;
}

DepState Term(const common::DepTerm& t, const Job& self,
              const std::map<uint64_t, Job>& jobs, int64_t now) {
  if (t.type == DepType::kSingleton) {
    for (const auto& [id, j] : jobs) {
      if (id >= self.id.value()) break;
      if (j.spec.uid == self.spec.uid && j.spec.name == self.spec.name &&
          !common::IsFinished(j.state))
        return DepState::kWaiting;
    }
    return DepState::kSatisfied;
  }
  DepState st = DepState::kSatisfied;
  for (uint64_t id : t.jobs) {
    auto it = jobs.find(id);
    if (it == jobs.end()) continue;  // unknown: satisfied (Slurm 22.05)
    DepState one = OneJob(t.type, t.delay_min, it->second, now);
    if (one == DepState::kNever) return DepState::kNever;
    if (one == DepState::kWaiting) st = DepState::kWaiting;
  }
  return st;
}

}  // namespace

DepState EvaluateDependency(const common::Dependency& dep, const Job& self,
                            const std::map<uint64_t, Job>& jobs, int64_t now) {
  if (dep.empty()) return DepState::kSatisfied;
  bool any_satisfied = false, any_waiting = false, any_never = false;
  for (const auto& t : dep.terms) {
    switch (Term(t, self, jobs, now)) {
      case DepState::kSatisfied: any_satisfied = true; break;
      case DepState::kWaiting: any_waiting = true; break;
      case DepState::kNever: any_never = true; break;
    }
  }
  if (dep.any) {
    if (any_satisfied) return DepState::kSatisfied;
    return any_waiting ? DepState::kWaiting : DepState::kNever;
  }
  if (any_never) return DepState::kNever;
  return any_waiting ? DepState::kWaiting : DepState::kSatisfied;
}

}  // namespace sluice::ctld
