// The controller's fair share (issue 13 point 5): usage charged to each
// job's association, decayed and saved in the store; Fair Tree over the
// association tree; and the multifactor priority each pending job gets
// from it (also what sprio shows). Same class, same strand.
#include <algorithm>
#include <set>

#include "absl/strings/str_split.h"
#include "ctld/core/controller.h"

namespace sluice::ctld {

namespace {
constexpr char kUsageSetting[] = "fairshare_usage";
constexpr int64_t kUsageSaveEvery = 30;  // seconds
}  // namespace

std::string Controller::UsageKeyOf(const JobSpec& s) const {
  if (const AcctAssoc* a = LimitsOf(s).user_assoc) return UsageKey(a->account, a->user, a->partition);
  // No association (accounting not set up): the job's account under root.
  return UsageKey(s.account.empty() ? "root" : s.account, s.user, "");
}

std::vector<ShareNode> Controller::ShareNodes() const {
  std::vector<ShareNode> out;
  std::set<std::string> known;  // usage keys of the associations
  std::set<std::string> accounts;
  for (const auto& [a, depth] : assocs_.Listing()) {
    ShareNode n;
    n.account = a.account;
    n.user = a.user;
    n.partition = a.partition;
    n.shares = a.shares;
    if (a.user.empty()) {
      auto it = assocs_.accounts().find(a.account);
      n.parent = it == assocs_.accounts().end() ? "" : it->second.parent;
      accounts.insert(a.account);
    } else {
      const std::string key = UsageKey(a.account, a.user, a.partition);
      n.usage = usage_.Usage(key);
      known.insert(key);
    }
    out.push_back(std::move(n));
  }
  // Users charged or waiting without an association (no sacctmgr set-up)
  // each count as a user of their account, under root, with one share.
  std::set<std::string> implicit;
  for (const auto& [key, u] : usage_.all())
    if (!known.count(key)) implicit.insert(key);
  for (const auto& [id, j] : index_.LiveJobs())
    if (j->state == JobState::kPending) {
      std::string key = UsageKeyOf(j->spec);
      if (!known.count(key)) implicit.insert(key);
    }
  for (const auto& key : implicit) {
    std::vector<std::string> f = absl::StrSplit(key, '\x1f');
    if (f.size() != 3) continue;
    if (accounts.insert(f[0]).second) {
      ShareNode acct;
      acct.account = f[0];
      acct.parent = f[0] == "root" ? "" : "root";
      out.push_back(acct);
    }
    ShareNode n;
    n.account = f[0];
    n.user = f[1];
    n.partition = f[2];
    n.usage = usage_.Usage(key);
    out.push_back(std::move(n));
  }
  return out;
}

std::vector<ShareFigures> Controller::Shares() const { return FairTree(ShareNodes()); }

void Controller::ChargeUsage(int64_t now, const std::vector<Job*>& watched) {
  usage_.Decay(now);
  size_t running = 0;
  for (const Job* jp : watched) {
    const Job& job = *jp;
    if (job.state != JobState::kRunning) continue;
    ++running;
    if (!last_charge_ || now <= last_charge_) continue;
    uint32_t cpus = 0;
    for (const auto& a : job.alloc) cpus += a.cpus;
    usage_.Charge(UsageKeyOf(job.spec), static_cast<double>(cpus) * (now - last_charge_));
  }
  last_charge_ = now;
  // Kept in the store every kUsageSaveEvery seconds while jobs run, and as
  // soon as a job has left (its usage is then final): a crash loses at most
  // that interval of the running jobs' usage.
  const bool ended = running < charged_jobs_;
  charged_jobs_ = running;
  if ((ended || (running && now >= next_usage_save_)) && !usage_.all().empty()) {
    if (store_->SaveSetting(kUsageSetting, usage_.Encode()).ok()) next_usage_save_ = now + kUsageSaveEvery;
  }
}

void Controller::SaveUsage(int64_t now) {
  ChargeUsage(now, WatchedJobs());
  if (!usage_.all().empty()) (void)store_->SaveSetting(kUsageSetting, usage_.Encode());
}

absl::Status Controller::RecoverUsage(const std::map<std::string, std::string>& settings) {
  auto it = settings.find(kUsageSetting);
  if (it == settings.end()) return absl::OkStatus();
  auto l = UsageLedger::Decode(it->second, priority_.decay_half_life_s);
  if (!l.ok()) return l.status();
  usage_ = *std::move(l);
  return absl::OkStatus();
}

Controller::PriorityContext Controller::PriorityContextNow() const {
  PriorityContext c;
  for (const auto& n : nodes_) c.cluster_cpus += n.conf.cpus;
  for (const auto& p : config_.partitions) c.max_factor = std::max(c.max_factor, p.priority_job_factor);
  // QOS and association priorities count as a share of the highest one.
  for (const auto& [name, q] : assocs_.qos()) c.max_qos = std::max(c.max_qos, q.limits.priority);
  for (const auto& [a, depth] : assocs_.Listing()) c.max_assoc = std::max(c.max_assoc, a.limits.priority);
  if (priority_.weight_fairshare)
    for (const auto& f : Shares())
      if (f.is_user) c.fairshare[UsageKey(f.account, f.user, f.partition)] = f.fairshare;
  return c;
}

PriorityInputs Controller::InputsOf(const Job& j, const PriorityContext& c, int64_t now) const {
  PriorityInputs in;
  in.now = now;
  in.eligible_time = j.eligible_time;
  in.cpus = j.spec.CpusPerNode() * j.spec.min_nodes;
  in.cluster_cpus = std::max<uint32_t>(1, c.cluster_cpus);
  if (const auto* p = config_.FindPartition(j.spec.Partitions().front()))
    in.partition_factor = static_cast<double>(p->priority_job_factor) / c.max_factor;
  auto f = c.fairshare.find(UsageKeyOf(j.spec));
  in.fairshare = f == c.fairshare.end() ? 0.0 : f->second;
  if (auto q = assocs_.qos().find(j.spec.qos); q != assocs_.qos().end() && c.max_qos > 0)
    in.qos_factor = static_cast<double>(std::max<int64_t>(0, q->second.limits.priority)) / c.max_qos;
  if (c.max_assoc > 0)
    if (const AcctAssoc* a = LimitsOf(j.spec).user_assoc)
      in.assoc_factor = static_cast<double>(std::max<int64_t>(0, a->limits.priority)) / c.max_assoc;
  in.nice = j.spec.nice;
  return in;
}

void Controller::UpdatePriorities(int64_t now) {
  if (!priority_.multifactor) return;
  const PriorityContext c = PriorityContextNow();
  for (const auto& [id, j] : index_.LiveJobs()) {
    if (j->state != JobState::kPending || j->spec.hold || j->spec.fixed_priority) continue;
    SetShown(j->priority, MultifactorPriority(priority_, InputsOf(*j, c, now)));
  }
}

std::vector<Controller::JobPriorityRow> Controller::PriorityRows(int64_t now) const {
  std::vector<JobPriorityRow> out;
  if (!priority_.multifactor) return out;
  const PriorityContext c = PriorityContextNow();
  for (const auto& [id, j] : index_.LiveJobs()) {
    if (j->state != JobState::kPending) continue;
    out.push_back({j, FactorsOf(priority_, InputsOf(*j, c, now))});
  }
  return out;
}

std::map<std::string, sched::TresCount> Controller::RunMinsByKey(int64_t now) const {
  std::map<std::string, sched::TresCount> out;
  for (const auto& [id, live] : index_.LiveJobs()) {
    const Job& j = *live;
    if (j.state != JobState::kRunning || j.spec.time_limit_min < 0) continue;
    int64_t end = j.start_time + j.spec.time_limit_min * 60 + j.suspended_secs;
    int64_t mins = std::max<int64_t>(0, (end - now + 59) / 60);
    sched::TresCount t = LimitTres(j);
    auto& sum = out.try_emplace(UsageKeyOf(j.spec), sched::TresCount{0, 0, 0, 0}).first->second;
    for (int d = 0; d < common::kTresKinds; ++d) sum[d] += t[d] * mins;
  }
  return out;
}

}  // namespace sluice::ctld
