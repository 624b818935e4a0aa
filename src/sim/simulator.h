// Replays a workload through the real scheduler (sched::Schedule) with a
// virtual clock: jobs arrive at their submit times, run for their recorded
// run time once started, and the scheduler is asked for a plan at every
// arrival and departure. Pure and deterministic; not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ctld/sched/types.h"
#include "sim/swf.h"

namespace sluice::sim {

struct ClusterShape {
  uint32_t nodes = 16;
  uint32_t cpus_per_node = 8;
  uint32_t gpus_per_node = 0;
};

enum class Policy { kFifo, kBackfill };

struct SimResult {
  size_t jobs = 0;
  size_t never_ran = 0;     // larger than the cluster
  int64_t makespan_s = 0;   // first submit to last end
  double utilization = 0;   // CPU-seconds used / CPU-seconds available
  double mean_wait_s = 0;
  double mean_bounded_slowdown = 0;  // tau = 10 s
  size_t passes = 0;
  std::string ToJson() const;
};

SimResult Simulate(const std::vector<SwfJob>& jobs, const ClusterShape& shape,
                   Policy policy);

// One full scheduling pass over a synthetic snapshot: `jobs` pending jobs
// of mixed GPU shapes on `nodes` nodes with `gpus_per_node` GPUs, half the
// cluster busy. Used by the benchmark.
sched::SchedulerInput SyntheticSnapshot(size_t jobs, uint32_t nodes,
                                        uint32_t gpus_per_node, uint64_t seed);

}  // namespace sluice::sim
