#include "ctld/sched/scheduler.h"

#include <algorithm>
#include <numeric>

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

bool Fits(const SchedNode& n, const SchedJob& j) {
  if (!n.available || n.cpus_free < j.cpus_per_node ||
      n.mem_free_mb < j.mem_per_node_mb)
    return false;
  if (j.gpus_per_node == 0) return true;
  return FreeGpus(n, j.gpu_type, j.gpus_per_node).size() == j.gpus_per_node;
}

}  // namespace

SchedulePlan Schedule(const SchedulerInput& input) {
  SchedulePlan plan;
  std::vector<SchedNode> nodes = input.nodes;  // free resources, consumed here
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

  for (const SchedJob* j : order) {
    if (j->held) {
      plan.reasons.emplace_back(j->id, JobReason::kJobHeldUser);
      continue;
    }
    const SchedPartition& p = input.partitions[j->partition];
    if (!p.up) {
      plan.reasons.emplace_back(j->id, JobReason::kPartitionDown);
      continue;
    }
    if (p.max_time_min >= 0 && j->time_limit_min != -2 &&
        (j->time_limit_min < 0 || j->time_limit_min > p.max_time_min)) {
      plan.reasons.emplace_back(j->id, JobReason::kPartitionTimeLimit);
      continue;
    }
    if (j->nodes > p.nodes.size()) {
      plan.reasons.emplace_back(j->id, JobReason::kPartitionConfig);
      continue;
    }
    if (p.max_nodes && j->nodes > p.max_nodes) {
      plan.reasons.emplace_back(j->id, JobReason::kPartitionNodeLimit);
      continue;
    }
    std::vector<int> picked;
    for (int ni : p.nodes) {
      if (Fits(nodes[ni], *j)) picked.push_back(ni);
      if (picked.size() == j->nodes) break;
    }
    if (picked.size() < j->nodes) {
      plan.reasons.emplace_back(j->id, partition_blocked[j->partition]
                                           ? JobReason::kPriority
                                           : JobReason::kResources);
      partition_blocked[j->partition] = true;
      continue;
    }
    Placement pl{j->id, {}};
    for (int ni : picked) {
      SchedNode& n = nodes[ni];
      NodeAllocation a{n.name, j->cpus_per_node, j->mem_per_node_mb, {}};
      a.gpus = FreeGpus(n, j->gpu_type, j->gpus_per_node);
      for (uint32_t g : a.gpus) n.gpu_free[g] = false;
      n.cpus_free -= j->cpus_per_node;
      n.mem_free_mb -= j->mem_per_node_mb;
      pl.alloc.push_back(std::move(a));
    }
    plan.starts.push_back(std::move(pl));
  }
  return plan;
}

}  // namespace sluice::sched
