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

// The same rule over every task of the array submitted as `head`'s ID:
// waiting tasks count as not yet started. aftercorr pairs each task with
// the other array's task of the same index.
DepState ArrayTerm(const common::DepTerm& t, const Job& self,
                   const std::map<uint64_t, Job>& jobs,
                   std::map<uint64_t, Job>::const_iterator head, int64_t now) {
  const uint64_t array = head->first;
  int64_t mine = self.array_task_id >= 0 ? self.array_task_id
                 : self.IsArrayRest() && !self.array_pending.empty()
                     ? static_cast<int64_t>(self.array_pending.Min())
                     : -1;
  const bool corr = t.type == DepType::kAfterCorr && mine >= 0;
  DepState st = DepState::kSatisfied;
  for (auto it = head; it != jobs.end(); ++it) {
    const Job& j = it->second;
    if (j.array_job_id != array) continue;
    DepState one;
    if (j.IsArrayRest()) {
      if (corr && !j.array_pending.Contains(static_cast<uint32_t>(mine))) continue;
      one = DepState::kWaiting;  // tasks not started yet
    } else {
      if (corr && j.array_task_id != mine) continue;
      one = OneJob(t.type, t.delay_min, j, now);
    }
    if (one == DepState::kNever) return DepState::kNever;
    if (one == DepState::kWaiting) st = DepState::kWaiting;
  }
  return st;
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
    DepState one = it->second.array_job_id == id
                       ? ArrayTerm(t, self, jobs, it, now)
                       : OneJob(t.type, t.delay_min, it->second, now);
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
