// The controller's nodes: configuration, what each daemon reported, state,
// and what is allocated on it. Not thread-safe: owned by Controller.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/gpu_status.h"
#include "common/job_types.h"
#include "common/slurm_conf.h"
#include "ctld/sched/types.h"

namespace sluice::ctld {

using ReportedGpu = common::GpuStatus;

// A node's own facts from its daemon's reports (scontrol show node).
struct HostFacts {
  uint32_t cpu_load_x100 = 0;
  uint64_t free_mem_mb = 0;
  std::string os;
  int64_t boot_time = 0, daemon_start = 0;
  std::string arch;
};

struct NodeRecord {
  common::NodeConf conf;
  std::vector<std::string> partitions;
  bool registered = false;
  bool responding = false;
  bool down = false;
  bool drain = false;
  std::string reason;
  std::string reason_user;   // who set the reason (scontrol update)
  int64_t reason_time = 0;
  bool health_drain = false;  // drained by HealthCheckProgram
  int64_t last_contact = 0;
  int sessions = 0;  // open NodeSessions naming this node: it is alive
  uint32_t alloc_cpus = 0;
  uint64_t alloc_mem_mb = 0;
  std::vector<bool> gpu_used;  // by index; size = configured GPU count
  std::vector<ReportedGpu> gpus;
  HostFacts host;
  int64_t last_busy = 0;  // when it last became busy or idle

  std::string GpuType() const;
  uint32_t GpusUsed() const;
  common::NodeBaseState BaseState() const;
  bool Schedulable() const { return registered && responding && !down && !drain; }
  // `job` (0: none) is kept in `jobs` with its CPUs here.
  void Allocate(const sched::NodeAllocation& a, uint64_t job = 0);
  void Release(const sched::NodeAllocation& a, uint64_t job = 0);
  std::map<uint64_t, uint32_t> jobs;  // holding resources here: job -> CPUs
};

}  // namespace sluice::ctld
