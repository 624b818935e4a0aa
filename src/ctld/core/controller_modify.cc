// scontrol update job (issue 12): every change is checked first, with
// Slurm 22.05's rules and messages, and applied only if all of them pass,
// so an update applies whole or not at all.
#include <algorithm>
#include <csignal>

#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/dependency.h"
#include "common/hostlist.h"
#include "ctld/core/controller.h"

#include <csignal>
#include "ctld/core/node_filter.h"

namespace sluice::ctld {

namespace {

// Every feature the expression names is some node's.
bool KnownFeatures(const common::SlurmConfig& cfg, absl::string_view expr) {
  for (absl::string_view any : absl::StrSplit(expr, '|'))
    for (absl::string_view f : absl::StrSplit(any, '&')) {
      bool found = false;
      for (const auto& n : cfg.nodes)
        found = found || std::find(n.features.begin(), n.features.end(), f) != n.features.end();
      if (!found) return false;
    }
  return true;
}

}  // namespace

Job* Controller::FindOwnJob(JobId id, const common::Identity& who, CancelOutcome* r) {
  Job* job = FindJob(id);
  if (!job) {
    r->error = "Invalid job id specified";
    r->code = kEslurmInvalidJobId;
    return nullptr;
  }
  if (!Authorized(*job, who)) {
    r->error = "Access/permission denied";
    r->code = kEslurmAccessDenied;
    return nullptr;
  }
  return job;
}

absl::Status Controller::ModifyJob(JobId id, const JobChanges& c, const common::Identity& who,
                                   int64_t now) {
  last_now_ = now;
  Job* job = FindJob(id);
  if (!job) return absl::NotFoundError("Invalid job id specified");
  const bool admin = who.uid == 0 || who.uid == own_uid_;
  if (!admin && who.uid != job->spec.uid) return absl::PermissionDeniedError("Invalid user id");
  if (common::IsFinished(job->state) || job->state == JobState::kCompleting)
    return absl::FailedPreconditionError("Job/step already completing or completed");
  const bool pending = job->state == JobState::kPending;
  auto denied = [] { return absl::PermissionDeniedError("Access/permission denied"); };
  auto not_pending = [] { return absl::FailedPreconditionError("Job is no longer pending execution"); };
  // Who may change what.
  if (c.priority && !admin) return denied();
  if (c.nice && *c.nice < 0 && !admin) return denied();
  if (c.time_limit_min && !admin && !pending) {
    // A running job's owner may only shorten it.
    int64_t cur = job->spec.time_limit_min;
    bool longer = *c.time_limit_min < 0 ? cur >= 0 : (cur >= 0 && *c.time_limit_min > cur);
    if (longer) return denied();
  }
  // What a started job can no longer change.
  if (!pending) {
    if (c.num_nodes) return absl::UnimplementedError("Requested operation not supported on this system");
    if (c.req_nodes) return absl::InvalidArgumentError("Invalid node name specified");
    if (c.partition || c.begin_time || c.dependency || c.features || c.exc_nodes) return not_pending();
  }
  // The values themselves.
  if (c.partition && !config_.FindPartition(*c.partition))
    return absl::InvalidArgumentError("Invalid partition name specified");
  std::vector<std::string> req_nodes, exc_nodes;
  for (auto [raw, dst] : {std::pair{&c.req_nodes, &req_nodes}, std::pair{&c.exc_nodes, &exc_nodes}}) {
    if (!*raw || (*raw)->empty()) continue;
    auto hosts = common::ExpandHostlist(**raw);
    if (!hosts.ok()) return absl::InvalidArgumentError("Invalid node name specified");
    for (const auto& h : *hosts)
      if (!config_.FindNode(h)) return absl::InvalidArgumentError("Invalid node name specified");
    *dst = *std::move(hosts);
  }
  if (c.features && !c.features->empty() &&
      (!ValidConstraint(*c.features) || !KnownFeatures(config_, *c.features)))
    return absl::InvalidArgumentError("Invalid feature specification");
  std::optional<std::string> dependency;
  if (c.dependency) {
    auto dep = common::ParseDependency(*c.dependency);
    if (!dep.ok()) return absl::InvalidArgumentError("Job dependency problem");
    dependency = common::FormatDependency(*dep);
  }
  // All checked: apply every change.
  JobSpec& s = job->spec;
  if (c.time_limit_min) s.time_limit_min = *c.time_limit_min;
  if (c.partition) s.partition = *c.partition;
  if (c.num_nodes) s.min_nodes = std::max<uint32_t>(1, *c.num_nodes);
  // As Slurm: an administrator's priority resets the nice value, and a
  // nice value does not move a job whose priority was set.
  if (c.priority) {
    s.fixed_priority = *c.priority;
    s.nice = 0;
  }
  if (c.nice && !s.fixed_priority) s.nice = *c.nice;
  if (dependency) s.dependency = *dependency;
  if (c.begin_time) {
    s.begin_time = *c.begin_time;
    job->eligible_time = std::max(job->submit_time, *c.begin_time);
  }
  if (c.name) s.name = *c.name;
  if (c.comment) s.comment = *c.comment;
  if (c.features) s.constraint = *c.features;
  if (c.req_nodes) s.nodelist = req_nodes;
  if (c.exc_nodes) s.exclude = exc_nodes;
  if (c.priority || c.nice) job->priority = BasePriority(*job);
  Persist({job});
  schedule_needed_ = true;
  return absl::OkStatus();
}

std::vector<CancelOutcome> Controller::TopJobs(const std::vector<JobId>& ids,
                                               const common::Identity& who, int64_t now) {
  last_now_ = now;
  const bool admin = who.uid == 0 || who.uid == own_uid_;
  const bool users_may =
      config_.scheduler_parameters.find("enable_user_top") != std::string::npos;
  std::vector<CancelOutcome> out;
  for (JobId id : ids) {
    CancelOutcome r{id, "", 0};
    Job* job = admin || users_may ? FindOwnJob(id, who, &r) : nullptr;
    if (!admin && !users_may) {
      r.error = "Access/permission denied";  // Slurm says so for any ID
      r.code = kEslurmAccessDenied;
    } else if (!job) {
      // r says why
    } else if (job->state != JobState::kPending) {
      r.error = "Job is no longer pending execution";
    } else if (job->spec.hold || job->spec.admin_hold) {
      r.error = "Job is in held state, pending scheduler release";
    } else {
      uint64_t best = 0;
      for (uint64_t oid : index_.OfUser(job->spec.uid)) {
        const Job& o = jobs_.at(oid);
        if (oid != id.value() && o.state == JobState::kPending &&
            o.spec.partition == job->spec.partition)
          best = std::max(best, o.priority);
      }
      if (job->priority <= best) {
        job->spec.nice -= static_cast<int32_t>(best - job->priority + 1);
        job->priority = BasePriority(*job);
        Persist({job});
        schedule_needed_ = true;
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

namespace {

// One accepted `scontrol update PartitionName=` as a line of the stored
// setting ("NAME\tState=DOWN\tMaxTime=30\tNodes=n[1-2]\tDefault=1"),
// replayed on a restart.
constexpr char kPartitionUpdates[] = "partition_updates";

std::string EncodePartitionUpdate(const std::string& name, const PartitionChanges& c) {
  std::string out = name;
  if (c.state) absl::StrAppend(&out, "\tState=", *c.state);
  if (c.max_time_min) absl::StrAppend(&out, "\tMaxTime=", *c.max_time_min);
  if (c.nodes) absl::StrAppend(&out, "\tNodes=", *c.nodes);
  if (c.is_default) absl::StrAppend(&out, "\tDefault=", *c.is_default ? 1 : 0);
  return out;
}

std::pair<std::string, PartitionChanges> DecodePartitionUpdate(absl::string_view line) {
  std::vector<std::string> f = absl::StrSplit(line, '\t');
  PartitionChanges c;
  for (size_t i = 1; i < f.size(); ++i) {
    absl::string_view v = f[i];
    int64_t n = 0;
    if (absl::ConsumePrefix(&v, "State=")) c.state = std::string(v);
    else if (absl::ConsumePrefix(&v, "MaxTime=") && absl::SimpleAtoi(v, &n)) c.max_time_min = n;
    else if (absl::ConsumePrefix(&v, "Nodes=")) c.nodes = std::string(v);
    else if (absl::ConsumePrefix(&v, "Default=")) c.is_default = v == "1";
  }
  return {f.empty() ? "" : f[0], c};
}

}  // namespace

absl::Status Controller::UpdatePartition(const std::string& name, const PartitionChanges& c,
                                         const common::Identity& who, int64_t now) {
  last_now_ = now;
  if (who.uid != 0 && who.uid != own_uid_) return absl::PermissionDeniedError("Invalid user id");
  if (auto s = ApplyPartitionChanges(name, c, /*apply=*/false); !s.ok()) return s;
  // Kept until slurm.conf is read again (a reconfigure gives way to the
  // file, as in Slurm): a restart replays it. Stored first: a change that
  // cannot be kept is not made.
  std::vector<std::string> updates = partition_updates_;
  updates.push_back(EncodePartitionUpdate(name, c));
  if (!store_->SaveSetting(kPartitionUpdates, absl::StrJoin(updates, "\n")).ok())
    return absl::UnavailableError("I/O error writing partition state");
  partition_updates_ = std::move(updates);
  return ApplyPartitionChanges(name, c, /*apply=*/true);
}

void Controller::ReplayPartitionUpdates(const std::string& stored) {
  partition_updates_.clear();
  for (absl::string_view line : absl::StrSplit(stored, '\n', absl::SkipEmpty())) {
    auto [name, c] = DecodePartitionUpdate(line);
    // (One the file no longer allows, e.g. a partition since removed, is
    // dropped.)
    if (ApplyPartitionChanges(name, c, true).ok()) partition_updates_.emplace_back(line);
  }
}

absl::Status Controller::ForgetPartitionUpdates() {
  if (partition_updates_.empty()) return absl::OkStatus();
  if (!store_->SaveSetting(kPartitionUpdates, "").ok())
    return absl::UnavailableError("I/O error writing partition state");
  partition_updates_.clear();
  return absl::OkStatus();
}

absl::Status Controller::ApplyPartitionChanges(const std::string& name, const PartitionChanges& c,
                                               bool apply) {
  common::PartitionConf* part = nullptr;
  for (auto& p : config_.partitions)
    if (p.name == name) part = &p;
  if (!part) return absl::InvalidArgumentError("Invalid partition name specified");
  std::vector<std::string> nodes;
  if (c.nodes) {
    auto names = common::ExpandHostlist(*c.nodes);
    if (!names.ok()) return absl::InvalidArgumentError("Invalid node name specified");
    for (const auto& n : *names)
      if (!FindNode(n)) return absl::InvalidArgumentError("Invalid node name specified");
    nodes = *std::move(names);
  }
  if (!apply) return absl::OkStatus();
  if (c.state) part->state = *c.state;
  if (c.max_time_min) part->max_time_min = *c.max_time_min;
  if (c.is_default) {
    if (*c.is_default)
      for (auto& p : config_.partitions) p.is_default = false;
    part->is_default = *c.is_default;
  }
  if (c.nodes) {
    part->nodes = nodes;
    for (auto& n : nodes_) {
      std::erase(n.partitions, name);
      if (std::find(nodes.begin(), nodes.end(), n.conf.name) != nodes.end())
        n.partitions.push_back(name);
    }
  }
  schedule_needed_ = true;
  return absl::OkStatus();
}

std::vector<CancelOutcome> Controller::RequeueJobs(const std::vector<JobId>& ids, bool hold,
                                               const common::Identity& who, int64_t now) {
  last_now_ = now;
  std::vector<CancelOutcome> out;
  const bool admin = who.uid == 0 || who.uid == own_uid_;
  for (JobId id : ids) {
    CancelOutcome r{id, "", 0};
    Job* job = FindOwnJob(id, who, &r);
    if (!job) {
      // r says why
    } else if (job->state == JobState::kPending) {
      r.error = "Job is pending execution";
    } else if (job->spec.interactive) {
      r.error = "Only batch jobs are accepted or processed";
    } else if (job->state == JobState::kRunning) {
      job->requeue_on_end = hold ? 2 : 1;
      if (hold) job->spec.admin_hold = admin;
      Terminate(*job, SignalKind::kCancel, JobState::kCompleted, now);
    } else if (job->state == JobState::kCompleting) {
      r.error = "Job/step already completing or completed";
    } else {  // ended and still known: back to the queue now
      RequeueNow(*job, hold, admin, now);
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<CancelOutcome> Controller::Suspend(const std::vector<JobId>& ids, bool resume,
                                               const common::Identity& who, int64_t now) {
  last_now_ = now;
  std::vector<CancelOutcome> out;
  const bool admin = who.uid == 0 || who.uid == own_uid_;
  for (JobId id : ids) {
    CancelOutcome r{id, "", 0};
    Job* job = FindJob(id);
    if (!job) {
      r.error = "Unexpected message received";  // (Slurm's words for it)
    } else if (!admin) {
      r.error = "Access/permission denied";
    } else if (job->state == JobState::kPending) {
      r.error = "Job is pending execution";
    } else if (common::IsFinished(job->state) || job->state == JobState::kCompleting) {
      r.error = "Job/step already completing or completed";
    } else if (resume && job->state != JobState::kSuspended) {
      r.error = "Job is not suspended";
    } else if (!resume && job->state == JobState::kSuspended) {
      // already suspended: nothing to do, as Slurm
    } else {
      StopOrContinue(*job, resume, now);
      Persist({job});
    }
    out.push_back(std::move(r));
  }
  return out;
}

CancelOutcome Controller::Notify(JobId id, const std::string& text, const common::Identity& who,
                                int64_t now) {
  last_now_ = now;
  CancelOutcome r{id, "", 0};
  Job* job = FindJob(id);
  const bool admin = who.uid == 0 || who.uid == own_uid_;
  if (!job || common::IsFinished(job->state)) {
    r.error = "Invalid job id specified";
  } else if (!admin && job->spec.uid != who.uid) {
    r.error = "Access/permission denied";
  } else if (!HoldsResources(job->state) || (job->spec.interactive && job->steps.empty())) {
    // Nothing listens: no script, no srun (Slurm's words for it).
    r.error = "Requested operation is presently disabled";
  } else {
    SignalRequest sr{job->id, SignalKind::kNotify, 0, false, config_.kill_wait_s};
    sr.message = text;
    sr.every_step = true;
    const std::string& batch = job->BatchHost();
    for (const auto& a : job->alloc)
      if (job->spec.interactive || a.node == batch)
        if (const NodeRecord* n = FindNode(a.node))
          node_client_->Signal(Endpoint(*n), sr, [](absl::Status) {});
  }
  return r;
}

void Controller::StopOrContinue(Job& job, bool resume, int64_t now) {
  if (resume) {
    job.suspended_secs += std::max<int64_t>(0, now - job.suspend_time);
    SetState(job, JobState::kRunning);
  } else {
    job.pre_suspend_secs = job.RunSecs(now);
    SetState(job, JobState::kSuspended);
  }
  job.suspend_time = now;
  SignalRequest sr{job.id, SignalKind::kSignal, resume ? SIGCONT : SIGSTOP, false,
                   config_.kill_wait_s};
  sr.every_step = true;
  for (const auto& a : job.alloc)
    if (const NodeRecord* n = FindNode(a.node))
      node_client_->Signal(Endpoint(*n), sr, [](absl::Status) {});
}

void Controller::RequeueNow(Job& job, bool hold, bool admin, int64_t now) {
  job.requeue_on_end = 0;
  job.step_log.clear();
  job.batch_usage = {};
  job.cancelled_by = -1;
  if (hold) {
    job.spec.hold = true;
    job.spec.admin_hold = admin;
  }
  Requeue(job, false, now);
  if (hold) job.reason = admin ? JobReason::kJobHeldAdmin : JobReason::kJobHeldUser;
}

}  // namespace sluice::ctld
