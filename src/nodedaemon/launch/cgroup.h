// Job confinement with Linux cgroups. A CgroupManager is detected once per
// process from /proc/mounts and cgroup.conf: v2 where a cgroup2 hierarchy is
// mounted with controllers, v1 otherwise, nothing when neither is usable
// (the supervisor then tracks processes by parentage alone). Each job gets
// one JobCgroup, created by the job's sluice-stepd and removed by it when
// the job's last process is gone. Not thread-safe; used from one thread.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/cgroup_conf.h"

namespace sluice::node {

struct CgroupLimits {
  std::vector<uint32_t> cpus;         // CPU ids for cpuset; empty: no binding
  uint64_t mem_bytes = 0;             // 0: no limit
  std::vector<uint32_t> gpu_minors;   // the job's /dev/nvidiaN minors
  std::vector<uint32_t> all_gpu_minors;  // every GPU on the node
};

class JobCgroup {
 public:
  virtual ~JobCgroup() = default;
  // Files the job's first process writes "0" to (moving itself in) before
  // it drops privileges, so every descendant is born inside.
  virtual std::vector<std::string> ProcsFiles() const = 0;
  virtual std::vector<pid_t> Pids() const = 0;
  // How many processes of the job the kernel's OOM killer killed.
  virtual uint64_t OomKills() const = 0;
  // Removes the directories (the cgroup must be empty).
  virtual void Remove() = 0;
};

class CgroupManager {
 public:
  virtual ~CgroupManager() = default;
  // "cgroup/v1 (cpuset memory devices pids)": for the log.
  virtual std::string Describe() const = 0;
  // A cgroup nested level by level under <hierarchy>/sluice/<scope>/, each
  // level (created when missing) holding its limits: {job_<id>} for a batch
  // step, {job_<id>, step_<s>} for an srun step, whose cgroup is inside its
  // job's so the job's limits hold for it too. `scope` tells apart node
  // daemons sharing a host (several -N daemons, test clusters); see
  // CgroupScope. The JobCgroup is the last level's.
  struct Level {
    std::string name;
    CgroupLimits limits;
  };
  virtual absl::StatusOr<std::unique_ptr<JobCgroup>> Create(
      const std::string& scope, const std::vector<Level>& levels) = 0;
  absl::StatusOr<std::unique_ptr<JobCgroup>> Create(const std::string& scope,
                                                    const std::string& name,
                                                    const CgroupLimits& limits) {
    return Create(scope, std::vector<Level>{{name, limits}});
  }
};

// Returns null when no usable hierarchy exists. `note` gets one line saying
// what is and is not enforced (always set).
std::unique_ptr<CgroupManager> DetectCgroups(const common::CgroupConf& conf,
                                             const std::string& proc_mounts,
                                             std::string* note);

// Moving a process into a cgroup (what every job's first task does) takes
// the kernel's cgroup_threadgroup_rwsem for writing; after ~20 ms without a
// move that waits for an RCU grace period, 6-15 ms here, on every srun of
// an idle node. The cgroup2 mount option favordynmods (Linux 6.2+) keeps
// that lock ready for writers, for every hierarchy, v1 included. This is
// the remount that turns it on: mount(2) arguments that keep the mount's
// own flags and fs options. Pure. nullopt: no cgroup2 mount in
// `proc_mounts`, or the option is already on (`*why` says which).
struct Remount {
  std::string target;
  unsigned long flags = 0;  // MS_REMOUNT | the mount's MS_NOSUID etc.
  std::string data;         // the fs options, favordynmods added
};
std::optional<Remount> FavorDynmodsRemount(const std::string& proc_mounts, std::string* why);

// "<node>_<hash of spool dir>": unique per node daemon instance on a host.
std::string CgroupScope(const std::string& node, const std::string& spool_dir);

}  // namespace sluice::node
