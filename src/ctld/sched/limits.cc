#include "ctld/sched/limits.h"

#include <algorithm>

namespace sluice::sched {

std::optional<JobReason> OverLimit(const SchedJob& j, const std::vector<SchedLimit>& limits) {
  for (int li : j.limits) {
    const SchedLimit& l = limits[li];
    if (l.cap_jobs >= 0 && l.used_jobs + 1 > l.cap_jobs) return l.jobs_reason;
    for (size_t d = 0; d < l.cap.size(); ++d)
      if (l.cap[d] >= 0 && l.used[d] + j.tres[d] > l.cap[d]) return l.reasons[d];
  }
  return std::nullopt;
}

void Charge(const SchedJob& j, std::vector<SchedLimit>& limits) {
  for (int li : j.limits) {
    ++limits[li].used_jobs;
    for (size_t d = 0; d < j.tres.size(); ++d) limits[li].used[d] += j.tres[d];
  }
}

int64_t LimitsFreeAt(const SchedJob& j, const std::vector<SchedLimit>& limits,
                     const std::vector<SchedRunning>& running, int64_t never) {
  int64_t at = 0;
  for (int li : j.limits) {
    SchedLimit l = limits[li];
    SchedJob probe = j;
    probe.limits = {0};
    std::vector<SchedLimit> one = {l};
    if (!OverLimit(probe, one)) continue;
    std::vector<const SchedRunning*> in;
    for (const auto& r : running)
      if (std::find(r.limits.begin(), r.limits.end(), li) != r.limits.end()) in.push_back(&r);
    std::sort(in.begin(), in.end(),
              [](const SchedRunning* a, const SchedRunning* b) { return a->end_time < b->end_time; });
    int64_t freed = never;
    for (const SchedRunning* r : in) {
      --one[0].used_jobs;
      for (size_t d = 0; d < r->tres.size(); ++d) one[0].used[d] -= r->tres[d];
      if (!OverLimit(probe, one)) {
        freed = r->end_time;
        break;
      }
    }
    at = std::max(at, freed);
  }
  return at;
}

}  // namespace sluice::sched
