#include "ctld/sched/scheduler.h"

#include "ctld/sched/limits.h"
#include "ctld/sched/preempt.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <optional>

#include "ctld/sched/node_heap.h"
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

// Down to a multiple of `res` seconds since the epoch, as Slurm's backfill
// aligns its times to bf_resolution; the exact time once that would be
// `now` or earlier. Aligned to the epoch, not to `now`, an estimate stays
// put from one pass to the next while nothing changes (readers are not
// sent a new one every pass).
int64_t ToResolution(int64_t t, int64_t now, int64_t res) {
  if (res <= 1 || t <= now) return t;
  const int64_t aligned = (t / res) * res;
  return aligned > now ? aligned : t;
}

// The static reason a job can never run in its partition, if any.
std::optional<JobReason> Unrunnable(const SchedJob& j, const SchedPartition& p) {
  if (j.held) return j.admin_held ? JobReason::kJobHeldAdmin : JobReason::kJobHeldUser;
  if (j.wait_reason != JobReason::kNone) return j.wait_reason;
  if (p.inactive) return JobReason::kPartitionInactive;
  if (!p.up) return JobReason::kPartitionDown;
  return PartitionLimitReason(j, p);
}

}  // namespace

std::optional<JobReason> PartitionLimitReason(const SchedJob& j,
                                              const SchedPartition& p) {
  if (p.max_time_min >= 0 && j.time_limit_min != -2 &&
      (j.time_limit_min < 0 || j.time_limit_min > p.max_time_min))
    return JobReason::kPartitionTimeLimit;
  if (j.nodes > p.nodes.size()) return JobReason::kPartitionConfig;
  if ((p.max_nodes && j.nodes > p.max_nodes) || j.nodes < p.min_nodes)
    return JobReason::kPartitionNodeLimit;
  if (p.max_cpus_per_node && j.cpus_per_node > p.max_cpus_per_node)
    return JobReason::kPartitionConfig;
  return std::nullopt;
}

namespace {

// Jobs of one shape (same partition, nodes, request and duration) share a
// heap of the partition's nodes keyed by the earliest time each could take
// such a job. Bookings only ever take resources away, so a node's earliest
// time can only grow: a top entry whose node was booked since is
// recomputed and refreshed in place (lazy update, NodeHeap::ReplaceTop),
// and the first entry that is still current is the true earliest. This
// keeps a pass over 100k jobs near linear instead of jobs x nodes.
struct ShapeKey {
  int partition;
  uint32_t nodes, cpus;
  uint64_t mem;
  uint32_t gpus;
  std::string gpu_type;
  int64_t duration;
  bool exclusive;
  std::string filter;
  auto operator<=>(const ShapeKey&) const = default;
};

using Entry = NodeHeapEntry;
using Heap = NodeHeap;

struct Found {
  int64_t when = kForever;
  std::vector<int> picked;
  int partition = 0;
};

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

  // The earliest (time, nodes) for `j` in `partition` within the window;
  // picked is empty if none. Leaves every heap as it found it except for
  // the picked nodes, which Book() requeues.
  // `windowed` false: however far ahead (an estimate; nothing is booked).
  Found Find(const SchedJob& j, int partition, bool windowed = true) {
    const ShapeKey key{partition, j.nodes, j.cpus_per_node, j.mem_per_node_mb,
                       j.gpus_per_node, j.gpu_type, Duration(j), j.exclusive,
                       j.filter_key + (j.contiguous ? "|contiguous" : "")};
    Heap& heap = HeapFor(key, j);
    const int64_t horizon = windowed ? in_.now + cfg_.bf_window_s : kForever;
    std::vector<Entry> popped;
    std::vector<int> picked;
    int64_t when = kForever;
    int distinct_times = 0;
    while (!heap.empty()) {
      Entry e = heap.top();
      if (e.version != version_[e.node]) {  // booked since: refreshed in place
        e.time = timeline_[e.node].EarliestFit(in_.now, key.duration, WantOf(j, e.node));
        e.version = version_[e.node];
        if (e.time < kForever) heap.ReplaceTop(e);
        else heap.pop();
        continue;
      }
      if (e.time > horizon) break;
      heap.pop();
      if (j.nodes == 1) {
        popped.push_back(e);
        if (e.time > in_.now ||
            (FitsNowWithGpus(e.node, j) && UserCompatible(e.node, j, partition))) {
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
        if (!timeline_[ni].Fits(e.time, key.duration, WantOf(j, ni))) continue;
        if (e.time == in_.now &&
            (!FitsNowWithGpus(ni, j) || !UserCompatible(ni, j, partition)))
          continue;
        // --contiguous: only an unbroken run of node indices will do.
        if (j.contiguous && !picked.empty() && picked.back() != ni - 1)
          picked.clear();
        picked.push_back(ni);
        if (picked.size() == j.nodes) break;
      }
      if (picked.size() == j.nodes) {
        when = e.time;
        break;
      }
    }
    // Everything goes back as it was; Book() refreshes the picked nodes.
    for (const Entry& p : popped) heap.push(p);
    if (when >= kForever) return Found{kForever, {}, partition};
    return Found{when, picked, partition};
  }

  // Takes the resources; for a start now also picks concrete GPUs.
  std::vector<NodeAllocation> Book(const SchedJob& j, const Found& f) {
    std::vector<NodeAllocation> out;
    const int64_t when = f.when;
    for (size_t k = 0; k < f.picked.size(); ++k) {
      const int ni = f.picked[k];
      Amount want = WantOf(j, ni);
      if (j.cpus_rest && !j.exclusive && k >= j.full_nodes) want.cpus = j.cpus_rest;
      timeline_[ni].Book(when, Duration(j), want);
      ++version_[ni];
      NodeAllocation a{nodes_[ni].name, static_cast<uint32_t>(want.cpus),
                       static_cast<uint64_t>(want.mem_mb), {}};
      if (when == in_.now) {
        nodes_[ni].users.push_back(j.uid);
        if (in_.partitions[f.partition].exclusive_user) nodes_[ni].user_exclusive = true;
        a.gpus = FreeGpus(nodes_[ni], j.gpu_type, static_cast<uint32_t>(want.gpus));
        for (uint32_t g : a.gpus) nodes_[ni].gpu_free[g] = false;
      }
      out.push_back(std::move(a));
    }
    // Every heap, this shape's too, refreshes the booked nodes lazily: Find
    // put back an entry for each picked node, now stale, which is
    // recomputed when it reaches the top. (Pushing a fresh entry here as well
    // left two current entries for one node, and a multi-node job could be
    // planned on the same node twice.)
    return out;
  }

 private:
  static constexpr int kMaxMultiNodeTimes = 256;

  // What the job takes on node `ni`: its request, or the whole node.
  Amount WantOf(const SchedJob& j, int ni) const {
    if (j.exclusive) {
      const SchedNode& n = in_.nodes[ni];
      return Amount{std::max(n.cpus_total, j.cpus_per_node),
                    static_cast<int64_t>(std::max(n.mem_total_mb, j.mem_per_node_mb)),
                    static_cast<int64_t>(n.gpu_free.size())};
    }
    return Amount{j.cpus_per_node, static_cast<int64_t>(j.mem_per_node_mb),
                  j.gpus_per_node};
  }

  // ExclusiveUser: a node running a job from such a partition takes only
  // that user's jobs, and such a job needs a node without other users.
  // (Checked for starts now; estimates ignore it.)
  bool UserCompatible(int ni, const SchedJob& j, int partition) const {
    const SchedNode& n = nodes_[ni];
    bool others = std::any_of(n.users.begin(), n.users.end(),
                              [&](uint32_t u) { return u != j.uid; });
    if (!others) return true;
    return !n.user_exclusive && !in_.partitions[partition].exclusive_user;
  }

  bool FitsNowWithGpus(int ni, const SchedJob& j) const {
    uint32_t want = static_cast<uint32_t>(WantOf(j, ni).gpus);
    return FreeGpus(nodes_[ni], j.gpu_type, want).size() >= want;
  }

  Heap& HeapFor(const ShapeKey& key, const SchedJob& j) {
    auto it = heaps_.find(key);
    if (it != heaps_.end()) return it->second;
    Heap& heap = heaps_[key];
    for (int ni : in_.partitions[key.partition].nodes) {
      const SchedNode& n = nodes_[ni];
      if (!n.available) continue;
      if (!j.allowed.empty() && (ni >= static_cast<int>(j.allowed.size()) ||
                                 !j.allowed[ni]))
        continue;
      if (j.gpus_per_node && !j.gpu_type.empty() && j.gpu_type != n.gpu_type)
        continue;
      int64_t t = timeline_[ni].EarliestFit(in_.now, key.duration, WantOf(j, ni));
      if (t < kForever) heap.push({t, static_cast<int32_t>(ni), version_[ni]});
    }
    return heap;
  }

  const SchedulerInput& in_;
  const SchedulerConfig& cfg_;
  std::vector<SchedNode> nodes_;  // GPU identities, consumed by starts
  std::vector<NodeTimeline> timeline_;
  std::vector<uint32_t> version_;  // bumped on every booking of the node
  std::map<ShapeKey, Heap> heaps_;
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
                   [&input](const SchedJob* a, const SchedJob* b) {
                     // Higher PriorityTier partitions first, then priority.
                     int32_t ta = input.partitions[a->partition].priority_tier;
                     int32_t tb = input.partitions[b->partition].priority_tier;
                     if (ta != tb) return ta > tb;
                     if (a->priority != b->priority)
                       return a->priority > b->priority;
                     return a->id < b->id;
                   });
  std::vector<bool> partition_blocked(input.partitions.size(), false);
  size_t tested = 0;
  // Accounting limits as this pass's starts use them up.
  std::vector<SchedLimit> limits = input.limits;
  // Preemption: a blocked job whose QOS may preempt running jobs' picks
  // the fewest (lowest priority, newest first) that make room now; it
  // starts in a later pass once they are gone.
  std::vector<bool> victim(input.running.size(), false);
  auto preempt = [&](const SchedJob& j, const std::vector<int>& runnable) {
    if (j.preempts.empty()) return false;
    std::vector<size_t> order;
    for (size_t i = 0; i < input.running.size(); ++i)
      if (!victim[i] && std::find(j.preempts.begin(), j.preempts.end(), input.running[i].qos) !=
                            j.preempts.end())
        order.push_back(i);
    if (order.empty()) return false;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      const auto &x = input.running[a], &y = input.running[b];
      return x.priority != y.priority ? x.priority < y.priority : x.id > y.id;
    });
    // Free now: the snapshot less what this pass has started.
    std::vector<SchedNode> free = input.nodes;
    std::map<std::string, size_t> at;
    for (size_t i = 0; i < free.size(); ++i) at[free[i].name] = i;
    for (const auto& s : plan.starts)
      for (const auto& a : s.alloc) {
        SchedNode& n = free[at[a.node]];
        n.cpus_free -= std::min(n.cpus_free, a.cpus);
        n.mem_free_mb -= std::min(n.mem_free_mb, a.mem_mb);
        for (uint32_t g : a.gpus)
          if (g < n.gpu_free.size()) n.gpu_free[g] = false;
      }
    std::vector<const SchedRunning*> candidates;
    for (size_t i : order) candidates.push_back(&input.running[i]);
    for (int pi : runnable) {
      auto picked = PickVictims(j, input.partitions[pi], free, candidates);
      if (picked.empty()) continue;
      for (size_t k : picked) {
        victim[order[k]] = true;
        plan.preemptions.emplace_back(input.running[order[k]].id, j.id);
      }
      return true;
    }
    return false;
  };

  for (const SchedJob* j : order) {
    std::vector<int> parts = {j->partition};
    parts.insert(parts.end(), j->more_partitions.begin(), j->more_partitions.end());
    // Partitions that could ever run the job; the first one's reason is
    // reported when none can.
    std::vector<int> runnable;
    std::optional<JobReason> why_not;
    for (int pi : parts) {
      auto r = Unrunnable(*j, input.partitions[pi]);
      if (!r) runnable.push_back(pi);
      else if (!why_not) why_not = r;
    }
    if (runnable.empty()) {
      plan.reasons.emplace_back(j->id, *why_not);
      continue;
    }
    if (auto over = OverLimit(*j, limits)) {
      // Held back by a limit: it reserves nothing (lower-priority jobs may
      // use the room); its estimate is when running jobs' ends free the
      // limit, or later if the nodes are busy then.
      plan.reasons.emplace_back(j->id, *over);
      int64_t at = LimitsFreeAt(*j, limits, input.running, kForever);
      if (at < kForever) {
        Found f;
        for (int pi : runnable) {
          Found g = pass.Find(*j, pi, /*windowed=*/false);
          if (!g.picked.empty() && g.when < f.when) f = std::move(g);
        }
        if (!f.picked.empty() && f.when < kForever) {
          Reservation res{j->id, std::max(at, f.when), {}, f.partition};
          res.estimate_only = true;
          plan.reservations.push_back(std::move(res));
        }
      }
      continue;
    }
    const int home = runnable.front();
    auto blocked = [&] {
      plan.reasons.emplace_back(j->id, partition_blocked[home]
                                           ? JobReason::kPriority
                                           : JobReason::kResources);
      for (int pi : runnable) partition_blocked[pi] = true;
    };
    if ((!config.backfill && partition_blocked[home]) ||
        tested++ >= config.bf_max_job_test) {
      blocked();
      continue;
    }
    Found best;
    for (int pi : runnable) {
      Found f = pass.Find(*j, pi);
      if (!f.picked.empty() && f.when < best.when) best = std::move(f);
      if (best.when == input.now) break;  // cannot do better than now
    }
    if (best.when != input.now && j->time_min_min >= 0) {
      // --time-min: the longest limit, down to the minimum, that starts now.
      SchedJob shorter = *j;
      auto start_now = [&](int64_t minutes, Found* out) {
        shorter.time_limit_min = minutes;
        for (int pi : runnable) {
          Found f = pass.Find(shorter, pi);
          if (!f.picked.empty() && f.when == input.now) {
            *out = std::move(f);
            return true;
          }
        }
        return false;
      };
      Found now_fit;
      int64_t top = j->time_limit_min < 0 ? 365LL * 24 * 60 : j->time_limit_min - 1;
      if (top >= j->time_min_min && start_now(std::max<int64_t>(1, j->time_min_min), &now_fit)) {
        int64_t lo = std::max<int64_t>(1, j->time_min_min), hi = top;
        while (lo < hi) {
          int64_t mid = lo + (hi - lo + 1) / 2;
          Found f;
          if (start_now(mid, &f)) lo = mid;
          else hi = mid - 1;
        }
        start_now(lo, &now_fit);
        const bool behind = partition_blocked[now_fit.partition];
        plan.starts.push_back({j->id, pass.Book(shorter, now_fit), now_fit.partition, lo});
        plan.starts.back().backfill = behind;
        Charge(*j, limits);
        continue;
      }
    }
    if (best.picked.empty()) {
      // Nothing within the window: an estimate from however far ahead the
      // job fits (Slurm plans a job without a limit as a year long).
      for (int pi : runnable) {
        Found f = pass.Find(*j, pi, /*windowed=*/false);
        if (!f.picked.empty() && f.when < best.when) best = std::move(f);
      }
      if (!best.picked.empty() && best.when < kForever) {
        Reservation res{j->id, best.when, {}, best.partition};
        res.estimate_only = true;
        plan.reservations.push_back(std::move(res));
      }
      preempt(*j, runnable);
      blocked();
      continue;
    }
    if (best.when == input.now) {
      const bool behind = partition_blocked[best.partition];
      plan.starts.push_back({j->id, pass.Book(*j, best), best.partition});
      plan.starts.back().backfill = behind;
      Charge(*j, limits);
      continue;
    }
    if (preempt(*j, runnable)) {
      // Its room comes from the preempted jobs: no reservation that would
      // hold back others until the running ones end.
      blocked();
      continue;
    }
    Reservation res{j->id, ToResolution(best.when, input.now, config.bf_resolution_s), {},
                    best.partition};
    for (const auto& a : pass.Book(*j, best)) res.nodes.push_back(a.node);
    plan.reservations.push_back(std::move(res));
    blocked();
  }
  return plan;
}

}  // namespace sluice::sched
