// What a step's processes used (sacct): CPU time and peak RSS from wait4,
// and virtual size sampled from /proc every JobAcctGatherFrequency seconds.
#include <algorithm>

#include "nodedaemon/launch/job_pids.h"
#include "nodedaemon/stepd/step_daemon.h"

namespace sluice::node {

void StepDaemon::MarkUsageBase() {
  ::getrusage(RUSAGE_CHILDREN, &usage_base_);
  ArmSampler(std::chrono::seconds(1));  // a first look soon after the start
}

void StepDaemon::ArmSampler(std::chrono::seconds after) {
  sample_timer_.expires_after(after);
  sample_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || tearing_down_) return;
    SampleSizes();
    if (spec_.acct_gather_s > 0) ArmSampler(std::chrono::seconds(spec_.acct_gather_s));
  });
}

// Each task's tree (the batch script's: task 0) by /proc's VmSize, the
// largest seen kept, as Slurm's jobacct_gather/linux sums a task's tree.
void StepDaemon::SampleSizes() {
  std::vector<std::pair<uint32_t, pid_t>> roots;
  if (spec_.step < 0) {
    if (leader_ > 0 && !leader_done_) roots.emplace_back(0, leader_);
  } else {
    for (const auto& [pid, task] : tasks_) roots.emplace_back(task, pid);
  }
  if (roots.empty()) return;
  ProcTable procs = ReadProcTable();
  for (const auto& [task, pid] : roots) {
    uint64_t kb = TreeVmKb(procs, pid);
    if (kb) task_vm_kb_[task] = std::max(task_vm_kb_[task], kb);
  }
}

// Every process of the step has been reaped (by us, or by a parent we
// reaped): RUSAGE_CHILDREN now holds all their CPU time. A batch job is
// one task (the script's tree); a step's tasks each have their own peak.
void StepDaemon::MeasureUsage() {
  sample_timer_.cancel();
  struct rusage now {};
  ::getrusage(RUSAGE_CHILDREN, &now);
  auto usec = [](const timeval& a, const timeval& b) {
    return (a.tv_sec - b.tv_sec) * int64_t{1000000} + (a.tv_usec - b.tv_usec);
  };
  StepResult::Usage& u = result_.usage;
  u.known = true;
  u.user_usec = std::max<int64_t>(0, usec(now.ru_utime, usage_base_.ru_utime));
  u.sys_usec = std::max<int64_t>(0, usec(now.ru_stime, usage_base_.ru_stime));
  for (const auto& [task, kb] : task_vm_kb_) {
    if (kb > u.max_vm_kb) {
      u.max_vm_kb = kb;
      u.max_vm_task = task;
    }
    if (u.min_vm_kb == 0 || kb < u.min_vm_kb) {
      u.min_vm_kb = kb;
      u.min_vm_task = task;
    }
    u.sum_vm_kb += kb;
  }
  if (spec_.step < 0) {
    u.max_rss_kb = u.sum_rss_kb = reaped_max_rss_kb_;
    u.tasks = 1;
    u.has_min_cpu = true;  // one task: the script's tree
    u.min_cpu_usec = u.max_cpu_usec = u.user_usec + u.sys_usec;
    u.min_rss_kb = u.max_rss_kb;
    return;
  }
  for (const auto& [task, kb] : task_rss_kb_) {
    if (kb > u.max_rss_kb || u.tasks == 0) {
      u.max_rss_kb = kb;
      u.max_rss_task = task;
    }
    if (kb < u.min_rss_kb || u.tasks == 0) {
      u.min_rss_kb = kb;
      u.min_rss_task = task;
    }
    u.sum_rss_kb += kb;
    ++u.tasks;
  }
  for (const auto& [task, cpu] : task_cpu_usec_) {
    if (!u.has_min_cpu || cpu < u.min_cpu_usec) {
      u.min_cpu_usec = cpu;
      u.min_cpu_task = task;
    }
    if (!u.has_min_cpu || cpu > u.max_cpu_usec) {
      u.max_cpu_usec = cpu;
      u.max_cpu_task = task;
    }
    u.has_min_cpu = true;
  }
}

}  // namespace sluice::node
