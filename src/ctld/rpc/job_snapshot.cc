#include "ctld/rpc/job_snapshot.h"

#include <algorithm>
#include <map>
#include <string_view>

#include <google/protobuf/arena.h>

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

bool Matches(const JobKeys& j, const v1::QueryJobsRequest& r) {
  if (r.active_only() && common::IsFinished(static_cast<common::JobState>(j.state)))
    return false;
  if (r.user_ids_size() &&
      std::find(r.user_ids().begin(), r.user_ids().end(), j.user_id) == r.user_ids().end())
    return false;
  if (r.states_size()) {
    int shown = j.completing ? v1::JOB_STATE_COMPLETING : j.state;
    if (std::find(r.states().begin(), r.states().end(), shown) == r.states().end()) return false;
  }
  if (r.partitions_size() &&
      std::find(r.partitions().begin(), r.partitions().end(), j.partition) ==
          r.partitions().end())
    return false;
  if (r.names_size() &&
      std::find(r.names().begin(), r.names().end(), j.name) == r.names().end())
    return false;
  return true;
}

}  // namespace

JobKeys JobKeys::Of(const v1::JobInfo& j) {
  JobKeys k;
  k.id = j.job_id();
  k.array_job_id = j.array_job_id();
  k.user_id = j.user_id();
  k.state = j.state();
  k.completing = j.completing();
  k.partition = j.partition();
  k.name = j.name();
  return k;
}

size_t JobSnapshot::Find(uint64_t id) const {
  auto it = std::lower_bound(jobs.begin(), jobs.end(), id,
                             [](const auto& e, uint64_t v) { return e->keys.id < v; });
  return it != jobs.end() && (*it)->keys.id == id ? it - jobs.begin() : jobs.size();
}

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
    auto now = std::chrono::steady_clock::now();
    if (building_) {
      cv_.wait(l);  // another reader is making one: it may be new enough
    } else if (auto credit = Credit(now); credit < credit.zero()) {
      cv_.wait_until(l, now - 9 * credit);  // the strand's share is spent for now
    } else {
      // (The copy's own time earns nothing: credit_at_ moves past it.)
      credit_ = credit;
      break;
    }
  }
  building_ = true;
  // The last copy is the base of the new one: its entries for jobs that
  // did not change are shared, not made again. (Readers still using it
  // keep it; it is let go once the new one is published.)
  std::shared_ptr<const JobSnapshot> base = current_;
  l.unlock();
  auto snap = std::make_shared<JobSnapshot>();
  // The jobs converted now, to be encoded once the strand goes on.
  google::protobuf::Arena arena;
  std::vector<std::pair<JobEntry*, v1::JobInfo*>> fresh;
  std::chrono::steady_clock::duration on_strand{};
  // On this thread while the strand waits: the copy's allocations and
  // cache traffic stay off the strand's core (core_runner.h).
  runner_->RunReadHere([&](const Controller& c, int64_t now) {
    auto began = std::chrono::steady_clock::now();
    // The strand is parked: every event before this point is in the copy.
    snap->generation = runner_->Generation();
    snap->now = now;
    snap->cluster = c.config().cluster_name;
    snap->private_jobs = c.config().PrivateData("jobs");
    snap->jobs.reserve(c.jobs().size());
    const bool reuse = base && base->cluster == snap->cluster;
    // A pending job naming no memory is shown asking for a whole node's.
    auto node_mem = PartitionNodeMem(c.config());
    size_t b = 0;  // the base's entries, walked alongside (both by ID)
    // The walk is bound by memory, not by the digest's arithmetic: each
    // job is a map node of ~1.5 KB that is rarely in cache. Asking for the
    // jobs a few nodes ahead while this one is digested overlaps those
    // misses (36 against 60 ms for 100,000 jobs in a microbenchmark).
    auto ahead = c.jobs().begin();
    for (int k = 0; k < 4 && ahead != c.jobs().end(); ++k) ++ahead;
    for (const auto& [id, j] : c.jobs()) {
      if (ahead != c.jobs().end()) {
        const char* at = reinterpret_cast<const char*>(&ahead->second);
        for (size_t o = 0; o < sizeof(Job); o += 64) __builtin_prefetch(at + o);
        ++ahead;
      }
      uint64_t mem = NodeMemOf(node_mem, j.spec);
      uint64_t digest = ShownDigest(j, mem);
      if (reuse) {
        while (b < base->jobs.size() && base->jobs[b]->keys.id < id) ++b;
        if (b < base->jobs.size() && base->jobs[b]->keys.id == id &&
            base->jobs[b]->digest == digest) {
          snap->jobs.push_back(base->jobs[b]);
          continue;
        }
      }
      auto entry = std::make_shared<JobEntry>();
      entry->digest = digest;
      auto* info = google::protobuf::Arena::CreateMessage<v1::JobInfo>(&arena);
      ToProto(j, info, mem, c.config().cluster_name);
      fresh.emplace_back(entry.get(), info);
      snap->jobs.push_back(std::move(entry));
    }
    on_strand = std::chrono::steady_clock::now() - began;
  });
  for (auto& [entry, info] : fresh) {
    entry->keys = JobKeys::Of(*info);
    info->SerializeToString(&entry->wire);
    BriefJobInfo(*info).SerializeToString(&entry->brief);
  }
  base.reset();
  l.lock();
  current_ = std::move(snap);
  credit_ -= on_strand;
  credit_at_ = std::chrono::steady_clock::now();
  last_strand_time_ = on_strand;
  total_strand_time_ += on_strand;
  last_converted_ = fresh.size();
  total_converted_ += fresh.size();
  ++builds_;
  building_ = false;
  cv_.notify_all();
  return current_;
}

std::chrono::steady_clock::duration JobSnapshots::Credit(
    std::chrono::steady_clock::time_point now) const {
  return std::min(burst_, credit_ + (now - credit_at_) / 9);
}

std::chrono::steady_clock::duration JobSnapshots::WaitBeforeNextCopy() const {
  std::lock_guard<std::mutex> l(mu_);
  auto credit = Credit(std::chrono::steady_clock::now());
  return credit < credit.zero() ? -9 * credit : credit.zero();
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

size_t JobSnapshots::last_converted() const {
  std::lock_guard<std::mutex> l(mu_);
  return last_converted_;
}

uint64_t JobSnapshots::total_converted() const {
  std::lock_guard<std::mutex> l(mu_);
  return total_converted_;
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

}  // namespace

void AnswerQueryJobs(const JobSnapshot& snap, const v1::QueryJobsRequest& req,
                     v1::QueryJobsWire* rep, std::optional<uint32_t> only_uid) {
  rep->set_now(snap.now);
  const bool brief = req.brief();
  auto add = [&](const JobEntry& e, std::string* out) {
    if (!only_uid || e.keys.user_id == *only_uid) Append(brief ? e.brief : e.wire, out);
  };
  std::string* out = rep->mutable_listed();
  if (req.job_ids_size() == 0) {
    for (const auto& e : snap.jobs)
      if (Matches(e->keys, req)) add(*e, out);
    return;
  }
  bool found = false;
  for (uint64_t id : req.job_ids()) {
    size_t at = snap.Find(id);
    if (at == snap.jobs.size() || (only_uid && snap.jobs[at]->keys.user_id != *only_uid))
      continue;
    found = true;
    const JobEntry& first = *snap.jobs[at];
    if (first.keys.array_job_id != id) {  // not an array's own record: itself
      if (Matches(first.keys, req)) add(first, out);
      continue;
    }
    // Split-off tasks have IDs after the array's own.
    for (size_t i = at; i < snap.jobs.size(); ++i)
      if (snap.jobs[i]->keys.array_job_id == id && Matches(snap.jobs[i]->keys, req))
        add(*snap.jobs[i], out);
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
    if (!Matches(JobKeys::Of(info), req)) continue;
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
