#include "ctld/core/node_table.h"

#include <algorithm>

namespace sluice::ctld {

std::string NodeRecord::GpuType() const {
  for (const auto& g : conf.gres)
    if (g.name == "gpu") return g.type;
  return "";
}

uint32_t NodeRecord::GpusUsed() const {
  uint32_t n = 0;
  for (bool u : gpu_used) n += u;
  return n;
}

common::NodeBaseState NodeRecord::BaseState() const {
  using common::NodeBaseState;
  if (down) return NodeBaseState::kDown;
  if (!registered) return NodeBaseState::kUnknown;
  if (alloc_cpus == 0 && GpusUsed() == 0) return NodeBaseState::kIdle;
  if (alloc_cpus >= conf.cpus) return NodeBaseState::kAllocated;
  return NodeBaseState::kMixed;
}

void NodeRecord::Allocate(const sched::NodeAllocation& a, uint64_t job) {
  if (job) jobs[job] += a.cpus;
  alloc_cpus += a.cpus;
  alloc_mem_mb += a.mem_mb;
  for (uint32_t g : a.gpus)
    if (g < gpu_used.size()) gpu_used[g] = true;
}

void NodeRecord::Release(const sched::NodeAllocation& a, uint64_t job) {
  if (job) jobs.erase(job);
  alloc_cpus -= std::min(alloc_cpus, a.cpus);
  alloc_mem_mb -= std::min(alloc_mem_mb, a.mem_mb);
  for (uint32_t g : a.gpus)
    if (g < gpu_used.size()) gpu_used[g] = false;
}

}  // namespace sluice::ctld
