#include "ctld/core/accounting.h"

#include <algorithm>

namespace sluice::ctld {
namespace {

bool JobMatches(const Job& j, const AcctFilter::JobSel& s) {
  if (s.task < 0) return j.id.value() == s.id || j.array_job_id == s.id;
  if (j.array_job_id != s.id) return false;
  if (j.array_task_id >= 0) return j.array_task_id == s.task;
  return j.array_pending.Contains(static_cast<uint32_t>(s.task));
}

bool InWindow(const Job& j, const AcctFilter& f) {
  if (!f.windowed) return f.states.empty() || f.states.count(j.state);
  if (f.states.empty()) {
    int64_t eligible = AcctEligible(j);
    return eligible && eligible <= f.end && (j.end_time == 0 || j.end_time >= f.start);
  }
  for (common::JobState s : f.states) {
    switch (s) {
      case common::JobState::kPending:
        if (j.submit_time <= f.end && (j.start_time == 0 || j.start_time >= f.start)) return true;
        break;
      case common::JobState::kRunning:
        if (j.start_time && j.start_time <= f.end && (j.end_time == 0 || j.end_time >= f.start))
          return true;
        break;
      case common::JobState::kSuspended:  // suspended now, since before the window's end
        if (j.state == s && j.suspend_time <= f.end) return true;
        break;
      default:
        if (j.state == s && j.end_time && j.end_time >= f.start && j.end_time <= f.end)
          return true;
    }
  }
  return false;
}

}  // namespace

int64_t AcctEligible(const Job& j) {
  if (j.state == common::JobState::kPending &&
      (j.spec.hold || j.spec.admin_hold || j.reason == common::JobReason::kDependency ||
       j.reason == common::JobReason::kDependencyNeverSatisfied ||
       j.reason == common::JobReason::kJobHeldUser || j.reason == common::JobReason::kJobHeldAdmin))
    return 0;
  return j.eligible_time;
}

bool AcctSelected(const Job& j, const AcctFilter& f) {
  if (!f.uids.empty() && !f.uids.count(j.spec.uid)) return false;
  if (!f.accounts.empty() && !f.accounts.count(j.spec.account)) return false;
  if (!f.names.empty() && !f.names.count(j.spec.name)) return false;
  if (!f.partitions.empty() && !f.partitions.count(j.spec.partition)) return false;
  if (!f.jobs.empty() &&
      std::none_of(f.jobs.begin(), f.jobs.end(), [&](const auto& s) { return JobMatches(j, s); }))
    return false;
  if (!f.nodes.empty()) {
    bool ran = false;
    for (const auto& a : j.alloc)
      ran = ran || std::find(f.nodes.begin(), f.nodes.end(), a.node) != f.nodes.end();
    if (!ran) return false;
  }
  return InWindow(j, f);
}

namespace {

// One end of a step's use (the largest or least of its tasks'): this
// node's replaces it when `take`, with its node and task.
template <typename V>
void TakeEnd(bool take, V value, uint32_t task, const std::string& node, V* into,
             uint32_t* into_task, std::string* into_node) {
  if (!take) return;
  *into = value;
  *into_task = task;
  *into_node = node;
}

}  // namespace

void MergeUsage(StepUsage& into, const NodeUsage& u, const std::string& node) {
  if (!u.known) return;
  TakeEnd(!into.known || u.max_rss_kb > into.max_rss_kb, u.max_rss_kb, u.max_rss_task, node,
          &into.max_rss_kb, &into.max_rss_task, &into.max_rss_node);
  TakeEnd(u.max_vm_kb && (!into.max_vm_kb || u.max_vm_kb > into.max_vm_kb), u.max_vm_kb,
          u.max_vm_task, node, &into.max_vm_kb, &into.max_vm_task, &into.max_vm_node);
  TakeEnd(u.has_min_cpu && (!into.has_min_cpu || u.min_cpu_usec < into.min_cpu_usec),
          u.min_cpu_usec, u.min_cpu_task, node, &into.min_cpu_usec, &into.min_cpu_task,
          &into.min_cpu_node);
  TakeEnd(u.has_min_cpu && (!into.has_min_cpu || u.max_cpu_usec > into.max_cpu_usec),
          u.max_cpu_usec, u.max_cpu_task, node, &into.max_cpu_usec, &into.max_cpu_task,
          &into.max_cpu_node);
  into.has_min_cpu |= u.has_min_cpu;
  TakeEnd(u.tasks && (!into.known || into.tasks == 0 || u.min_rss_kb < into.min_rss_kb),
          u.min_rss_kb, u.min_rss_task, node, &into.min_rss_kb, &into.min_rss_task,
          &into.min_rss_node);
  TakeEnd(u.min_vm_kb && (!into.min_vm_kb || u.min_vm_kb < into.min_vm_kb), u.min_vm_kb,
          u.min_vm_task, node, &into.min_vm_kb, &into.min_vm_task, &into.min_vm_node);
  uint64_t total = into.ave_rss_kb * into.tasks + u.sum_rss_kb;
  uint64_t total_vm = into.ave_vm_kb * into.tasks + u.sum_vm_kb;
  into.tasks += u.tasks;
  into.ave_rss_kb = into.tasks ? total / into.tasks : 0;
  into.ave_vm_kb = into.tasks ? total_vm / into.tasks : 0;
  into.user_usec += u.user_usec;
  into.sys_usec += u.sys_usec;
  into.known = true;
}

}  // namespace sluice::ctld
