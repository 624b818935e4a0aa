#include "ctld/rpc/job_snapshot.h"

#include <algorithm>
#include <map>
#include <string_view>

#include "common/job_types.h"
#include "ctld/rpc/convert.h"

namespace sluice::ctld::rpc {

namespace v1 = ::sluice::v1;

namespace {

// The memory a pending job naming none is shown asking for: the largest
// node's of its (first) partition, from PartitionNodeMem.
uint64_t NodeMemOf(const std::map<std::string, uint64_t, std::less<>>& node_mem,
                   const JobSpec& s) {
  auto mem = node_mem.find(std::string_view(s.partition).substr(0, s.partition.find(',')));
  return mem == node_mem.end() ? 0 : mem->second;
}

}  // namespace

bool JobSnapshots::DropIfUnread(std::chrono::steady_clock::duration idle) {
  std::lock_guard<std::mutex> l(mu_);
  if (!current_ || building_ || std::chrono::steady_clock::now() - last_read_ < idle)
    return false;
  current_.reset();  // (a reader still holding it keeps it until done)
  return true;
}

std::shared_ptr<const JobSnapshot> JobSnapshots::Get() {
  uint64_t wanted = runner_->Generation();
  std::unique_lock<std::mutex> l(mu_);
  last_read_ = std::chrono::steady_clock::now();
  for (;;) {
    if (current_ && current_->generation >= wanted) return current_;
    if (building_) {
      cv_.wait(l);  // another reader is making one: it may be new enough
    } else if (std::chrono::steady_clock::now() < next_build_) {
      cv_.wait_until(l, next_build_);  // the strand's share is spent for now
    } else {
      break;
    }
  }
  building_ = true;
  // The old copy is of no use to any reader from now on (each wants a
  // newer one): let it go before the new one is made, so its memory is
  // reused instead of two copies standing at once (readers still using
  // it keep it until they finish).
  std::shared_ptr<const JobSnapshot> old = std::move(current_);
  l.unlock();
  old.reset();
  auto snap = std::make_shared<JobSnapshot>();
  std::chrono::steady_clock::duration on_strand{};
  // On this thread while the strand waits: the copy's allocations and
  // cache traffic stay off the strand's core (core_runner.h).
  runner_->RunReadHere([&](const Controller& c, int64_t now) {
    auto began = std::chrono::steady_clock::now();
    // The strand is parked: every event before this point is in the copy.
    snap->generation = runner_->Generation();
    snap->now = now;
    snap->private_jobs = c.config().PrivateData("jobs");
    snap->jobs.reserve(c.jobs().size());
    snap->index.reserve(c.jobs().size());
    // A pending job naming no memory is shown asking for a whole node's.
    auto node_mem = PartitionNodeMem(c.config());
    size_t i = 0;
    for (const auto& [id, j] : c.jobs()) {
      auto* info = google::protobuf::Arena::CreateMessage<v1::JobInfo>(&snap->arena);
      ToProto(j, info, NodeMemOf(node_mem, j.spec), c.config().cluster_name);
      snap->jobs.push_back(info);
      snap->index.emplace(id, i++);
    }
    on_strand = std::chrono::steady_clock::now() - began;
  });
  snap->wire.resize(snap->jobs.size());
  for (size_t i = 0; i < snap->jobs.size(); ++i) snap->jobs[i]->SerializeToString(&snap->wire[i]);
  l.lock();
  current_ = std::move(snap);
  next_build_ = std::chrono::steady_clock::now() + 9 * on_strand;
  last_strand_time_ = on_strand;
  total_strand_time_ += on_strand;
  ++builds_;
  building_ = false;
  cv_.notify_all();
  return current_;
}

std::shared_ptr<const JobSnapshot> JobSnapshots::Current() {
  uint64_t wanted = runner_->Generation();
  std::lock_guard<std::mutex> l(mu_);
  if (!current_ || current_->generation < wanted) return nullptr;
  last_read_ = std::chrono::steady_clock::now();
  return current_;
}

std::chrono::steady_clock::duration JobSnapshots::last_strand_time() const {
  std::lock_guard<std::mutex> l(mu_);
  return last_strand_time_;
}

std::chrono::steady_clock::duration JobSnapshots::total_strand_time() const {
  std::lock_guard<std::mutex> l(mu_);
  return total_strand_time_;
}

uint64_t JobSnapshots::builds() const {
  std::lock_guard<std::mutex> l(mu_);
  return builds_;
}

namespace {

// squeue's default listing ("%.18i %.9P %.8j %.8u %.2t %.10M %.6D %R"), its
// default sort and every filter it applies itself read these alone.
v1::JobInfo BriefJobInfo(const v1::JobInfo& j) {
  v1::JobInfo b;
  b.set_job_id(j.job_id());
  b.set_name(j.name());
  b.set_user_id(j.user_id());
  b.set_user_name(j.user_name());
  b.set_partition(j.partition());
  b.set_state(j.state());
  b.set_reason(j.reason());
  b.set_submit_time(j.submit_time());
  b.set_start_time(j.start_time());
  b.set_end_time(j.end_time());
  b.set_num_nodes(j.num_nodes());
  b.set_node_list(j.node_list());
  b.set_priority(j.priority());
  b.set_completing(j.completing());
  b.set_account(j.account());
  b.set_array_job_id(j.array_job_id());
  b.set_array_task_id(j.array_task_id());
  b.set_array_pending(j.array_pending());
  b.set_array_throttle(j.array_throttle());
  b.set_interactive(j.interactive());
  b.set_suspend_time(j.suspend_time());
  b.set_suspended_secs(j.suspended_secs());
  return b;
}

bool Matches(const v1::JobInfo& j, const v1::QueryJobsRequest& r) {
  if (r.active_only() && common::IsFinished(static_cast<common::JobState>(j.state())))
    return false;
  if (r.user_ids_size() &&
      std::find(r.user_ids().begin(), r.user_ids().end(), j.user_id()) == r.user_ids().end())
    return false;
  if (r.states_size()) {
    int shown = j.completing() ? v1::JOB_STATE_COMPLETING : j.state();
    if (std::find(r.states().begin(), r.states().end(), shown) == r.states().end()) return false;
  }
  if (r.partitions_size() &&
      std::find(r.partitions().begin(), r.partitions().end(), j.partition()) ==
          r.partitions().end())
    return false;
  if (r.names_size() &&
      std::find(r.names().begin(), r.names().end(), j.name()) == r.names().end())
    return false;
  return true;
}

}  // namespace

const std::vector<std::string>& JobSnapshot::Brief() const {
  std::call_once(brief_once_, [&] {
    brief_.resize(jobs.size());
    for (size_t i = 0; i < jobs.size(); ++i) BriefJobInfo(*jobs[i]).SerializeToString(&brief_[i]);
  });
  return brief_;
}

namespace {

// A job goes into the reply as the bytes it was encoded to once.
// One entry of JobInfoList.jobs (field 1, length-delimited): its tag, the
// length as a varint, the encoded JobInfo.
void Append(const std::string& job, std::string* out) {
  out->push_back(static_cast<char>((1 << 3) | 2));
  for (uint64_t n = job.size(); ; n >>= 7) {
    if (n < 0x80) {
      out->push_back(static_cast<char>(n));
      break;
    }
    out->push_back(static_cast<char>((n & 0x7f) | 0x80));
  }
  out->append(job);
}

void AddJob(const JobSnapshot& snap, size_t i, std::string* out) { Append(snap.wire[i], out); }

void AddBrief(const JobSnapshot& snap, size_t i, std::string* out) {
  Append(snap.Brief()[i], out);
}

}  // namespace

void AnswerQueryJobs(const JobSnapshot& snap, const v1::QueryJobsRequest& req,
                     v1::QueryJobsWire* rep, std::optional<uint32_t> only_uid) {
  rep->set_now(snap.now);
  auto plain = req.brief() ? AddBrief : AddJob;
  auto add = [&](const JobSnapshot& s, size_t i, std::string* out) {
    if (!only_uid || s.jobs[i]->user_id() == *only_uid) plain(s, i, out);
  };
  std::string* out = rep->mutable_listed();
  if (req.job_ids_size() == 0) {
    for (size_t i = 0; i < snap.jobs.size(); ++i)
      if (Matches(*snap.jobs[i], req)) add(snap, i, out);
    return;
  }
  bool found = false;
  for (uint64_t id : req.job_ids()) {
    auto it = snap.index.find(id);
    if (it == snap.index.end() || (only_uid && snap.jobs[it->second]->user_id() != *only_uid))
      continue;
    found = true;
    const v1::JobInfo& first = *snap.jobs[it->second];
    if (first.array_job_id() != id) {  // not an array's own record: itself
      if (Matches(first, req)) add(snap, it->second, out);
      continue;
    }
    // Split-off tasks have IDs after the array's own.
    for (size_t i = it->second; i < snap.jobs.size(); ++i)
      if (snap.jobs[i]->array_job_id() == id && Matches(*snap.jobs[i], req)) add(snap, i, out);
  }
  // An unknown ID is an error; a known one the filters leave out is not.
  if (req.job_ids_size() == 1 && !found) rep->set_error("Invalid job id specified");
}

bool AnswerNarrowRead(const Controller& c, int64_t now, const v1::QueryJobsRequest& req,
                      v1::QueryJobsWire* rep, std::optional<uint32_t> only_uid,
                      size_t max_jobs) {
  if (req.job_ids_size() == 0 && req.user_ids_size() == 0) return false;
  // (A request naming more IDs than that is not narrow either: the strand
  // would look each one up.)
  if (static_cast<size_t>(req.job_ids_size()) + req.user_ids_size() > max_jobs) return false;
  const auto& jobs = c.jobs();
  // The jobs to look at, in the order the copy's answer lists them.
  std::vector<const Job*> look;
  bool unknown_id = false;
  if (req.job_ids_size()) {
    bool found = false;
    for (uint64_t id : req.job_ids()) {
      auto it = jobs.find(id);
      if (it == jobs.end() || (only_uid && it->second.spec.uid != *only_uid)) continue;
      found = true;
      if (it->second.array_job_id != id) {  // not an array's own record: itself
        look.push_back(&it->second);
      } else {
        for (uint64_t m : c.job_index().OfArray(id))
          if (m >= id) look.push_back(&jobs.at(m));  // (the copy lists those after it)
      }
      if (look.size() > max_jobs) return false;
    }
    unknown_id = req.job_ids_size() == 1 && !found;
  } else {
    std::vector<uint64_t> ids;
    for (uint32_t uid : req.user_ids()) {
      const auto& own = c.job_index().OfUser(uid);
      if (ids.size() + own.size() > max_jobs) return false;
      ids.insert(ids.end(), own.begin(), own.end());
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    for (uint64_t id : ids) look.push_back(&jobs.at(id));
  }
  rep->set_now(now);
  std::string* out = rep->mutable_listed();
  const auto node_mem = PartitionNodeMem(c.config());
  v1::JobInfo info;
  std::string bytes;
  for (const Job* j : look) {
    if (only_uid && j->spec.uid != *only_uid) continue;
    info.Clear();
    ToProto(*j, &info, NodeMemOf(node_mem, j->spec), c.config().cluster_name);
    if (!Matches(info, req)) continue;
    if (req.brief())
      BriefJobInfo(info).SerializeToString(&bytes);
    else
      info.SerializeToString(&bytes);
    Append(bytes, out);
  }
  if (unknown_id) rep->set_error("Invalid job id specified");
  return true;
}

}  // namespace sluice::ctld::rpc
