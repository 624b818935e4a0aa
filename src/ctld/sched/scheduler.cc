#include "ctld/sched/scheduler.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <optional>
#include <queue>

#include "ctld/sched/timeline.h"

namespace sluice::sched {
namespace {

// Free GPU indices of a node usable by a job asking for `type`.
std::vector<uint32_t> FreeGpus(const SchedNode& n, const std::string& type,
                               uint32_t want) {
  std::vector<uint32_t> out;
  if (!type.empty() && type != n.gpu_type) return out;
  for (uint32_t i = 0; i < n.gpu_free.size() && out.size() < want; ++i)
    if (n.gpu_free[i]) out.push_back(i);
  return out;
}

uint32_t CountFree(const std::vector<bool>& v) {
  return static_cast<uint32_t>(std::count(v.begin(), v.end(), true));
}

int64_t Duration(const SchedJob& j) {
  return j.time_limit_min < 0 ? kForever : j.time_limit_min * 60;
}

int64_t RoundUp(int64_t t, int64_t now, int64_t res) {
  if (res <= 1 || t <= now) return t;
  return now + ((t - now + res - 1) / res) * res;
}

// The static reason a job can never run in its partition, if any.
std::optional<JobReason> Unrunnable(const SchedJob& j, const SchedPartition& p) {
  if (j.held) return j.admin_held ? JobReason::kJobHeldAdmin : JobReason::kJobHeldUser;
  if (j.wait_reason != JobReason::kNone) return j.wait_reason;
  if (!p.up) return JobReason::kPartitionDown;
  if (p.max_time_min >= 0 && j.time_limit_min != -2 &&
      (j.time_limit_min < 0 || j.time_limit_min > p.max_time_min))
    return JobReason::kPartitionTimeLimit;
  if (j.nodes > p.nodes.size()) return JobReason::kPartitionConfig;
  if (p.max_nodes && j.nodes > p.max_nodes) return JobReason::kPartitionNodeLimit;
  return std::nullopt;
}

// Jobs of one shape (same partition, nodes, request and duration) share a
// heap of the partition's nodes keyed by the earliest time each could take
// such a job. Bookings only ever take resources away, so a node's earliest
// time can only grow: a popped entry whose node was booked since is
// recomputed and pushed back (lazy update), and the first entry that is
// still current is the true earliest. This keeps a pass over 100k jobs near
// linear instead of jobs x nodes.
struct ShapeKey {
  int partition;
  uint32_t nodes, cpus;
  uint64_t mem;
  uint32_t gpus;
  std::string gpu_type;
  int64_t duration;
  auto operator<=>(const ShapeKey&) const = default;
};

struct Entry {
  int64_t time;
  int node;
  uint64_t version;
  bool operator>(const Entry& o) const {
    return time != o.time ? time > o.time : node > o.node;
  }
};
using Heap = std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>>;

class Pass {
 public:
  Pass(const SchedulerInput& in, const SchedulerConfig& cfg)
      : in_(in), cfg_(cfg), nodes_(in.nodes), version_(in.nodes.size(), 0) {
    timeline_.reserve(nodes_.size());
    std::map<std::string, int> index;
    for (size_t i = 0; i < nodes_.size(); ++i) {
      const SchedNode& n = nodes_[i];
      timeline_.emplace_back(in.now, Amount{n.cpus_free,
                                            static_cast<int64_t>(n.mem_free_mb),
                                            CountFree(n.gpu_free)});
      index[n.name] = static_cast<int>(i);
    }
    for (const auto& r : in.running)
      for (const auto& a : r.alloc)
        if (auto it = index.find(a.node); it != index.end())
          timeline_[it->second].Release(
              r.end_time, Amount{a.cpus, static_cast<int64_t>(a.mem_mb),
                                 static_cast<int64_t>(a.gpus.size())});
  }

  // The earliest (time, nodes) for `j` within the window; empty if none.
  std::pair<int64_t, std::vector<int>> Find(const SchedJob& j) {
    const ShapeKey key{j.partition, j.nodes, j.cpus_per_node, j.mem_per_node_mb,
                       j.gpus_per_node, j.gpu_type, Duration(j)};
    Heap& heap = HeapFor(key, j);
    const Amount want = WantOf(j);
    const int64_t horizon = in_.now + cfg_.bf_window_s;
    std::vector<Entry> popped;
    std::vector<int> picked;
    int64_t when = kForever;
    int distinct_times = 0;
    while (!heap.empty()) {
      Entry e = heap.top();
      heap.pop();
      if (e.version != version_[e.node]) {
        e.time = timeline_[e.node].EarliestFit(in_.now, key.duration, want);
        e.version = version_[e.node];
        if (e.time < kForever) heap.push(e);
        continue;
      }
      if (e.time > horizon) {
        heap.push(e);
        break;
      }
      if (j.nodes == 1) {
        popped.push_back(e);
        if (e.time > in_.now || FitsNowWithGpus(e.node, j)) {
          when = e.time;
          picked = {e.node};
          break;
        }
        continue;  // GPU indices fragmented differently than counts: skip
      }
      // Several nodes: at each new candidate time, count the nodes seen so
      // far that fit from then on.
      popped.push_back(e);
      bool last_at_time = heap.empty() || heap.top().time != e.time ||
                          heap.top().version != version_[heap.top().node];
      if (!last_at_time) continue;
      if (++distinct_times > kMaxMultiNodeTimes) break;
      picked.clear();
      std::vector<int> candidates;
      for (const Entry& p : popped) candidates.push_back(p.node);
      std::sort(candidates.begin(), candidates.end());
      for (int ni : candidates) {
        if (!timeline_[ni].Fits(e.time, key.duration, want)) continue;
        if (e.time == in_.now && !FitsNowWithGpus(ni, j)) continue;
        picked.push_back(ni);
        if (picked.size() == j.nodes) break;
      }
      if (picked.size() == j.nodes) {
        when = e.time;
        break;
      }
    }
    // The picked nodes go back with their new time after Book(); the rest
    // as they were.
    for (const Entry& p : popped)
      if (when >= kForever ||
          std::find(picked.begin(), picked.end(), p.node) == picked.end())
        heap.push(p);
    last_heap_ = &heap;
    if (when >= kForever) return {kForever, {}};
    return {when, picked};
  }

  // Takes the resources; for a start now also picks concrete GPUs.
  std::vector<NodeAllocation> Book(const SchedJob& j, int64_t when,
                                   const std::vector<int>& picked) {
    std::vector<NodeAllocation> out;
    for (int ni : picked) {
      timeline_[ni].Book(when, Duration(j), WantOf(j));
      ++version_[ni];
      NodeAllocation a{nodes_[ni].name, j.cpus_per_node, j.mem_per_node_mb, {}};
      if (when == in_.now) {
        a.gpus = FreeGpus(nodes_[ni], j.gpu_type, j.gpus_per_node);
        for (uint32_t g : a.gpus) nodes_[ni].gpu_free[g] = false;
      }
      out.push_back(std::move(a));
    }
    // Requeue the booked nodes in the heap of this job's shape right away
    // (saves a stale pop per job; other shapes refresh lazily).
    for (int ni : picked) {
      int64_t t = timeline_[ni].EarliestFit(in_.now, Duration(j), WantOf(j));
      if (t < kForever && last_heap_) last_heap_->push({t, ni, version_[ni]});
    }
    return out;
  }

 private:
  static constexpr int kMaxMultiNodeTimes = 256;

  static Amount WantOf(const SchedJob& j) {
    return Amount{j.cpus_per_node, static_cast<int64_t>(j.mem_per_node_mb),
                  j.gpus_per_node};
  }

  bool FitsNowWithGpus(int ni, const SchedJob& j) const {
    return FreeGpus(nodes_[ni], j.gpu_type, j.gpus_per_node).size() >=
           j.gpus_per_node;
  }

  Heap& HeapFor(const ShapeKey& key, const SchedJob& j) {
    auto it = heaps_.find(key);
    if (it != heaps_.end()) return it->second;
    Heap& heap = heaps_[key];
    const Amount want = WantOf(j);
    for (int ni : in_.partitions[key.partition].nodes) {
      const SchedNode& n = nodes_[ni];
      if (!n.available) continue;
      if (j.gpus_per_node && !j.gpu_type.empty() && j.gpu_type != n.gpu_type)
        continue;
      int64_t t = timeline_[ni].EarliestFit(in_.now, key.duration, want);
      if (t < kForever) heap.push({t, ni, version_[ni]});
    }
    return heap;
  }

  const SchedulerInput& in_;
  const SchedulerConfig& cfg_;
  std::vector<SchedNode> nodes_;  // GPU identities, consumed by starts
  std::vector<NodeTimeline> timeline_;
  std::vector<uint64_t> version_;  // bumped on every booking of the node
  std::map<ShapeKey, Heap> heaps_;
  Heap* last_heap_ = nullptr;  // the heap of the job last passed to Find
};

}  // namespace

SchedulePlan Schedule(const SchedulerInput& input,
                      const SchedulerConfig& config) {
  SchedulePlan plan;
  Pass pass(input, config);
  std::vector<const SchedJob*> order;
  order.reserve(input.pending.size());
  for (const auto& j : input.pending) order.push_back(&j);
  std::stable_sort(order.begin(), order.end(),
                   [](const SchedJob* a, const SchedJob* b) {
                     if (a->priority != b->priority)
                       return a->priority > b->priority;
                     return a->id < b->id;
                   });
  std::vector<bool> partition_blocked(input.partitions.size(), false);
  size_t tested = 0;

  for (const SchedJob* j : order) {
    const SchedPartition& p = input.partitions[j->partition];
    if (auto r = Unrunnable(*j, p)) {
      plan.reasons.emplace_back(j->id, *r);
      continue;
    }
    auto blocked = [&] {
      plan.reasons.emplace_back(j->id, partition_blocked[j->partition]
                                           ? JobReason::kPriority
                                           : JobReason::kResources);
      partition_blocked[j->partition] = true;
    };
    if ((!config.backfill && partition_blocked[j->partition]) ||
        tested++ >= config.bf_max_job_test) {
      blocked();
      continue;
    }
    auto [when, picked] = pass.Find(*j);
    if (picked.empty()) {
      blocked();
      continue;
    }
    if (when == input.now) {
      plan.starts.push_back({j->id, pass.Book(*j, when, picked)});
      continue;
    }
    Reservation res{j->id, RoundUp(when, input.now, config.bf_resolution_s), {}};
    for (const auto& a : pass.Book(*j, when, picked)) res.nodes.push_back(a.node);
    plan.reservations.push_back(std::move(res));
    blocked();
  }
  return plan;
}

}  // namespace sluice::sched

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace sluice::sched {

absl::StatusOr<SchedulerConfig> ParseSchedulerParameters(absl::string_view s) {
  SchedulerConfig c;
  for (absl::string_view item : absl::StrSplit(s, ',', absl::SkipEmpty())) {
    absl::string_view key = item.substr(0, item.find('='));
    absl::string_view val =
        item.find('=') == absl::string_view::npos ? "" : item.substr(item.find('=') + 1);
    int64_t v = 0;
    bool numeric = key == "bf_window" || key == "bf_resolution" ||
                   key == "bf_max_job_test";
    if (numeric && (!absl::SimpleAtoi(val, &v) || v <= 0))
      return absl::InvalidArgumentError(
          absl::StrCat("SchedulerParameters: invalid value for ", key, ": ", val));
    if (key == "bf_window") c.bf_window_s = v * 60;
    if (key == "bf_resolution") c.bf_resolution_s = v;
    if (key == "bf_max_job_test") c.bf_max_job_test = static_cast<size_t>(v);
  }
  return c;
}

}  // namespace sluice::sched
