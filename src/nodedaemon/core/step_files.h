// What a node daemon and a job's sluice-stepd leave for each other in the
// job's spool directory <SlurmdSpoolDir>/job<N>/: the job as the stepd must
// run it (`spec`), the stepd's pid (`stepd.pid`), its control socket
// (`stepd.sock`) and, once the job is over, its result (`status`, written
// atomically). These files are what lets a restarted node daemon find its
// jobs again. Pure values and text codecs; thread-safe.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/cgroup_conf.h"

namespace sluice::node {

struct BatchJob {
  uint64_t id = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string user;
  // Supplementary groups, resolved by the node daemon (whose name service
  // is warm) so the stepd does no NSS lookups; empty = look them up.
  std::vector<gid_t> groups;
  std::string job_name;
  std::string script;  // not in `spec`: it lives in slurm_script
  std::vector<std::string> env;
  std::string work_dir;
  std::string std_out;  // patterns (absolute), expanded by the stepd
  std::string std_err;
  std::string std_in;
  std::vector<uint32_t> gpus;
  uint32_t cpus = 0;
  uint64_t mem_mb = 0;
  bool append_output = false;
  std::string partition;
  std::string node_list;  // the whole allocation, compressed
  std::vector<std::string> script_args;  // the batch script's arguments
};

// The job plus what the node daemon decided and the stepd needs.
struct StepSpec {
  BatchJob job;
  std::string node_name;
  std::string hostname;
  std::string conf_path;
  std::vector<uint32_t> cpu_ids;       // bound with cpuset where enforced
  std::vector<uint32_t> all_gpus;      // every GPU minor on the node
  std::vector<uint32_t> gpu_minors;    // the job's GPUs' device minors
  std::string prolog, epilog, task_prolog, task_epilog;
  uint32_t unkillable_timeout_s = 60;
  uint32_t acct_gather_s = 30;  // how often the stepd samples its tasks' sizes; 0 never
  common::CgroupConf cgroup;  // from cgroup.conf, so the stepd reads no config
  // A step started by srun (step >= 0); the batch step has step = -1.
  int32_t step = -1;
  std::vector<std::string> argv;
  std::vector<uint32_t> tasks;  // global task ids on this node
  uint32_t node_index = 0;
  uint32_t ntasks = 0;
  bool pty = false;
  bool stdin_all = false;
  std::string multi_prog;  // srun --multi-prog file text; "" none
  std::string cpu_bind;    // srun --cpu-bind; "" none
  std::string io_address;  // srun's host:port
  std::string io_key;
  std::string munge_socket;  // AuthInfo socket; empty: libmunge's default
  // An srun step's cgroup nests inside its job's, which holds the job's
  // allocation on this node (cpuset, memory, GPUs); `cpu_ids`, `gpu_minors`
  // and job.mem_mb above are the step's own share of it.
  std::vector<uint32_t> job_cpu_ids;
  uint64_t job_mem_mb = 0;
  std::vector<uint32_t> job_gpu_minors;
};

struct StepResult {
  // What the step's processes used on this node (sacct's MaxRSS, AveRSS,
  // TotalCPU...): the kernel's own accounting of every process, all of
  // which the stepd reaps as their subreaper (wait4/RUSAGE_CHILDREN).
  struct Usage {
    bool known = false;
    uint64_t max_rss_kb = 0;   // the largest task's peak RSS
    uint32_t max_rss_task = 0; // that task's ID
    uint64_t sum_rss_kb = 0;   // over `tasks` tasks (AveRSS = sum / tasks)
    uint32_t tasks = 0;
    int64_t user_usec = 0, sys_usec = 0;
    // Virtual size: the largest task's peak as sampled (every
    // JobAcctGatherFrequency seconds), and the sum of the tasks' peaks.
    uint64_t max_vm_kb = 0, sum_vm_kb = 0;
    uint32_t max_vm_task = 0;
    // The task that used the least CPU (user + system), when measured.
    bool has_min_cpu = false;
    int64_t min_cpu_usec = 0;
    uint32_t min_cpu_task = 0;
    // The other ends (sacct --json's TRES usage max/min per task).
    int64_t max_cpu_usec = 0;
    uint32_t max_cpu_task = 0;
    uint64_t min_rss_kb = 0, min_vm_kb = 0;
    uint32_t min_rss_task = 0, min_vm_task = 0;
  } usage;
  int exit_code = 0;
  int signal = 0;
  bool launch_failed = false;
  bool prolog_failed = false;
  bool epilog_failed = false;
  bool oom = false;
  bool unkillable = false;
  bool lost = false;  // the stepd vanished without writing a result
  std::string message;
};

std::string EncodeStepSpec(const StepSpec& s);
absl::StatusOr<StepSpec> DecodeStepSpec(const std::string& text);
std::string EncodeStepResult(const StepResult& r);
absl::StatusOr<StepResult> DecodeStepResult(const std::string& text);

std::string JobDir(const std::string& spool, uint64_t id);
std::string StepDir(const std::string& spool, uint64_t id, uint32_t step);  // job<N>.<S>
// Writes via a temporary file and rename: readers see all or none.
absl::Status WriteFileAtomic(const std::string& path, const std::string& data,
                             mode_t mode);
absl::StatusOr<std::string> ReadSmallFile(const std::string& path);

}  // namespace sluice::node
