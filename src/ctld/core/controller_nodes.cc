// The controller's side of node health: reports from node daemons (job
// ends, GPU telemetry, health checks), administrator state changes, nodes
// that stop answering, requeues, and signals due before a time limit.
#include <algorithm>
#include <csignal>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/hostlist.h"
#include "common/users.h"
#include "ctld/core/accounting.h"
#include "ctld/core/controller.h"

namespace sluice::ctld {

void Controller::DrainNode(NodeRecord& n, const std::string& reason,
                           int64_t now) {
  if (n.drain) return;  // the first reason stands
  n.drain = true;
  n.reason = reason;
  n.reason_user = "slurm";
  n.reason_time = now;
}

bool Controller::Requeueable(const Job& job) const {
  if (job.spec.interactive) return false;  // srun/salloc are gone with it
  return job.spec.requeue < 0 ? config_.job_requeue : job.spec.requeue != 0;
}

// Back to the queue with the same ID, as Slurm's requeue: a job that failed
// to launch (Prolog error) comes back held.
void Controller::Requeue(Job& job, bool held, int64_t now) {
  if (HoldsResources(job.state))
    ReleaseResources(job);
  SetState(job, JobState::kPending);
  job.reason = held ? JobReason::kLaunchFailRequeueHeld : JobReason::kNone;
  job.spec.hold = job.spec.hold || held;
  job.alloc.clear();
  job.cpu_ids.clear();
  job.start_time = 0;
  job.end_time = 0;
  job.exit_code = 0;
  job.exit_signal = 0;
  job.signal_sent = false;
  ++job.restart_count;
  job.submit_time = job.submit_time ? job.submit_time : now;
  Persist({&job});
  MailEvent(job, kMailRequeue, now);
  schedule_needed_ = true;
}

void Controller::FailOrRequeue(Job& job, int64_t now) {
  if (Requeueable(job))
    Requeue(job, false, now);
  else
    Finish(job, JobState::kNodeFail, JobReason::kNodeDown, now);
}

void Controller::FailJobsOn(const NodeRecord& n, int64_t now) {
  for (auto& [id, job] : jobs_)
    if (HoldsResources(job.state) && job.BatchHost() == n.conf.name)
      FailOrRequeue(job, now);
}

void Controller::ApplyJobEnd(Job& job, const JobEnd& e, NodeRecord& node,
                             int64_t now) {
  if (e.unkillable) DrainNode(node, "Kill task failed", now);
  if (e.epilog_failed) DrainNode(node, "Epilog error", now);
  if (e.prolog_failed) {
    DrainNode(node, "Prolog error", now);
    Requeue(job, true, now);
    return;
  }
  if (e.lost) {
    FailOrRequeue(job, now);
    return;
  }
  if (job.requeue_on_end && job.state == JobState::kCompleting) {
    RequeueNow(job, job.requeue_on_end == 2, job.spec.admin_hold, now);
    return;
  }
  job.exit_code = e.exit_code;
  job.exit_signal = e.signal;
  job.batch_usage = {};
  MergeUsage(job.batch_usage, e.usage, node.conf.name);
  if (job.state == JobState::kCompleting) {
    Finish(job, job.final_state,
           job.final_state == JobState::kTimeout ? JobReason::kTimeLimit : job.reason,
           now);
  } else if (e.out_of_memory) {
    // Slurm reports an OOM-killed job as OUT_OF_MEMORY with ExitCode 0:125.
    job.exit_code = 0;
    job.exit_signal = 125;
    Finish(job, JobState::kOutOfMemory, JobReason::kOutOfMemory, now);
  } else if (e.launch_failed || e.signal != 0) {
    // Slurm 22.05 files a batch script killed by a signal under
    // JobLaunchFailure too.
    if (e.launch_failed) job.exit_code = 1;
    Finish(job, JobState::kFailed, JobReason::kJobLaunchFailure, now);
  } else if (e.exit_code != 0) {
    Finish(job, JobState::kFailed, JobReason::kNonZeroExitCode, now);
  } else {
    Finish(job, JobState::kCompleted, JobReason::kNone, now);
  }
}

// Health verdicts that arrive with every report: a fatal GPU condition or a
// failing HealthCheckProgram drains the node; a health check that passes
// again undoes only the drain it caused.
void Controller::ApplyNodeHealth(NodeRecord& n, const NodeReport& rep,
                                 int64_t now) {
  for (const auto& g : rep.gpus)
    if (!g.health.empty() && !n.down) {
      if (!n.drain) DrainNode(n, common::GpuDrainReason(g), now);
      break;
    }
  if (!rep.health_failure.empty() && !n.drain && !n.down) {
    DrainNode(n, rep.health_failure, now);
    n.health_drain = true;
  } else if (rep.health_failure.empty() && n.health_drain) {
    n.health_drain = false;
    if (n.drain) {
      n.drain = false;
      n.reason.clear();
      n.reason_user.clear();
      n.reason_time = 0;
    }
  }
}

std::vector<uint64_t> Controller::JobsAReportTouches(const NodeReport& rep) const {
  std::vector<uint64_t> ids;
  for (const auto& e : rep.ended) ids.push_back(e.id.value());
  for (const auto& [id, cpus] : rep.job_cpus) ids.push_back(id.value());
  for (const auto& e : rep.ended_steps) ids.push_back(e.job.value());
  if (auto it = node_index_.find(rep.node); it != node_index_.end())
    for (const auto& [id, cpus] : nodes_[it->second].jobs) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

absl::StatusOr<NodeReportOutcome> Controller::OnNodeReport(
    const NodeReport& rep, const common::Identity& who, int64_t now) {
  last_now_ = now;
  if (who.uid != 0 && who.uid != own_uid_)
    return absl::PermissionDeniedError("node reports must come from SlurmUser");
  NodeRecord* node = FindNode(rep.node);
  if (!node)
    return absl::NotFoundError(
        absl::StrCat("Node ", rep.node, " not found in configuration"));
  NodeReportOutcome out;
  bool was_usable = node->Schedulable();
  // A node daemon registers once; after a controller restart its next
  // heartbeat (which lists everything it runs, as a registration does) is
  // its registration with this controller.
  const bool registering = rep.registering || !node->registered;
  bool returning = registering || (node->registered && !node->responding);
  node->last_contact = now;
  if (rep.host.daemon_start) node->host = rep.host;
  node->responding = true;
  node->registered = true;
  node->gpus = rep.gpus;
  if (returning && node->down) {
    // ReturnToService: 0 keeps a DOWN node down until an administrator
    // resumes it; 1 returns nodes that were down only for not responding;
    // 2 returns any DOWN node.
    bool not_responding = node->reason == "Not responding";
    if (config_.return_to_service == 2 ||
        (config_.return_to_service == 1 && not_responding)) {
      node->down = false;
      if (!node->drain) {
        node->reason.clear();
        node->reason_user.clear();
        node->reason_time = 0;
      }
    }
  }
  std::set<uint64_t> reported;
  for (const auto& e : rep.ended) {
    out.acked.push_back(e.id);
    reported.insert(e.id.value());
    Job* job = FindJob(e.id);
    if (!job || job->BatchHost() != rep.node) continue;
    if (!HoldsResources(job->state)) continue;
    ApplyJobEnd(*job, e, *node, now);
  }
  for (const auto& [id, cpus] : rep.job_cpus)
    if (Job* job = FindJob(id); job && HoldsResources(job->state))
      job->cpu_ids[rep.node] = cpus;
  std::set<uint64_t> running;
  for (JobId id : rep.running) {
    running.insert(id.value());
    const Job* job = FindJob(id);
    // Jobs the controller has ended, requeued or placed elsewhere must stop.
    if (!job || common::IsFinished(job->state) ||
        job->state == JobState::kPending || job->BatchHost() != rep.node)
      out.kill.push_back(id);
  }
  if (registering) {
    // What the node neither runs nor reports ended was lost with it.
    for (auto& [id, job] : jobs_) {
      if (HoldsResources(job.state) && job.BatchHost() == rep.node && !running.count(id) &&
          !reported.count(id))
        FailOrRequeue(job, now);
    }
  }
  // A step's supervisor is gone: its CPUs are free even if srun never said.
  for (const auto& e : rep.ended_steps) {
    Job* job = FindJob(e.job);
    if (!job) continue;
    std::erase_if(job->steps, [&](const Job::Step& s) { return s.id == e.step; });
    // srun never said how it ended (it was killed): its tasks were.
    EndStepRecord(*job, e.step, JobState::kCancelled, 0, SIGKILL, now);
    for (auto& r : job->step_log)
      if (r.id == e.step && e.usage.known) {
        MergeUsage(r.usage, e.usage, rep.node);
        acct_dirty_.insert(job->id.value());
      }
  }
  ApplyNodeHealth(*node, rep, now);
  if (!was_usable && node->Schedulable()) schedule_needed_ = true;
  for (const auto& [id, cpus] : node->jobs) out.allocations.push_back({JobId(id), cpus});
  return out;
}

absl::Status Controller::OnNodeSession(const std::vector<std::string>& nodes, bool open,
                                       const common::Identity& who, int64_t now) {
  last_now_ = now;
  if (who.uid != 0 && who.uid != own_uid_)
    return absl::PermissionDeniedError("node sessions must come from SlurmUser");
  const int64_t proven = now - static_cast<int64_t>(config_.slurmd_timeout_s) / 2;
  for (const auto& name : nodes) {
    NodeRecord* n = FindNode(name);
    if (!n) continue;
    if (open) {
      ++n->sessions;
    } else {
      n->sessions = std::max(0, n->sessions - 1);
      if (n->sessions == 0) n->last_contact = std::max(proven, n->last_contact);
    }
  }
  return absl::OkStatus();
}

void Controller::CheckNodeTimeouts(int64_t now) {
  for (auto& n : nodes_) {
    if (!n.registered || !n.responding || n.sessions > 0) continue;
    if (now - n.last_contact <= static_cast<int64_t>(config_.slurmd_timeout_s))
      continue;
    n.responding = false;
    n.down = true;
    n.reason = "Not responding";
    n.reason_user = "slurm";
    n.reason_time = now;
    FailJobsOn(n, now);
  }
}

// --signal=[B:]SIG@SECS: once, SECS before the time limit. B: signals the
// batch shell. Without B: Slurm signals the job's steps only, so a batch
// job without steps gets nothing; so it is here (a default USR1 would kill
// the script's commands early where Slurm leaves them alone).
void Controller::SendTimedSignals(int64_t now, const std::vector<Job*>& watched) {
  for (Job* jp : watched) {
    Job& job = *jp;
    const JobSpec& s = job.spec;
    if (job.state != JobState::kRunning || job.signal_sent || s.signal_num == 0 ||
        s.time_limit_min < 0)
      continue;
    int64_t end = job.start_time + s.time_limit_min * 60 + job.suspended_secs;
    if (now < end - static_cast<int64_t>(s.signal_secs)) continue;
    job.signal_sent = true;
    if (!s.signal_batch) continue;  // to steps; a batch job has none yet
    SignalRequest sr{job.id, SignalKind::kSignal, s.signal_num, true, config_.kill_wait_s};
    if (const NodeRecord* n = FindNode(job.BatchHost()))
      node_client_->Signal(Endpoint(*n), sr, [](absl::Status) {});
  }
}

absl::Status Controller::UpdateNodes(const std::string& nodes,
                                     const std::string& state,
                                     const std::string& reason,
                                     const common::Identity& who, int64_t now) {
  last_now_ = now;
  if (who.uid != 0 && who.uid != own_uid_)
    return absl::PermissionDeniedError("Access/permission denied");
  auto names = common::ExpandHostlist(nodes);
  if (!names.ok()) return absl::InvalidArgumentError("Invalid node name specified");
  std::vector<NodeRecord*> targets;
  for (const auto& n : *names) {
    NodeRecord* r = FindNode(n);
    if (!r) return absl::InvalidArgumentError("Invalid node name specified");
    targets.push_back(r);
  }
  std::string st = absl::AsciiStrToUpper(state);
  bool needs_reason = st == "DRAIN" || st == "DOWN";
  if (st != "DRAIN" && st != "DOWN" && st != "RESUME" && st != "UNDRAIN" && st != "IDLE")
    return absl::InvalidArgumentError("Invalid node state specified");
  if (needs_reason && reason.empty())
    return absl::InvalidArgumentError("You must specify a reason when DOWNING or DRAINING a node. Request denied");
  auto user = common::LookupUser(who.uid);
  for (NodeRecord* r : targets) {
    if (st == "DRAIN") {
      r->drain = true;
    } else if (st == "DOWN") {
      r->down = true;
      FailJobsOn(*r, now);
    } else {  // RESUME / UNDRAIN / IDLE
      r->drain = false;
      r->health_drain = false;
      if (st != "UNDRAIN") r->down = false;
    }
    if (needs_reason) {
      r->reason = reason;
      r->reason_user = user ? user->name : std::to_string(who.uid);
      r->reason_time = now;
    } else if (!r->drain && !r->down) {
      r->reason.clear();
      r->reason_user.clear();
      r->reason_time = 0;
    }
  }
  schedule_needed_ = true;
  return absl::OkStatus();
}


}  // namespace sluice::ctld
