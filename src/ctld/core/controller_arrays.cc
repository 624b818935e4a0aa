// Job arrays on the controller: one pending record per array until its
// tasks start, split-off records for started (or individually held or
// cancelled) tasks. Same class and strand as controller.cc.
#include "ctld/core/controller.h"

#include "ctld/sched/scheduler.h"

namespace sluice::ctld {

std::vector<JobId> Controller::ArrayMembers(JobId id) const {
  auto it = jobs_.find(id.value());
  if (it == jobs_.end() || it->second.array_job_id != id.value()) return {id};
  std::vector<JobId> out;
  for (uint64_t member : index_.OfArray(id.value())) out.push_back(JobId(member));
  return out;
}

Job& Controller::SplitTask(Job& rest, uint32_t task) {
  rest.array_pending.Remove(task);
  if (rest.array_pending.empty()) {
    rest.array_task_id = task;  // the last task keeps the array's record
    return rest;
  }
  Job t = rest;
  t.id = JobId(TakeJobId());
  t.array_task_id = task;
  t.array_pending = {};
  t.steps.clear();
  t.next_step_id = 0;
  t.step_log.clear();
  t.batch_usage = {};
  return AddJob(std::move(t));
}

absl::StatusOr<JobId> Controller::ArrayTask(JobId array_id, uint32_t task,
                                            int64_t now) {
  last_now_ = now;
  Job* rest = nullptr;
  for (auto it = jobs_.find(array_id.value()); it != jobs_.end(); ++it) {
    Job& j = it->second;
    if (j.array_job_id != array_id.value()) continue;
    if (j.array_task_id == static_cast<int64_t>(task)) return j.id;
    if (j.IsArrayRest()) rest = &j;
  }
  if (!rest || !rest->array_pending.Contains(task))
    return absl::NotFoundError("Invalid job id specified");
  Job& t = SplitTask(*rest, task);
  if (&t != rest) Persist({rest, &t});
  else Persist({rest});
  return t.id;
}

std::map<uint64_t, uint32_t> Controller::ActiveArrayTasks() const {
  std::map<uint64_t, uint32_t> out;
  for (const auto& [id, j] : index_.LiveJobs())
    if (j->IsActiveArrayTask()) ++out[j->array_job_id];
  return out;
}

WillRunOutcome Controller::WillRun(const SubmitRequest& req,
                                   const common::Identity& who, int64_t now) {
  WillRunOutcome out;
  const uint64_t next = next_job_id_;
  const bool needed = schedule_needed_, submitted = submitted_since_pass_;
  SubmitOutcome sub = Submit(req, who, now, /*dry_run=*/true);
  out.error = sub.error;
  // Slurm's --test-only keeps only the partition note (its resource notes
  // come from the submission path, which a test does not take).
  for (const auto& n : sub.notes)
    if (n.rfind("invalid partition", 0) == 0) out.notes.push_back(n);
  if (sub.id.value() == 0) {
    next_job_id_ = next;
    return out;
  }
  const uint64_t id = sub.id.value();
  out.would_be_id = id;
  std::map<uint64_t, uint64_t> offer_of;
  sched::SchedulerInput in = SchedInput(now, id, ActiveArrayTasks(), &offer_of);
  sched::SchedulePlan plan = sched::Schedule(in, sched_config_);
  const Job& job = jobs_.at(id);
  for (const auto& st : plan.starts) {
    if (st.id.value() != id) continue;
    out.start_time = now;
    out.partition = in.partitions[st.partition].name;
    for (const auto& a : st.alloc) {
      out.nodes.push_back(a.node);
      out.cpus += a.cpus;
    }
  }
  for (const auto& r : plan.reservations) {
    if (r.id.value() != id) continue;
    out.start_time = r.start_time;
    out.partition = in.partitions[r.partition].name;
    out.nodes = r.nodes;
    out.cpus = job.spec.CpusPerNode() * static_cast<uint32_t>(r.nodes.size());
  }
  // Nothing of it stays but its ID, which Slurm uses up too.
  EraseJob(id);
  unsynced_.erase(id);
  schedule_needed_ = needed;
  submitted_since_pass_ = submitted;
  return out;
}

void Controller::MailEvent(const Job& job, uint32_t event, int64_t now) {
  if (!mailer_ || !(job.spec.mail_type & event)) return;
  if (!job.array_job_id || (job.spec.mail_type & kMailArrayTasks)) {
    if (auto m = JobMail(job, event, config_.cluster_name, now)) mailer_->Send(std::move(*m));
    return;
  }
  // An array without ARRAY_TASKS: one "Began" when its first task starts,
  // one summary once every task has ended.
  std::vector<const Job*> records;
  bool all_ended = true;
  for (JobId id : ArrayMembers(JobId(job.array_job_id))) {
    const Job& r = jobs_.at(id.value());
    records.push_back(&r);
    all_ended &= common::IsFinished(r.state);
  }
  if (event == kMailBegin) {
    if (!array_begun_.insert(job.array_job_id).second) return;
  } else if (event == kMailEnd || event == kMailFail) {
    if (!all_ended) return;
    array_begun_.erase(job.array_job_id);
  } else {
    return;  // requeue, limits: per task only with ARRAY_TASKS
  }
  if (auto m = ArraySummaryMail(records, event, config_.cluster_name)) mailer_->Send(std::move(*m));
}

void Controller::MailTimeLimits(int64_t now, const std::vector<Job*>& watched) {
  if (!mailer_) return;
  constexpr std::pair<uint32_t, int> kMarks[] = {
      {kMailTimeLimit, 100}, {kMailTimeLimit90, 90}, {kMailTimeLimit80, 80}, {kMailTimeLimit50, 50}};
  for (Job* jp : watched) {
    Job& j = *jp;
    if (j.state != JobState::kRunning || j.spec.time_limit_min <= 0 ||
        !(j.spec.mail_type & (kMailTimeLimit | kMailTimeLimit90 | kMailTimeLimit80 | kMailTimeLimit50)))
      continue;
    const int64_t limit = j.spec.time_limit_min * 60;
    for (auto [bit, pct] : kMarks) {
      // The highest mark reached goes; the lower ones passed with it do not.
      if ((j.spec.mail_type & bit) && !(j.mailed & bit) && (now - j.start_time) * 100 >= limit * pct) {
        for (auto [b, p] : kMarks) if (p <= pct) j.mailed |= b;
        MailEvent(j, bit, now);
        break;
      }
    }
  }
}

}  // namespace sluice::ctld
