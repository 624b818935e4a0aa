#include "ctld/sched/preempt.h"

#include <algorithm>
#include <map>

namespace sluice::sched {
namespace {

// Whether `j` fits on enough of `p`'s nodes once `victims` give back what
// they hold.
bool FitsWith(const SchedJob& j, const SchedPartition& p, const std::vector<SchedNode>& nodes,
              const std::vector<const SchedRunning*>& victims) {
  std::map<std::string, const NodeAllocation*> none;
  std::vector<SchedNode> after;
  std::map<std::string, size_t> at;
  for (int ni : p.nodes) {
    at[nodes[ni].name] = after.size();
    after.push_back(nodes[ni]);
  }
  for (const SchedRunning* v : victims)
    for (const auto& a : v->alloc) {
      auto it = at.find(a.node);
      if (it == at.end()) continue;
      SchedNode& n = after[it->second];
      n.cpus_free += a.cpus;
      n.mem_free_mb += a.mem_mb;
      for (uint32_t g : a.gpus)
        if (g < n.gpu_free.size()) n.gpu_free[g] = true;
    }
  uint32_t fit = 0;
  for (size_t k = 0; k < after.size(); ++k) {
    const SchedNode& n = after[k];
    int ni = p.nodes[k];
    if (!n.available || (!j.allowed.empty() && !j.allowed[ni])) continue;
    if (j.exclusive && n.cpus_free < n.cpus_total) continue;
    uint32_t gpus = static_cast<uint32_t>(std::count(n.gpu_free.begin(), n.gpu_free.end(), true));
    if (n.cpus_free >= j.cpus_per_node && n.mem_free_mb >= j.mem_per_node_mb &&
        gpus >= j.gpus_per_node)
      ++fit;
  }
  return fit >= j.nodes;
}

}  // namespace

std::vector<size_t> PickVictims(const SchedJob& j, const SchedPartition& p,
                                const std::vector<SchedNode>& nodes,
                                const std::vector<const SchedRunning*>& candidates) {
  std::vector<size_t> picked;
  std::vector<const SchedRunning*> chosen;
  for (size_t i = 0; i < candidates.size() && !FitsWith(j, p, nodes, chosen); ++i) {
    picked.push_back(i);
    chosen.push_back(candidates[i]);
  }
  if (!FitsWith(j, p, nodes, chosen)) return {};
  // Drop any the job does not need after all (latest first).
  for (size_t k = picked.size(); k-- > 0;) {
    std::vector<const SchedRunning*> without = chosen;
    without.erase(without.begin() + static_cast<std::ptrdiff_t>(k));
    if (FitsWith(j, p, nodes, without)) {
      chosen = std::move(without);
      picked.erase(picked.begin() + static_cast<std::ptrdiff_t>(k));
    }
  }
  return picked;
}

}  // namespace sluice::sched
