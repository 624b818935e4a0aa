#include <csignal>
#include "ctld/core/controller.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/dependency.h"
#include "common/hostlist.h"
#include "ctld/core/node_filter.h"
#include "ctld/sched/scheduler.h"
#include "common/time_spec.h"
#include "common/users.h"
#include "ctld/sched/scheduler.h"

namespace sluice::ctld {
namespace {
// Slurm's priority/basic starts here and counts down with each submission.
constexpr uint64_t kBasePriority = 4294901760ull;
}  // namespace

Controller::Controller(common::SlurmConfig config, JobStore* store,
                       NodeClient* nodes, uint32_t own_uid)
    : config_(std::move(config)),
      store_(store),
      node_client_(nodes),
      own_uid_(own_uid) {
  next_job_id_ = config_.first_job_id;
  assocs_ = AssocDb(config_.cluster_name);
  ApplyConfig();
  usage_ = UsageLedger(priority_.decay_half_life_s);
}

absl::Status Controller::Recover(int64_t now) {
  last_now_ = now;
  if (!boot_time_) boot_time_ = now;
  auto st = store_->Load(now - config_.min_job_age_s);
  if (!st.ok()) return st.status();
  next_job_id_ = std::max<uint64_t>(config_.first_job_id, st->next_job_id);
  if (auto u = st->settings.find("partition_updates"); u != st->settings.end())
    ReplayPartitionUpdates(u->second);
  if (auto a = st->settings.find("associations"); a != st->settings.end() && !a->second.empty()) {
    auto db = AssocDb::Decode(a->second);
    if (!db.ok()) return db.status();
    assocs_ = *std::move(db);
  }
  if (auto u = RecoverUsage(st->settings); !u.ok()) return u;
  if (next_job_id_ > config_.max_job_id) next_job_id_ = config_.first_job_id;
  for (auto& j : st->jobs) {
    if (HoldsResources(j.state)) {
      for (const auto& a : j.alloc)
        if (NodeRecord* n = FindNode(a.node)) n->Allocate(a, j.id.value());
    }
    AddJob(std::move(j));
  }
  // Bodies of jobs that left memory while no write followed, or before a
  // crash, are deleted now.
  std::vector<uint64_t> bodies;
  for (const auto& [id, j] : jobs_)
    if (j.spec.body_id) bodies.push_back(j.spec.body_id);
  // (A failed sweep costs disk only; the next start tries again.)
  (void)store_->KeepBodies(bodies);
  schedule_needed_ = true;
  return absl::OkStatus();
}

Job* Controller::FindJob(JobId id) {
  auto it = jobs_.find(id.value());
  return it == jobs_.end() ? nullptr : &it->second;
}

Job& Controller::AddJob(Job&& j) {
  ++job_changes_;
  auto [it, added] = jobs_.emplace(j.id.value(), std::move(j));
  if (added) index_.Add(it->second);
  return it->second;
}

void Controller::SetState(Job& j, JobState s) {
  j.state = s;
  index_.StateChanged(j);
}

void Controller::EraseJob(uint64_t id) {
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return;
  ++job_changes_;
  const uint64_t body = it->second.spec.body_id, array = it->second.array_job_id;
  index_.Remove(it->second);
  jobs_.erase(it);
  if (body && !BodyInUse(body, array)) store_->DropBodies({body});
}

// Only an array's records share a body (tasks split off after its save).
bool Controller::BodyInUse(uint64_t body, uint64_t array) const {
  if (!array) return false;
  for (uint64_t member : index_.OfArray(array)) {
    auto it = jobs_.find(member);
    if (it != jobs_.end() && it->second.spec.body_id == body) return true;
  }
  return false;
}

void Controller::ReleaseBodies(const std::vector<const Job*>& saved) {
  for (const Job* j : saved)
    if (Job* m = j->spec.HoldsBody() ? FindJob(j->id) : nullptr; m == j)
      m->spec.ReleaseBody(j->id.value());
}

NodeRecord* Controller::FindNode(const std::string& name) {
  auto it = node_index_.find(name);
  return it == node_index_.end() ? nullptr : &nodes_[it->second];
}

NodeEndpoint Controller::Endpoint(const NodeRecord& n) const {
  return {n.conf.name,
          absl::StrCat(n.conf.addr, ":", config_.NodePort(n.conf))};
}

bool Controller::Persist(const std::vector<const Job*>& jobs) {
  ++job_changes_;
  absl::Status st = store_->Save(jobs, next_job_id_);
  store_result_ = st;
  if (st.ok()) {
    for (const Job* j : jobs) dirty_.erase(j->id.value());
    ReleaseBodies(jobs);
    return true;
  }
  // Memory is ahead of disk: the tick writes these again until it works.
  for (const Job* j : jobs) dirty_.insert(j->id.value());
  return false;
}

void Controller::RetryUnsaved() {
  if (dirty_.empty()) return;
  std::vector<const Job*> batch;
  for (auto it = dirty_.begin(); it != dirty_.end();) {
    if (const Job* j = FindJob(JobId(*it))) {
      batch.push_back(j);
      ++it;
    } else {
      it = dirty_.erase(it);  // purged meanwhile
    }
  }
  if (batch.empty()) return;
  absl::Status st = store_->Save(batch, next_job_id_);
  store_result_ = st;
  if (!st.ok()) return;
  ReleaseBodies(batch);
  dirty_.clear();
  schedule_needed_ = true;  // starts held back by the failure may go now
}

std::optional<absl::Status> Controller::TakeStoreResult() {
  auto e = std::move(store_result_);
  store_result_.reset();
  return e;
}

bool Controller::Authorized(const Job& job, const common::Identity& who) const {
  return who.uid == 0 || who.uid == own_uid_ || who.uid == job.spec.uid;
}

SubmitOutcome Controller::Submit(const SubmitRequest& req,
                                 const common::Identity& who, int64_t now,
                                 bool dry_run) {
  last_now_ = now;
  SubmitOutcome out;
  if (own_uid_ != 0 && who.uid != own_uid_) {
    // An unprivileged cluster (sluice-local as a user) can only start
    // processes as that user.
    out.notes.push_back(absl::StrCat(
        "this cluster runs as uid ", own_uid_,
        " without root and can only run that user's jobs"));
    out.error = "Access/permission denied";
    return out;
  }
  // Whose job it is (--uid, checked below, or the caller), looked up once.
  const auto owner_info =
      common::LookupUser(req.as_uid >= 0 ? static_cast<uid_t>(req.as_uid) : who.uid);
  // -p a,b: every name must exist; the first gives the defaults.
  std::vector<const common::PartitionConf*> parts;
  if (req.partition.empty()) {
    // The user's own default partition (sacctmgr DefaultPartition=, Sluice's
    // extension) before the cluster's Default=YES one.
    std::string mine = owner_info ? UserDefaultPartition(owner_info->name) : "";
    const auto* d = mine.empty() ? config_.DefaultPartition() : config_.FindPartition(mine);
    if (!mine.empty() && !d) {
      out.notes.push_back(absl::StrCat("invalid partition specified: ", mine));
      out.error = "Invalid partition name specified";
      return out;
    }
    if (d) parts.push_back(d);
  } else {
    for (absl::string_view name : absl::StrSplit(req.partition, ',', absl::SkipEmpty())) {
      const auto* p = config_.FindPartition(name);
      if (!p) {
        out.notes.push_back(absl::StrCat("invalid partition specified: ", name));
        out.error = "Invalid partition name specified";
        return out;
      }
      parts.push_back(p);
    }
  }
  for (const auto* p : parts) {
    if (p->state == "DRAIN" || p->state == "INACTIVE") {
      out.error = "Requested partition configuration not available now";
      return out;
    }
  }
  if (parts.empty()) {
    out.error = "No partition specified or system default partition";
    return out;
  }
  const common::PartitionConf* part = parts.front();
  std::vector<std::string> nodelist, exclude;
  for (auto [raw, dst] : {std::pair{&req.nodelist, &nodelist},
                          std::pair{&req.exclude, &exclude}}) {
    if (raw->empty()) continue;
    auto hosts = common::ExpandHostlist(*raw);
    if (!hosts.ok()) {
      out.error = "Invalid node name specified";
      return out;
    }
    for (const auto& h : *hosts) {
      if (!config_.FindNode(h)) {
        out.error = "Invalid node name specified";
        return out;
      }
      dst->push_back(h);
    }
  }
  if (!req.constraint.empty() && !ValidConstraint(req.constraint)) {
    out.error = "Invalid feature specification";
    return out;
  }
  const bool admin = who.uid == 0 || who.uid == own_uid_;
  if ((req.priority && !admin) || (req.nice < 0 && !admin)) {
    out.error = "Access/permission denied";
    return out;
  }
  auto dep = common::ParseDependency(req.dependency);
  if (!dep.ok()) {
    out.error = std::string(dep.status().message());
    return out;
  }
  std::optional<common::ArraySpec> array;
  if (!req.array.empty()) {
    if (req.interactive) {
      out.error = "Invalid job array specification";
      return out;
    }
    auto a = common::ParseArraySpec(req.array, config_.max_array_size);
    if (!a.ok()) {
      out.error = std::string(a.status().message());
      return out;
    }
    array = *std::move(a);
  }
  // --uid/--gid: only root may submit as someone else, whatever the
  // command was (the identity is MUNGE's; these only narrow it for root).
  common::Identity owner = who;
  if (req.as_uid >= 0 || req.as_gid >= 0) {
    if (who.uid != 0 || (req.as_uid >= 0 && !owner_info)) {
      out.error = "Access/permission denied";
      return out;
    }
    if (req.as_uid >= 0) owner.uid = static_cast<uint32_t>(req.as_uid);
    if (req.as_gid >= 0) owner.gid = static_cast<uint32_t>(req.as_gid);
  }
  JobSpec s;
  if (array) {
    const auto& ix = array->indexes;
    s.array = {static_cast<uint32_t>(ix.Count()), ix.Min(), ix.Max(), ix.Step(),
               array->throttle};
  }
  s.dependency = common::FormatDependency(*dep);
  s.uid = owner.uid;
  s.gid = owner.gid;
  s.user = owner_info ? owner_info->name : std::to_string(owner.uid);
  s.group = common::GroupName(owner.gid);
  std::vector<std::string> part_names;
  for (const auto* p : parts) part_names.push_back(p->name);
  s.partition = absl::StrJoin(part_names, ",");
  s.nodelist = nodelist;
  s.exclude = exclude;
  s.constraint = req.constraint;
  s.exclusive = req.exclusive;
  s.cpus_per_gpu = req.cpus_per_gpu;
  s.nice = req.nice;
  s.contiguous = req.contiguous;
  // JobRequeue decides for jobs that say nothing, once, at submission.
  s.interactive = req.interactive;
  s.requeue = req.requeue < 0 ? (config_.job_requeue ? 1 : 0) : req.requeue;
  s.signal_num = req.signal_num;
  s.signal_secs = req.signal_secs;
  s.signal_batch = req.signal_batch;
  s.account = req.account;
  s.qos = req.qos;
  if (auto st = ApplyAssociations(s, part_names); !st.ok()) {
    out.error = std::string(st.message());
    return out;
  }
  if (auto st = ApplyQos(s); !st.ok()) {
    out.error = std::string(st.message());
    return out;
  }
  if (auto st = CheckPartitionAccess(s); !st.ok()) {
    out.error = std::string(st.message());
    return out;
  }
  s.comment = req.comment;
  s.deadline = req.deadline;
  if (!req.mail_type.empty()) {
    auto bits = ParseMailType(req.mail_type);
    if (!bits.ok()) {
      out.error = std::string(bits.status().message());
      return out;
    }
    s.mail_type = *bits;
  }
  s.mail_user = req.mail_user;
  s.time_min_min = req.time_min_min;
  s.script_args = req.script_args;
  s.fixed_priority = req.priority;
  s.name = req.name;
  s.script = req.script;
  s.work_dir = req.work_dir;
  s.std_out = req.std_out;
  s.std_err = req.std_err;
  s.std_in = req.std_in;
  s.SetEnv(req.env);
  s.hold = req.hold;
  s.append_output = req.append_output;
  s.begin_time = req.begin_time;
  s.submit_host = req.submit_host;
  s.alloc_sid = req.alloc_sid;
  s.submit_line = req.submit_line;
  s.min_nodes = std::max<uint32_t>(
      {1u, req.min_nodes, static_cast<uint32_t>(nodelist.size())});
  s.mincpus = req.mincpus;
  s.overcommit = req.overcommit;
  s.tmp_mb = req.tmp_mb;
  s.sockets_per_node = req.sockets_per_node;
  s.cores_per_socket = req.cores_per_socket;
  if (req.spread_job && req.min_nodes == 0 && req.ntasks > 1) {
    // --spread-job: one node per task, as many as the partition has.
    uint32_t usable = 0;
    for (const auto& n : part->nodes)
      if (const auto* nc = config_.FindNode(n); nc && NodeAllowed(s, *nc)) ++usable;
    s.min_nodes = std::max(s.min_nodes, std::min(req.ntasks, std::max(usable, 1u)));
  }
  s.ntasks_per_node = req.ntasks_per_node;
  s.ntasks_set = req.ntasks > 0 || req.ntasks_per_node > 0;
  s.ntasks = req.ntasks ? req.ntasks
             : req.ntasks_per_node ? req.ntasks_per_node * s.min_nodes
                                   : 1;
  s.cpus_per_task_set = req.cpus_per_task > 0;
  s.cpus_per_task = std::max<uint32_t>(1, req.cpus_per_task);
  s.mem_mb = req.mem_mb;
  if (req.time_limit_set) {
    s.time_limit_min = req.time_limit_min;
  } else if (part->default_time_min >= -1) {
    s.time_limit_min = part->default_time_min;
  } else {
    s.time_limit_min = part->max_time_min;
  }
  if (std::string e = SubmitLimits(s, req.time_limit_set, &out.notes); !e.empty()) {
    out.error = e;
    return out;
  }
  // Refused before a record exists (no ID used), as Slurm does.
  if (s.deadline && s.deadline < now) {
    out.error = "Requested time limit is invalid (missing or exceeds some limit)";
    return out;
  }
  if (s.time_min_min >= 0 && s.time_limit_min >= 0 && s.time_min_min > s.time_limit_min) {
    out.error = "Invalid time-min specification (exceeds job's time or other limits)";
    return out;
  }
  std::string err = ValidateResources(req, &s, &out.notes);
  if (err.empty() && out.notes.empty() && config_.enforce_part_limits != "NO") {
    // EnforcePartLimits: refuse now what the partition(s) would never run.
    // ALL/YES: every partition must accept it; ANY: one is enough.
    // The same limits the scheduler turns into pending reasons.
    sched::SchedJob sj;
    sj.nodes = s.min_nodes;
    sj.cpus_per_node = s.CpusPerNode();
    sj.time_limit_min = s.time_limit_min;
    int ok = 0;
    std::string why;
    for (const auto* p : parts) {
      auto r = sched::PartitionLimitReason(sj, ToSched(*p));
      if (!r) {
        ++ok;
      } else if (*r == JobReason::kPartitionTimeLimit) {
        why = "Requested time limit is invalid (missing or exceeds some limit)";
      } else if (*r == JobReason::kPartitionNodeLimit) {
        why = "Node count specification invalid";
      } else {
        why = "Requested node configuration is not available";
      }
    }
    bool any = config_.enforce_part_limits == "ANY";
    if ((any && ok == 0) || (!any && ok < static_cast<int>(parts.size()))) err = why;
  }
  if (err.empty() && out.notes.empty()) {
    // Per-CPU and per-GPU memory become a per-node request.
    if (req.mem_per_cpu_mb) s.mem_mb = req.mem_per_cpu_mb * s.CpusPerNode();
    if (req.mem_per_gpu_mb) s.mem_mb = req.mem_per_gpu_mb * s.gpus_per_node;
    s.mem_per_gpu_mb = req.mem_per_gpu_mb;
    if (req.mem_per_cpu_mb || req.mem_per_gpu_mb) err = CheckMemory(s, &out.notes);
  }
  if (!err.empty() && dry_run) {
    out.error = err;
    return out;
  }
  if (!err.empty()) {
    // As in Slurm, a request no node can satisfy is refused after the job
    // record exists: it keeps its ID and shows FAILED (BadConstraints).
    Job rejected;
    rejected.id = JobId(TakeJobId());
    rejected.spec = std::move(s);
    rejected.submit_time = rejected.end_time = now;
    rejected.state = JobState::kFailed;
    rejected.reason = JobReason::kBadConstraints;
    rejected.priority = kBasePriority - rejected.id.value();
    Persist({&AddJob(std::move(rejected))});
    out.error = err;
    return out;
  }
  if (!out.notes.empty()) return out;

  Job job;
  job.id = JobId(FreeJobId());
  job.spec = std::move(s);
  job.submit_time = now;
  job.eligible_time = std::max(now, job.spec.begin_time);
  job.priority = job.spec.hold ? 0 : BasePriority(job);
  job.reason = job.spec.hold ? JobReason::kJobHeldUser : JobReason::kNone;
  if (array) {
    job.array_job_id = job.id.value();
    job.array_pending = std::move(array->indexes);
  }
  next_job_id_ = job.id.value() >= config_.max_job_id ? config_.first_job_id : job.id.value() + 1;
  out.id = job.id;
  unsynced_.insert(job.id.value());
  AddJob(std::move(job));
  submitted_since_pass_ = true;
  return out;
}

// Whether a pass could start one of the jobs submitted since the last:
// false only over a deep queue when no node that takes jobs has a CPU free
// and nothing can be preempted (OverSubscribe=YES/FORCE is treated as NO,
// so a job never shares a CPU).
bool Controller::NewJobsMayStart() const {
  if (jobs_.size() < kDeepQueueJobs) return true;
  if (config_.preempt_type != "preempt/none") return true;
  for (const auto& n : nodes_)
    if (n.Schedulable() && n.alloc_cpus < n.conf.cpus) return true;
  return false;
}

uint64_t Controller::FreeJobId() const {
  uint64_t id = next_job_id_;
  for (size_t tries = 0; jobs_.count(id) && tries <= jobs_.size(); ++tries)
    id = id >= config_.max_job_id ? config_.first_job_id : id + 1;
  return id;
}

uint64_t Controller::TakeJobId() {
  uint64_t id = FreeJobId();
  next_job_id_ = id >= config_.max_job_id ? config_.first_job_id : id + 1;
  return id;
}

uint64_t Controller::BasePriority(const Job& job) const {
  if (job.spec.fixed_priority) return job.spec.fixed_priority;
  // priority/basic: first come, first served, shifted by --nice. The
  // multifactor plugin recomputes this on every pass.
  int64_t p = static_cast<int64_t>(kBasePriority - job.id.value()) - job.spec.nice;
  return p < 1 ? 1 : static_cast<uint64_t>(p);
}

absl::Status Controller::Sync() {
  if (unsynced_.empty()) return absl::OkStatus();
  std::vector<const Job*> batch;
  for (uint64_t id : unsynced_)
    if (const Job* j = FindJob(JobId(id))) batch.push_back(j);
  absl::Status st = store_->Save(batch, next_job_id_);
  store_result_ = st;
  if (!st.ok()) {
    // Nobody was told these jobs exist: forget them (their IDs stay used).
    // An interactive job that already started is its srun's; the tick
    // writes it again.
    for (uint64_t id : unsynced_) {
      Job* j = FindJob(JobId(id));
      if (j && j->state == JobState::kPending)
        EraseJob(id);
      else if (j)
        dirty_.insert(id);
    }
  } else {
    ReleaseBodies(batch);
    for (const Job* j : batch)
      if (!j->spec.interactive) submitted_since_pass_ = true;  // a submission may start now
  }
  unsynced_.clear();
  return st;
}

}  // namespace sluice::ctld
