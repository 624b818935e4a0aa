// The controller's running side: scheduling passes, launches, node reports,
// time limits and purging. Split from controller.cc to keep each file to one
// concern; same class, same strand.
#include <algorithm>
#include <set>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/hostlist.h"
#include "common/output_pattern.h"
#include "absl/strings/ascii.h"
#include "common/dependency.h"
#include "common/users.h"
#include "ctld/core/controller.h"
#include "ctld/core/dependencies.h"
#include "ctld/core/node_filter.h"
#include "ctld/sched/scheduler.h"
#include "ctld/sched/timeline.h"

namespace sluice::ctld {

JobReason Controller::WaitReason(const Job& j, int64_t now) const {
  if (!j.spec.dependency.empty()) {
    auto dep = common::ParseDependency(j.spec.dependency);
    if (dep.ok()) {
      switch (EvaluateDependency(*dep, j, jobs_, now)) {
        case DepState::kWaiting: return JobReason::kDependency;
        case DepState::kNever: return JobReason::kDependencyNeverSatisfied;
        case DepState::kSatisfied: break;
      }
    }
  }
  if (j.spec.begin_time > now) return JobReason::kBeginTime;
  if (j.preempted_for)
    if (auto p = jobs_.find(j.preempted_for); p != jobs_.end() && p->second.state == JobState::kPending)
      return JobReason::kBeginTime;
  for (const auto& name : j.spec.nodelist) {
    auto it = node_index_.find(name);
    if (it != node_index_.end() && !nodes_[it->second].Schedulable())
      return JobReason::kReqNodeNotAvail;
  }
  return JobReason::kNone;
}

sched::SchedPartition Controller::ToSched(const common::PartitionConf& p) const {
  sched::SchedPartition sp;
  sp.name = p.name;
  for (const auto& n : p.nodes)
    if (auto it = node_index_.find(n); it != node_index_.end())
      sp.nodes.push_back(it->second);
  sp.max_time_min = p.max_time_min;
  sp.max_nodes = p.max_nodes;
  sp.up = p.state == "UP" || p.state == "DRAIN";  // DRAIN: runs what it has
  sp.inactive = p.state == "INACTIVE";
  sp.min_nodes = p.min_nodes;
  sp.max_cpus_per_node = p.max_cpus_per_node;
  sp.exclusive = p.oversubscribe == "EXCLUSIVE";
  sp.exclusive_user = p.exclusive_user;
  sp.priority_tier = p.priority_tier;
  return sp;
}

sched::SchedulerInput Controller::SchedInput(
    int64_t now, uint64_t also, const std::map<uint64_t, uint32_t>& active_tasks,
    std::map<uint64_t, uint64_t>* offer_of) {
  sched::SchedulerInput in;
  in.now = now;
  for (const auto& n : nodes_) {  // same order as node_index_
    sched::SchedNode sn;
    sn.name = n.conf.name;
    sn.available = n.Schedulable();
    sn.cpus_free = n.conf.cpus - std::min(n.conf.cpus, n.alloc_cpus);
    sn.mem_free_mb =
        n.conf.real_memory_mb - std::min(n.conf.real_memory_mb, n.alloc_mem_mb);
    sn.gpu_type = n.GpuType();
    sn.cpus_total = n.conf.cpus;
    sn.mem_total_mb = n.conf.real_memory_mb;
    sn.gpu_free.resize(n.gpu_used.size());
    for (size_t i = 0; i < n.gpu_used.size(); ++i) sn.gpu_free[i] = !n.gpu_used[i];
    in.nodes.push_back(std::move(sn));
  }
  std::map<std::string, int, std::less<>> part_index;
  for (const auto& p : config_.partitions) {
    part_index[p.name] = static_cast<int>(in.partitions.size());
    in.partitions.push_back(ToSched(p));
  }
  // A pending array offers the scheduler as many of its tasks as could
  // start now (and its %throttle allows); the extra offers carry IDs no job
  // has, mapped back to the array here.
  uint64_t free_cpus = 0;
  for (const auto& sn : in.nodes)
    if (sn.available) free_cpus += sn.cpus_free;
  uint64_t next_offer = uint64_t{1} << 62;
  in.pending.reserve(index_.LiveJobs().size());
  // One walk of the live jobs: running ones hold resources, pending ones
  // are the candidates.
  for (const auto& [id, live] : index_.LiveJobs()) {
    Job& j = *live;
    if (HoldsResources(j.state) && !j.alloc.empty()) {
      // Resources come back when the limit expires (or never, without one);
      // a completing job is expected to be gone within KillWait.
      // (Without a limit, a year from its start, as Slurm plans it.)
      int64_t end = j.start_time + (j.spec.time_limit_min < 0 ? kYearMin : j.spec.time_limit_min) * 60 +
                    j.suspended_secs + (j.state == JobState::kSuspended ? now - j.suspend_time : 0);
      if (j.state == JobState::kCompleting)
        end = std::min<int64_t>(end, now + config_.kill_wait_s);
      in.running.push_back({j.id, std::max(end, now + 1), j.alloc});
      const auto* part = config_.FindPartition(j.spec.partition);
      for (const auto& a : j.alloc) {
        auto it = node_index_.find(a.node);
        if (it == node_index_.end()) continue;
        in.nodes[it->second].users.push_back(j.spec.uid);
        if (part && part->exclusive_user) in.nodes[it->second].user_exclusive = true;
      }
      continue;
    }
    if (j.state != JobState::kPending) continue;
    // Not on disk: no answer yet (but --test-only asks about exactly that).
    if (!j.spec.interactive && unsynced_.count(id) && id != also) continue;
    // A held job is never a candidate (Slurm leaves it out of its queue
    // too): what readers see of it is set here, and the plan skips it.
    if (j.spec.hold) {
      ShowHeld(j);
      continue;
    }
    uint64_t offers = 1;
    if (j.IsArrayRest()) {
      auto a = active_tasks.find(j.array_job_id);
      // aftercorr is decided per task: one offer, for the lowest index.
      bool corr = j.spec.dependency.find("aftercorr") != std::string::npos;
      offers = sched::ArrayOffers(corr ? 1 : j.array_pending.Count(), j.spec.array.throttle,
                                  a == active_tasks.end() ? 0 : a->second, free_cpus,
                                  j.spec.CpusPerNode());
      if (offers == 0) {
        if (!j.spec.hold) SetShown(j.reason, JobReason::kJobArrayTaskLimit);
        continue;
      }
    }
    sched::SchedJob sj;
    bool first = true;
    // (Split without copies: this runs for every pending job every pass.)
    for (absl::string_view name : absl::StrSplit(j.spec.partition, ',', absl::SkipEmpty())) {
      auto pi = part_index.find(std::string_view(name.data(), name.size()));
      if (pi == part_index.end()) continue;
      if (first) sj.partition = pi->second;
      else sj.more_partitions.push_back(pi->second);
      first = false;
    }
    if (first) continue;  // its partitions are gone from the configuration
    sj.id = j.id;
    sj.uid = j.spec.uid;
    sj.priority = j.priority;
    sj.exclusive = j.spec.exclusive || in.partitions[sj.partition].exclusive;
    sj.contiguous = j.spec.contiguous;
    if (!j.spec.nodelist.empty() || !j.spec.exclude.empty() ||
        !j.spec.constraint.empty() || j.spec.tmp_mb) {
      sj.allowed.resize(nodes_.size());
      for (size_t i = 0; i < nodes_.size(); ++i)
        sj.allowed[i] = NodeAllowed(j.spec, nodes_[i].conf);
      sj.filter_key = absl::StrCat(absl::StrJoin(j.spec.nodelist, ","), "|",
                                   absl::StrJoin(j.spec.exclude, ","), "|",
                                   j.spec.constraint, "|", j.spec.tmp_mb);
    }
    sj.nodes = j.spec.min_nodes;
    sj.cpus_per_node = j.spec.CpusPerNode();
    if (j.spec.UnevenCpus()) {
      sj.full_nodes = j.spec.ntasks % j.spec.min_nodes;
      sj.cpus_rest = j.spec.TasksOnNode(j.spec.min_nodes - 1) * j.spec.cpus_per_task;
    }
    sj.mem_per_node_mb = j.spec.mem_mb;
    sj.gpus_per_node = j.spec.gpus_per_node;
    sj.gpu_type = j.spec.gpu_type;
    sj.time_limit_min = j.spec.LimitWithinDeadline(now);
    sj.time_min_min = j.spec.time_min_min;
    sj.held = j.spec.hold;
    sj.admin_held = j.spec.admin_hold;
    sj.wait_reason = WaitReason(j, now);
    if (!TopologyFits(j.spec)) sj.wait_reason = JobReason::kBadConstraints;  // as Slurm: waits
    in.pending.push_back(sj);
    for (uint64_t k = 1; k < offers; ++k) {
      sj.id = JobId(next_offer);
      (*offer_of)[next_offer++] = id;
      in.pending.push_back(sj);
    }
  }
  AddLimitPools(in, *offer_of);
  AddPreemption(in, *offer_of);
  return in;
}

void Controller::ShowHeld(Job& j) {
  // A launch failure's hold keeps saying why until it is released.
  if (j.reason != JobReason::kLaunchFailRequeueHeld)
    SetShown(j.reason, j.spec.admin_hold ? JobReason::kJobHeldAdmin : JobReason::kJobHeldUser);
  SetShown(j.expected_start, int64_t{0});
  SetShown(j.sched_nodes, std::vector<std::string>{});
  SetShown(j.backfill_eval, false);
}

bool Controller::TopologyFits(const JobSpec& s) const {
  if (s.sockets_per_node > 1) return false;  // every node here is one socket
  if (!s.cores_per_socket) return true;
  for (const auto& pname : s.Partitions())
    if (const auto* p = config_.FindPartition(pname))
      for (const auto& n : p->nodes)
        if (const auto* nc = config_.FindNode(n); nc && nc->cpus >= s.cores_per_socket) return true;
  return false;
}

void Controller::EndIfPastDeadline(Job& j, int64_t now, bool passed_only) {
  // A pending job that can no longer end by its --deadline ends DEADLINE:
  // at each pass when it could start now but not finish in time (its
  // --time-min, else its limit), and at each tick once the deadline is
  // past, held or not, as Slurm does.
  if (j.state != JobState::kPending || !j.spec.deadline) return;
  bool late = j.spec.deadline <= now;
  if (!passed_only && !j.spec.hold) {
    int64_t need = j.spec.time_min_min >= 0 ? j.spec.time_min_min : j.spec.time_limit_min;
    late |= need < 0 || now + need * 60 > j.spec.deadline;
  }
  if (late) Finish(j, JobState::kDeadline, JobReason::kDeadLine, now);
}

void Controller::Schedule(int64_t now) {
  last_now_ = now;
  schedule_needed_ = false;
  submitted_since_pass_ = false;
  UpdatePriorities(now);
  // Only pending jobs can end here, and ending one changes the live set:
  // collect first. The same walk counts each array's running tasks
  // (ActiveArrayTasks), which the pending jobs ending here do not change.
  std::vector<Job*> dated, dependent;
  std::map<uint64_t, uint32_t> active_tasks;
  for (const auto& [id, j] : index_.LiveJobs()) {
    if (j->IsActiveArrayTask()) ++active_tasks[j->array_job_id];
    if (j->state != JobState::kPending) continue;
    if (j->spec.deadline) dated.push_back(j);
    if (kill_invalid_depend_ && !j->spec.dependency.empty()) dependent.push_back(j);
  }
  for (Job* j : dated) EndIfPastDeadline(*j, now, /*passed_only=*/false);
  // kill_invalid_depend: a job whose dependency can never be satisfied is
  // cancelled instead of pending forever.
  for (Job* j : dependent)
    if (j->state == JobState::kPending &&
        WaitReason(*j, now) == JobReason::kDependencyNeverSatisfied)
      Finish(*j, JobState::kCancelled, JobReason::kDependencyNeverSatisfied, now);
  std::map<uint64_t, uint64_t> offer_of;  // offer ID -> array record ID
  sched::SchedulerInput in = SchedInput(now, 0, active_tasks, &offer_of);
  if (in.pending.empty()) return;
  sched::SchedulePlan plan = sched::Schedule(in, sched_config_);
  // Each job's reason and estimate are set once, to their final values, so
  // that a pass that plans what the last one did changes nothing readers
  // see (SetShown). A reservation is only ever for a job that does not
  // start, which the plan also gives a reason: the reasons loop sets both.
  std::sort(plan.reservations.begin(), plan.reservations.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  auto reservation_of = [&](JobId id) -> sched::Reservation* {
    auto it = std::lower_bound(plan.reservations.begin(), plan.reservations.end(), id,
                               [](const auto& r, JobId v) { return r.id < v; });
    return it != plan.reservations.end() && it->id == id ? &*it : nullptr;
  };
  // The plan names live jobs: found in the live index (a B-tree, in cache)
  // rather than the job map.
  auto find_live = [&](uint64_t id) -> Job* {
    auto it = index_.LiveJobs().find(id);
    return it == index_.LiveJobs().end() ? nullptr : it->second;
  };
  for (const auto& [id, reason] : plan.reasons) {
    if (offer_of.count(id.value())) continue;  // the array's own offer says why
    if (Job* j = find_live(id.value())) {  // never a held one (ShowHeld)
      if (reason == JobReason::kDependencyNeverSatisfied &&
          j->reason != JobReason::kDependencyNeverSatisfied)
        MailEvent(*j, kMailInvalidDepend, now);
      SetShown(j->reason, reason);
      if (sched::Reservation* r = reservation_of(id)) {
        SetShown(j->expected_start, r->start_time);
        SetShown(j->sched_nodes, std::move(r->nodes));
        SetShown(j->backfill_eval, true);
        continue;
      }
      SetShown(j->expected_start, 0);
      SetShown(j->sched_nodes, std::vector<std::string>{});
      // Blocked by resources or priority, as Slurm's backfill marks the
      // jobs it tried ("Scheduler=Backfill:*").
      SetShown(j->backfill_eval,
               reason == JobReason::kResources || reason == JobReason::kPriority);
    }
  }
  if (!plan.preemptions.empty() || !plan.starts.empty()) ++job_changes_;  // readers see them
  for (const auto& [victim, for_job] : plan.preemptions) Preempt(victim, for_job, now);
  std::vector<const Job*> started;
  std::vector<const Job*> rests;  // arrays whose pending sets shrank
  std::map<uint64_t, uint32_t> started_in;  // tasks started now, per array
  for (auto& st : plan.starts) {
    auto offer = offer_of.find(st.id.value());
    Job* j = FindJob(offer == offer_of.end() ? st.id : JobId(offer->second));
    if (!j) continue;
    if (j->IsArrayRest()) {
      if (j->array_pending.empty()) continue;
      Job& task = SplitTask(*j, j->array_pending.Min());
      if (&task != j) {
        rests.push_back(j);
        // Its throttle reached, the rest says so at once, as in Slurm.
        uint32_t active = ++started_in[j->array_job_id];
        if (auto a = active_tasks.find(j->array_job_id); a != active_tasks.end())
          active += a->second;
        if (j->spec.array.throttle && active >= j->spec.array.throttle && !j->spec.hold)
          j->reason = JobReason::kJobArrayTaskLimit;
      }
      j = &task;
    }
    SetState(*j, JobState::kRunning);
    j->reason = JobReason::kNone;
    j->spec.partition = in.partitions[st.partition].name;  // where it runs
    j->start_time = now;
    if (st.time_limit_min >= 0) j->spec.time_limit_min = st.time_limit_min;  // --time-min
    j->spec.time_limit_min = j->spec.LimitWithinDeadline(now);
    // A backfill start of a job without a limit gets a year's, as Slurm's
    // backfill gives it.
    j->backfilled = st.backfill;
    if (st.backfill && j->spec.time_limit_min < 0) j->spec.time_limit_min = kYearMin;
    j->alloc = std::move(st.alloc);
    for (const auto& a : j->alloc)
      if (NodeRecord* n = FindNode(a.node)) {
        if (n->alloc_cpus == 0) n->last_busy = now;  // busy from now
        n->Allocate(a, j->id.value());
      }
    started.push_back(j);
  }
  if (started.empty()) return;
  // A batch job's start is on disk before its node hears of it. An
  // interactive one's goes with the next flush instead, after srun has its
  // answer: srun holds that allocation, and a controller that dies first
  // has launched nothing it could forget.
  std::vector<const Job*> persist_now;
  for (const Job* r : rests)
    if (std::find(persist_now.begin(), persist_now.end(), r) == persist_now.end())
      persist_now.push_back(r);
  for (const Job* j : started) {
    if (j->spec.interactive)
      unsynced_.insert(j->id.value());
    else
      persist_now.push_back(j);
  }
  if (!persist_now.empty() && !Persist(persist_now)) {
    // A start that is not on disk is not launched: back to the queue, to
    // start once the store takes writes again (the tick retries them).
    for (const Job* c : persist_now) {
      Job& j = *FindJob(c->id);
      if (j.state != JobState::kRunning) continue;  // an array's rest
      ReleaseResources(j);
      SetState(j, JobState::kPending);
      j.alloc.clear();
      j.cpu_ids.clear();
      j.start_time = 0;
    }
    started.erase(std::remove_if(started.begin(), started.end(),
                                 [](const Job* j) { return !j->spec.interactive; }),
                  started.end());
  }
  for (const Job* j : started) Launch(*FindJob(j->id), now);
  for (const Job* j : started) MailEvent(*j, kMailBegin, now);
}

void Controller::Launch(Job& job, int64_t now) {
  last_now_ = now;
  if (job.spec.interactive) return;  // srun/salloc start their own steps
  const NodeRecord* n = FindNode(job.BatchHost());
  if (!n) return;
  JobBody body{job.spec.script, job.spec.env_block};
  if (!job.spec.HoldsBody() && job.spec.body_id) {
    auto stored = store_->LoadBody(job.spec.body_id);
    if (!stored.ok()) {  // it would never run: it fails (JobLaunchFailure)
      OnLaunchDone(job.id, absl::InternalError(stored.status().message()), now);
      return;
    }
    body = *std::move(stored);
  }
  LaunchRequest r;
  r.id = job.id;
  r.uid = job.spec.uid;
  r.gid = job.spec.gid;
  r.user = job.spec.user;
  r.job_name = job.spec.name;
  r.script = std::move(body.script);
  r.env = BatchEnv(job, body.env_block);
  r.work_dir = job.spec.work_dir;
  r.std_out = job.StdOutPattern();
  r.std_err = job.StdErrPattern();
  r.std_in = job.spec.std_in.empty() ? "/dev/null" : job.spec.std_in;
  if (job.array_job_id) {  // %A and %a are the controller's to know
    for (std::string* p : {&r.std_out, &r.std_err, &r.std_in})
      *p = common::ExpandArrayEscapes(*p, job.array_job_id, job.array_task_id);
  }
  r.gpus = job.alloc[0].gpus;
  r.cpus = job.alloc[0].cpus;
  r.mem_mb = job.alloc[0].mem_mb;
  r.append_output = job.spec.append_output;
  r.partition = job.spec.partition;
  r.node_list = job.NodeList();
  r.script_args = job.spec.script_args;
  JobId id = job.id;
  node_client_->Launch(Endpoint(*n), r, [this, id](absl::Status st) {
    OnLaunchDone(id, std::move(st), last_now_);
  });
}

void Controller::OnLaunchDone(JobId id, absl::Status st, int64_t now) {
  if (st.ok()) return;
  Job* job = FindJob(id);
  if (!job || job->state != JobState::kRunning) return;
  if (absl::IsUnavailable(st) || absl::IsDeadlineExceeded(st)) {
    // The node did not get the job: put it back in the queue and stop
    // sending work there until it reports again.
    if (NodeRecord* n = FindNode(job->BatchHost())) n->responding = false;
    ReleaseResources(*job);
    SetState(*job, JobState::kPending);
    job->alloc.clear();
    job->cpu_ids.clear();
    job->start_time = 0;
    Persist({job});
    schedule_needed_ = true;
    return;
  }
  job->exit_code = 1;
  Finish(*job, JobState::kFailed, JobReason::kJobLaunchFailure, now);
}



// PurgeJobAfter: once an hour, the records of jobs that ended before the
// retention are deleted from the store (never one still held in memory).
void Controller::PurgeAccounting(int64_t now) {
  int64_t cutoff = config_.PurgeCutoff(now);
  if (cutoff <= 0 || now < next_purge_) return;
  next_purge_ = now + 3600;
  cutoff = std::min<int64_t>(cutoff, now - config_.min_job_age_s);
  auto n = store_->Purge(cutoff);
  if (!n.ok()) next_purge_ = now + 60;  // the store is failing: try again soon
  else purged_records_ += static_cast<uint64_t>(*n);
}

void Controller::Tick(int64_t now) {
  last_now_ = now;
  RetryUnsaved();
  FlushAccounting();
  PurgeAccounting(now);
  // Fair-share usage: CPU-seconds of running jobs, decayed over time.
  const std::vector<Job*> watched = WatchedJobs();
  ChargeUsage(now, watched);
  for (Job* jp : watched) {
    Job& job = *jp;
    if (job.state != JobState::kRunning || job.spec.time_limit_min < 0) continue;
    if (now >= job.start_time + job.spec.time_limit_min * 60 + job.suspended_secs)
      Terminate(job, SignalKind::kTimeout, JobState::kTimeout, now);
  }
  CheckNodeTimeouts(now);
  for (Job* j : watched) EndIfPastDeadline(*j, now, /*passed_only=*/true);
  MailTimeLimits(now, watched);
  SendTimedSignals(now, watched);
  // Jobs the checks above added are looked at next tick; none was removed.
  std::vector<uint64_t> purge;
  for (const Job* j : watched)
    if (common::IsFinished(j->state) &&
        j->end_time + static_cast<int64_t>(config_.min_job_age_s) < now)
      purge.push_back(j->id.value());
  for (uint64_t id : purge) EraseJob(id);
}

std::vector<Job*> Controller::WatchedJobs() {
  std::vector<Job*> out;
  for (auto& [id, j] : jobs_)
    if (j.state != JobState::kPending || j.spec.deadline) out.push_back(&j);
  return out;
}

}  // namespace sluice::ctld
