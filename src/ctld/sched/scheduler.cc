#include "ctld/sched/scheduler.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <optional>

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
  if (j.held) return JobReason::kJobHeldUser;
  if (!p.up) return JobReason::kPartitionDown;
  if (p.max_time_min >= 0 && j.time_limit_min != -2 &&
      (j.time_limit_min < 0 || j.time_limit_min > p.max_time_min))
    return JobReason::kPartitionTimeLimit;
  if (j.nodes > p.nodes.size()) return JobReason::kPartitionConfig;
  if (p.max_nodes && j.nodes > p.max_nodes) return JobReason::kPartitionNodeLimit;
  return std::nullopt;
}

}  // namespace

SchedulePlan Schedule(const SchedulerInput& input,
                      const SchedulerConfig& config) {
  SchedulePlan plan;
  const int64_t now = input.now;
  std::vector<SchedNode> nodes = input.nodes;  // GPU identities, consumed
  std::vector<NodeTimeline> timeline;
  timeline.reserve(nodes.size());
  std::map<std::string, int> index;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const SchedNode& n = nodes[i];
    timeline.emplace_back(now, Amount{n.cpus_free, static_cast<int64_t>(n.mem_free_mb),
                                      CountFree(n.gpu_free)});
    index[n.name] = static_cast<int>(i);
  }
  for (const auto& r : input.running) {
    for (const auto& a : r.alloc) {
      auto it = index.find(a.node);
      if (it == index.end()) continue;
      timeline[it->second].Release(
          r.end_time, Amount{a.cpus, static_cast<int64_t>(a.mem_mb),
                             static_cast<int64_t>(a.gpus.size())});
    }
  }

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
  const int64_t horizon = now + config.bf_window_s;

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
    if (tested++ >= config.bf_max_job_test) {
      blocked();
      continue;
    }
    const Amount want{j->cpus_per_node, static_cast<int64_t>(j->mem_per_node_mb),
                      j->gpus_per_node};
    const int64_t dur = Duration(*j);
    auto usable = [&](int ni) {
      const SchedNode& n = nodes[ni];
      if (!n.available) return false;
      if (j->gpus_per_node && !j->gpu_type.empty() && j->gpu_type != n.gpu_type)
        return false;
      return true;
    };

    // Now first: also needs concrete GPU indices.
    std::vector<int> picked;
    for (int ni : p.nodes) {
      if (!usable(ni) || !timeline[ni].Fits(now, dur, want)) continue;
      if (FreeGpus(nodes[ni], j->gpu_type, j->gpus_per_node).size() <
          j->gpus_per_node)
        continue;
      picked.push_back(ni);
      if (picked.size() == j->nodes) break;
    }
    if (picked.size() == j->nodes) {
      Placement pl{j->id, {}};
      for (int ni : picked) {
        SchedNode& n = nodes[ni];
        NodeAllocation a{n.name, j->cpus_per_node, j->mem_per_node_mb, {}};
        a.gpus = FreeGpus(n, j->gpu_type, j->gpus_per_node);
        for (uint32_t g : a.gpus) n.gpu_free[g] = false;
        timeline[ni].Book(now, dur, want);
        pl.alloc.push_back(std::move(a));
      }
      plan.starts.push_back(std::move(pl));
      continue;
    }

    // Otherwise the earliest later start, among the times resources change.
    std::vector<int64_t> times;
    for (int ni : p.nodes)
      if (usable(ni)) timeline[ni].ChangeTimes(&times);
    std::sort(times.begin(), times.end());
    times.erase(std::unique(times.begin(), times.end()), times.end());
    bool reserved = false;
    for (int64_t t : times) {
      if (t <= now) continue;
      if (t > horizon) break;
      picked.clear();
      for (int ni : p.nodes) {
        if (!usable(ni) || !timeline[ni].Fits(t, dur, want)) continue;
        picked.push_back(ni);
        if (picked.size() == j->nodes) break;
      }
      if (picked.size() < j->nodes) continue;
      Reservation res{j->id, RoundUp(t, now, config.bf_resolution_s), {}};
      for (int ni : picked) {
        timeline[ni].Book(t, dur, want);
        res.nodes.push_back(nodes[ni].name);
      }
      plan.reservations.push_back(std::move(res));
      reserved = true;
      break;
    }
    (void)reserved;
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
