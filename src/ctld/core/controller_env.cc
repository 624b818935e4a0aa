// The environment the controller gives a job: its SLURM_* variables (array
// ones included) and, for the batch step, the submitter's under them.
// Split from controller_run.cc; same class, same strand.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/hostlist.h"
#include "ctld/core/controller.h"

namespace sluice::ctld {

std::vector<std::string> Controller::JobEnv(const Job& job) const {
  const JobSpec& s = job.spec;
  std::vector<std::string> add;
  auto set = [&](const std::string& k, const std::string& v) {
    add.push_back(absl::StrCat(k, "=", v));
  };
  const auto& a0 = job.alloc.at(0);
  std::vector<uint32_t> cpus, tasks;
  for (size_t i = 0; i < job.alloc.size(); ++i) {
    cpus.push_back(job.alloc[i].cpus);
    tasks.push_back(s.TasksOnNode(i));
  }
  std::string nodelist = job.NodeList();
  std::string id = std::to_string(job.id.value());
  set("SLURMD_NODENAME", a0.node);
  if (job.array_job_id) {
    set("SLURM_ARRAY_JOB_ID", std::to_string(job.array_job_id));
    set("SLURM_ARRAY_TASK_COUNT", std::to_string(s.array.count));
    set("SLURM_ARRAY_TASK_ID", std::to_string(job.array_task_id));
    set("SLURM_ARRAY_TASK_MAX", std::to_string(s.array.max));
    set("SLURM_ARRAY_TASK_MIN", std::to_string(s.array.min));
    set("SLURM_ARRAY_TASK_STEP", std::to_string(s.array.step));
  }
  set("SLURM_CLUSTER_NAME", config_.cluster_name);
  set("SLURM_CPUS_ON_NODE", std::to_string(a0.cpus));
  if (s.cpus_per_task_set) set("SLURM_CPUS_PER_TASK", std::to_string(s.cpus_per_task));
  if (s.gpus_per_node) {
    set("SLURM_GPUS_ON_NODE", std::to_string(a0.gpus.size()));
    set("SLURM_GPUS_PER_NODE", std::to_string(s.gpus_per_node));
    std::string ids = absl::StrJoin(a0.gpus, ",");
    set("SLURM_JOB_GPUS", ids);
    set("CUDA_VISIBLE_DEVICES", ids);
    set("GPU_DEVICE_ORDINAL", ids);
  }
  set("SLURM_GTIDS", "0");
  set("SLURM_JOBID", id);
  set("SLURM_JOB_CPUS_PER_NODE", common::FormatRepeatedCounts(cpus));
  set("SLURM_JOB_GID", std::to_string(s.gid));
  set("SLURM_JOB_ID", id);
  set("SLURM_JOB_NAME", s.name);
  set("SLURM_JOB_NODELIST", nodelist);
  set("SLURM_JOB_NUM_NODES", std::to_string(job.alloc.size()));
  set("SLURM_JOB_PARTITION", s.partition);
  set("SLURM_JOB_UID", std::to_string(s.uid));
  set("SLURM_JOB_USER", s.user);
  set("SLURM_LOCALID", "0");
  if (s.mem_mb) set("SLURM_MEM_PER_NODE", std::to_string(s.mem_mb));
  set("SLURM_NNODES", std::to_string(job.alloc.size()));
  set("SLURM_NODEID", "0");
  set("SLURM_NODELIST", nodelist);
  set("SLURM_NODE_ALIASES", "(null)");
  if (s.overcommit) set("SLURM_OVERCOMMIT", "1");
  if (s.ntasks_set) {
    set("SLURM_NPROCS", std::to_string(s.ntasks));
    set("SLURM_NTASKS", std::to_string(s.ntasks));
    if (s.ntasks_per_node)
      set("SLURM_NTASKS_PER_NODE", std::to_string(s.ntasks_per_node));
  }
  set("SLURM_PRIO_PROCESS", "0");
  set("SLURM_PROCID", "0");
  set("SLURM_SUBMIT_DIR", s.work_dir);
  set("SLURM_SUBMIT_HOST", s.submit_host);
  set("SLURM_TASKS_PER_NODE", common::FormatRepeatedCounts(tasks));
  set("SLURM_TOPOLOGY_ADDR", a0.node);
  set("SLURM_TOPOLOGY_ADDR_PATTERN", "node");
  set("SLURM_WORKING_CLUSTER",
      absl::StrCat(config_.cluster_name, ":", config_.ctld_addr, ":",
                   config_.ctld_port, ":9728:109"));
  return add;
}

std::vector<std::string> Controller::BatchEnv(const Job& job, const std::string& env_block) const {
  // The submitter's environment first; SLURM_* set here win.
  std::vector<std::string> add = JobEnv(job);
  std::set<std::string> ours;
  for (const auto& e : add) ours.insert(e.substr(0, e.find('=')));
  std::vector<std::string> env;
  for (const auto& e : JobSpec::SplitEnv(env_block)) {
    std::string key = e.substr(0, e.find('='));
    // Variables the job sets are recomputed; a stale CUDA_VISIBLE_DEVICES
    // from the login shell must not leak into a job without GPUs either.
    if (ours.count(key) || key == "CUDA_VISIBLE_DEVICES" ||
        key == "GPU_DEVICE_ORDINAL" || key == "SLURM_TASK_PID")
      continue;
    env.push_back(e);
  }
  env.insert(env.end(), add.begin(), add.end());
  return env;
}

}  // namespace sluice::ctld
