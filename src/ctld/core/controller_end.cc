// How jobs end: scancel (Cancel), the controller's own ends (Terminate:
// time limits, requeues, node failures), and the release of what a job
// held once it has ended (Finish). Part of Controller; runs on its strand.
#include <csignal>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "ctld/core/controller.h"

namespace sluice::ctld {
namespace {
constexpr uint32_t kEslurmAlreadyDone = 2021;
}  // namespace

std::vector<CancelOutcome> Controller::Cancel(const std::vector<JobId>& ids,
                                              int signal, bool full, bool batch,
                                              const common::Identity& who,
                                              int64_t now) {
  last_now_ = now;
  std::vector<CancelOutcome> out;
  for (JobId id : ids) {
    CancelOutcome r{id, "", 0};
    Job* job = FindOwnJob(id, who, &r);
    if (!job) {
      // r says why
    } else if (job->state == JobState::kPending) {
      job->cancelled_by = static_cast<int64_t>(who.uid);
      Finish(*job, JobState::kCancelled, job->reason, now);
    } else if ((job->state == JobState::kRunning || job->state == JobState::kSuspended) &&
               signal == 0) {
      // A suspended job goes on first, so that it can end within KillWait.
      if (job->state == JobState::kSuspended) StopOrContinue(*job, /*resume=*/true, now);
      job->cancelled_by = static_cast<int64_t>(who.uid);
      Terminate(*job, SignalKind::kCancel, JobState::kCancelled, now);
    } else if (job->state == JobState::kRunning || job->state == JobState::kSuspended) {
      // --batch: the batch shell only; --full: every process of the job.
      // Neither: the job's steps, and a batch job without steps has none to
      // receive it (Slurm 22.05 leaves the batch step alone; see the
      // 07_scancel_signal capture).
      if (full || batch) {
        SignalRequest sr{job->id, SignalKind::kSignal, signal, batch && !full,
                         config_.kill_wait_s};
        if (const NodeRecord* n = FindNode(job->BatchHost()))
          node_client_->Signal(Endpoint(*n), sr, [](absl::Status) {});
      }
    } else {
      r.error = "Job/step already completing or completed";
      r.code = kEslurmAlreadyDone;
    }
    out.push_back(std::move(r));
  }
  return out;
}

void Controller::Terminate(Job& job, SignalKind kind, JobState final_state,
                           int64_t now) {
  last_now_ = now;
  SignalRequest sr{job.id, kind, 15, false, config_.kill_wait_s};
  if (job.spec.interactive) {
    // No batch script reports the end: the steps' supervisors on every
    // node are told, and the job ends now (srun notices its tasks go).
    for (const auto& a : job.alloc)
      if (const NodeRecord* n = FindNode(a.node))
        node_client_->Signal(Endpoint(*n), sr, [](absl::Status) {});
    Finish(job, final_state,
           final_state == JobState::kTimeout ? JobReason::kTimeLimit : job.reason, now);
    return;
  }
  SetState(job, JobState::kCompleting);
  job.final_state = final_state;
  Persist({&job});
  if (const NodeRecord* n = FindNode(job.BatchHost()))
    node_client_->Signal(Endpoint(*n), sr, [](absl::Status) {});
}

void Controller::ReleaseResources(Job& job) {
  for (const auto& a : job.alloc)
    if (NodeRecord* n = FindNode(a.node)) {
      n->Release(a, job.id.value());
      if (n->alloc_cpus == 0) n->last_busy = last_now_;  // idle from now
    }
}

void Controller::Finish(Job& job, JobState state, JobReason reason,
                        int64_t now) {
  last_now_ = std::max(last_now_, now);
  ++job_changes_;  // (an interactive job's end is written later)
  if (HoldsResources(job.state))
    ReleaseResources(job);
  SetState(job, state);
  job.reason = reason;
  job.end_time = now;
  // Steps still running when their job ends were killed with it.
  for (auto& r : job.step_log)
    if (!r.end_time) {
      r.end_time = now;
      r.state = state == JobState::kNodeFail || state == JobState::kOutOfMemory
                    ? state : JobState::kCancelled;
      r.exit_signal = r.state == JobState::kCancelled ? SIGKILL : 0;
    }
  // An interactive job's end goes with the next flush (its srun is waiting
  // for the answer; Slurm writes its state every few seconds anyway).
  if (job.spec.interactive)
    unsynced_.insert(job.id.value());
  else
    Persist({&job});
  schedule_needed_ = true;
  // FAIL's "Failed" for a job that failed (a cancelled one merely ended),
  // else END's "Ended".
  bool failed = state != JobState::kCompleted && state != JobState::kCancelled;
  MailEvent(job, failed && (job.spec.mail_type & kMailFail) ? kMailFail : kMailEnd, now);
}

}  // namespace sluice::ctld
