// Accounting limits (issue 13 point 4; Controller, see controller.h): the
// job's QOS at submission, the submit limits, a default time limit from
// MaxWall, and the run limits handed to the scheduler as shared pools
// (sched::SchedLimit) and per-job reasons.
#include <algorithm>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "ctld/core/controller.h"

namespace sluice::ctld {

using common::TresVec;

namespace {

constexpr char kSubmitLimit[] =
    "Job violates accounting/QOS policy (job submit limit, user's size and/or time limits)";

bool AnySet(const TresVec& v) {
  return std::any_of(v.begin(), v.end(), [](int64_t x) { return x >= 0; });
}

// How many jobs a record stands for (an array's waiting tasks each count).
int64_t Tasks(const Job& j) {
  return j.IsArrayRest() ? static_cast<int64_t>(j.array_pending.Count()) : 1;
}

}  // namespace

Controller::JobLimits Controller::LimitsOf(const JobSpec& s) const {
  JobLimits e;
  e.user_assoc = assocs_.FindAssoc(s.user, s.account, s.partition.substr(0, s.partition.find(',')));
  for (std::string acct = s.account; !acct.empty();) {
    const AcctAssoc* a = assocs_.AccountAssoc(acct);
    if (a) e.chain.push_back(a);
    auto it = assocs_.accounts().find(acct);
    acct = it == assocs_.accounts().end() ? "" : it->second.parent;
  }
  if (auto q = assocs_.qos().find(s.qos); q != assocs_.qos().end()) e.qos = &q->second;
  // A user's MaxJobs, MaxSubmitJobs, MaxWall and MaxTRES default to the
  // nearest account's above it, as Slurm inherits them.
  std::vector<const AcctAssoc*> up;
  if (e.user_assoc) up.push_back(e.user_assoc);
  up.insert(up.end(), e.chain.begin(), e.chain.end());
  for (const AcctAssoc* a : up) {
    const auto& l = a->limits;
    if (e.max_jobs < 0) e.max_jobs = l.max_jobs;
    if (e.max_submit < 0) e.max_submit = l.max_submit;
    if (e.max_wall < 0) e.max_wall = l.max_wall_min;
    for (int d = 0; d < common::kTresKinds; ++d)
      if (e.max_tres[d] < 0) e.max_tres[d] = l.max_tres[d];
  }
  return e;
}

absl::Status Controller::ApplyQos(JobSpec& s) const {
  if (!config_.AssociationsApply()) {
    s.qos.clear();  // (no QOS without accounting, as Slurm shows it)
    return absl::OkStatus();
  }
  s.qos = absl::AsciiStrToLower(s.qos);
  const AcctAssoc* a =
      assocs_.FindAssoc(s.user, s.account, s.partition.substr(0, s.partition.find(',')));
  if (s.qos.empty()) {
    // The association's DefaultQOS, else its only QOS, else normal.
    s.qos = a && !a->default_qos.empty() ? a->default_qos
            : a && a->qos.size() == 1     ? a->qos[0]
                                          : "normal";
  }
  const absl::Status invalid = absl::InvalidArgumentError("Invalid qos specification");
  if (!assocs_.qos().count(s.qos)) return invalid;
  if (config_.EnforceQos() && s.uid != 0 &&
      (!a || std::find(a->qos.begin(), a->qos.end(), s.qos) == a->qos.end()))
    return invalid;
  return absl::OkStatus();
}

std::string Controller::SubmitLimits(JobSpec& s, bool time_given,
                                     std::vector<std::string>* notes) const {
  if (!config_.EnforceLimits()) return "";
  JobLimits e = LimitsOf(s);
  // A job that names no time limit gets MaxWall (its QOS's first) when
  // that is shorter than what it would have had.
  int64_t wall = e.qos && e.qos->limits.max_wall_min >= 0 ? e.qos->limits.max_wall_min : e.max_wall;
  if (!time_given && wall >= 0 && (s.time_limit_min < 0 || s.time_limit_min > wall))
    s.time_limit_min = wall;
  // Submit limits count the jobs not yet finished: the user's (in the
  // association, in the QOS), the QOS's, and each account subtree's above
  // the job (GrpSubmitJobs). Only when one is set is the queue counted.
  int64_t qos_max = e.qos ? e.qos->limits.max_submit : -1;
  int64_t qos_grp = e.qos ? e.qos->limits.grp_submit : -1;
  bool grp = std::any_of(e.chain.begin(), e.chain.end(),
                         [](const AcctAssoc* a) { return a->limits.grp_submit >= 0; });
  if (e.max_submit < 0 && qos_max < 0 && qos_grp < 0 && !grp) return "";
  int64_t mine = 0, mine_in_qos = 0, in_qos = 0;
  std::map<std::string, int64_t> under;  // account -> jobs in its subtree
  for (const auto& [id, live] : index_.LiveJobs()) {
    const Job& j = *live;
    const int64_t n = Tasks(j);
    if (j.spec.qos == s.qos) in_qos += n;
    if (j.spec.uid == s.uid && j.spec.account == s.account) mine += n;
    if (j.spec.uid == s.uid && j.spec.qos == s.qos) mine_in_qos += n;
    if (grp)
      for (std::string acct = j.spec.account; !acct.empty();) {
        under[acct] += n;
        auto it = assocs_.accounts().find(acct);
        acct = it == assocs_.accounts().end() ? "" : it->second.parent;
      }
  }
  const int64_t adding = s.array.count ? s.array.count : 1;
  auto refuse = [&](const char* why) {
    notes->push_back(why);
    return std::string(kSubmitLimit);
  };
  if (qos_max >= 0 && mine_in_qos + adding > qos_max) return refuse("QOSMaxSubmitJobPerUserLimit");
  if (qos_grp >= 0 && in_qos + adding > qos_grp) return refuse("QOSGrpSubmitJobsLimit");
  if (e.max_submit >= 0 && mine + adding > e.max_submit) return refuse("AssocMaxSubmitJobLimit");
  for (const AcctAssoc* a : e.chain)
    if (a->limits.grp_submit >= 0 && under[a->account] + adding > a->limits.grp_submit)
      return refuse("AssocGrpSubmitJobsLimit");
  return "";
}

std::optional<JobReason> Controller::PerJobLimitReason(const Job& j, const JobLimits& e,
                                                       const sched::TresCount& t) const {
  auto over_wall = [&](int64_t max) {
    return max >= 0 && (j.spec.time_limit_min < 0 || j.spec.time_limit_min > max);
  };
  auto over_tres = [&](const TresVec& max) -> int {
    for (int d = 0; d < common::kTresKinds; ++d)
      if (max[d] >= 0 && t[d] > max[d]) return d;
    return -1;
  };
  using R = JobReason;
  if (e.qos) {
    if (over_wall(e.qos->limits.max_wall_min)) return R::kQOSMaxWallDurationPerJobLimit;
    static constexpr R kQos[] = {R::kQOSMaxCpuPerJobLimit, R::kQOSMaxMemoryPerJob,
                                 R::kQOSMaxNodePerJobLimit, R::kQOSMaxGRESPerJob};
    if (int d = over_tres(e.qos->limits.max_tres); d >= 0) return kQos[d];
  }
  if (over_wall(e.max_wall)) return R::kAssocMaxWallDurationPerJobLimit;
  static constexpr R kAssoc[] = {R::kAssocMaxCpuPerJobLimit, R::kAssocMaxMemPerJob,
                                 R::kAssocMaxNodePerJobLimit, R::kAssocMaxGRESPerJob};
  if (int d = over_tres(e.max_tres); d >= 0) return kAssoc[d];
  return std::nullopt;
}

sched::TresCount Controller::LimitTres(const Job& j) const {
  sched::TresCount t = {0, 0, 0, 0};
  if (!j.alloc.empty()) {
    for (const auto& a : j.alloc) {
      t[common::kTresCpu] += a.cpus;
      t[common::kTresMem] += static_cast<int64_t>(a.mem_mb);
      t[common::kTresGpu] += static_cast<int64_t>(a.gpus.size());
    }
    t[common::kTresNode] = static_cast<int64_t>(j.alloc.size());
    return t;
  }
  const JobSpec& s = j.spec;
  t[common::kTresNode] = s.min_nodes;
  t[common::kTresCpu] = static_cast<int64_t>(std::max<uint64_t>(
      uint64_t{s.ntasks} * s.cpus_per_task, uint64_t{s.CpusPerNode()} * (s.UnevenCpus() ? 1 : s.min_nodes)));
  t[common::kTresMem] = static_cast<int64_t>(s.mem_mb) * s.min_nodes;
  t[common::kTresGpu] = static_cast<int64_t>(s.gpus_per_node) * s.min_nodes;
  return t;
}

void Controller::AddLimitPools(sched::SchedulerInput& in,
                               const std::map<uint64_t, uint64_t>& offer_of) const {
  if (!config_.EnforceLimits()) return;
  std::map<std::string, int> index;
  using R = JobReason;
  // The shared limits a job counts against, in the order Slurm checks
  // them: its QOS (per user, then all), its association, then each account
  // above it.
  auto pools_of = [&](const Job& j, const JobLimits& e) {
    std::vector<int> out;
    auto add = [&](const std::string& key, int64_t cap_jobs, R jobs_reason, const TresVec& cap,
                   std::array<R, 4> reasons) {
      if (cap_jobs < 0 && !AnySet(cap)) return;
      auto [it, fresh] = index.emplace(key, static_cast<int>(in.limits.size()));
      if (fresh) {
        sched::SchedLimit l;
        l.cap_jobs = cap_jobs;
        l.jobs_reason = jobs_reason;
        l.cap = cap;
        l.reasons = reasons;
        in.limits.push_back(l);
      }
      out.push_back(it->second);
    };
    if (e.qos) {
      const auto& l = e.qos->limits;
      add(absl::StrCat("qu/", e.qos->name, "/", j.spec.uid), l.max_jobs, R::kQOSMaxJobsPerUserLimit,
          l.max_tres_pu,
          {R::kQOSMaxCpuPerUserLimit, R::kQOSMaxMemoryPerUser, R::kQOSMaxNodePerUserLimit,
           R::kQOSMaxGRESPerUser});
      add("q/" + e.qos->name, l.grp_jobs, R::kQOSGrpJobsLimit, l.grp_tres,
          {R::kQOSGrpCpuLimit, R::kQOSGrpMemLimit, R::kQOSGrpNodeLimit, R::kQOSGrpGRES});
    }
    const std::array<R, 4> grp = {R::kAssocGrpCpuLimit, R::kAssocGrpMemLimit,
                                  R::kAssocGrpNodeLimit, R::kAssocGrpGRES};
    add(absl::StrCat("u/", j.spec.account, "/", j.spec.user), e.max_jobs, R::kAssocMaxJobsLimit,
        common::kNoTres, {});
    if (e.user_assoc)
      add(absl::StrCat("ug/", j.spec.account, "/", j.spec.user), e.user_assoc->limits.grp_jobs,
          R::kAssocGrpJobsLimit, e.user_assoc->limits.grp_tres, grp);
    for (const AcctAssoc* a : e.chain)
      add("g/" + a->account, a->limits.grp_jobs, R::kAssocGrpJobsLimit, a->limits.grp_tres, grp);
    return out;
  };
  for (auto& r : in.running) {
    auto it = jobs_.find(r.id.value());
    if (it == jobs_.end()) continue;
    r.limits = pools_of(it->second, LimitsOf(it->second.spec));
    r.tres = LimitTres(it->second);
    for (int li : r.limits) {
      ++in.limits[li].used_jobs;
      for (int d = 0; d < common::kTresKinds; ++d) in.limits[li].used[d] += r.tres[d];
    }
  }
  for (auto& sj : in.pending) {
    auto o = offer_of.find(sj.id.value());
    auto it = jobs_.find(o == offer_of.end() ? sj.id.value() : o->second);
    if (it == jobs_.end()) continue;
    // (the associations are looked up once per job and pass)
    const JobLimits e = LimitsOf(it->second.spec);
    sj.limits = pools_of(it->second, e);
    sj.tres = LimitTres(it->second);
    if (sj.wait_reason == JobReason::kNone)
      if (auto r = PerJobLimitReason(it->second, e, sj.tres)) sj.wait_reason = *r;
  }
}

void Controller::AddPreemption(sched::SchedulerInput& in,
                               const std::map<uint64_t, uint64_t>& offer_of) const {
  if (config_.preempt_type != "preempt/qos" || !config_.AssociationsApply()) return;
  std::map<std::string, int> index;
  for (const AcctQos* q : assocs_.QosInOrder()) index.emplace(q->name, static_cast<int>(index.size()));
  for (auto& r : in.running) {
    auto it = jobs_.find(r.id.value());
    if (it == jobs_.end()) continue;
    const Job& j = it->second;
    r.priority = j.priority;
    auto q = assocs_.qos().find(j.spec.qos);
    if (q == assocs_.qos().end() || j.state != JobState::kRunning) continue;
    std::string mode = q->second.preempt_mode == "cluster" ? config_.preempt_mode
                                                            : absl::AsciiStrToUpper(q->second.preempt_mode);
    if (mode != "OFF") r.qos = index[q->first];
  }
  for (auto& sj : in.pending) {
    auto o = offer_of.find(sj.id.value());
    auto it = jobs_.find(o == offer_of.end() ? sj.id.value() : o->second);
    if (it == jobs_.end()) continue;
    auto q = assocs_.qos().find(it->second.spec.qos);
    if (q == assocs_.qos().end()) continue;
    for (const auto& name : q->second.preempt)
      if (auto ix = index.find(name); ix != index.end()) sj.preempts.push_back(ix->second);
  }
}

void Controller::Preempt(JobId id, JobId for_job, int64_t now) {
  Job* j = FindJob(id);
  if (!j || j->state != JobState::kRunning) return;
  std::string mode = config_.preempt_mode;
  if (auto q = assocs_.qos().find(j->spec.qos);
      q != assocs_.qos().end() && q->second.preempt_mode != "cluster")
    mode = absl::AsciiStrToUpper(q->second.preempt_mode);
  if (mode == "REQUEUE" && !j->spec.interactive && j->spec.requeue) {
    j->requeue_on_end = 1;
    j->preempted_for = for_job.value();
    Terminate(*j, SignalKind::kCancel, JobState::kCompleted, now);
  } else {
    Terminate(*j, SignalKind::kCancel, JobState::kPreempted, now);
  }
}

}  // namespace sluice::ctld
