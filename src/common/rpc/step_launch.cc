#include "common/rpc/step_launch.h"

#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/hostlist.h"

namespace sluice::common {

namespace v1 = ::sluice::v1;

namespace {
void Put(std::map<std::string, std::string>* vars, const std::string& e) {
  size_t eq = e.find('=');
  (*vars)[e.substr(0, eq)] = eq == std::string::npos ? "" : e.substr(eq + 1);
}

// The variables srun itself sets for its tasks and that win over the job's.
// Anything else in `overrides` is refused: a user's own variables go in
// `env`, where the job's and the step's values take precedence.
constexpr const char* kSrunOverrides[] = {
    "SLURM_LAUNCH_NODE_IPADDR", "SLURM_SRUN_COMM_HOST", "SLURM_SRUN_COMM_PORT",
    "SLURM_STEP_LAUNCHER_PORT", "SLURM_UMASK",          "SLURM_LABELIO",
    "SLURM_CPUS_PER_TASK",      "SLURM_NTASKS_PER_NODE",     "SLURM_DISTRIBUTION"};

bool IsSrunOverride(const std::string& entry) {
  std::string name = entry.substr(0, entry.find('='));
  for (const char* k : kSrunOverrides)
    if (name == k) return true;
  return false;
}
}  // namespace

absl::Status ValidateStepLaunchTemplate(const v1::StepLaunchTemplate& launch) {
  for (const auto& e : launch.overrides())
    if (!IsSrunOverride(e))
      return absl::InvalidArgumentError(
          absl::StrCat("launch template overrides a variable srun does not set: ",
                       e.substr(0, e.find('='))));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::LaunchTasksRequest>> StepLaunchRequests(
    const v1::StepLaunchTemplate& launch, uint64_t job, const v1::CreateStepReply& step,
    const StepRunAs& who) {
  if (auto s = ValidateStepLaunchTemplate(launch); !s.ok()) return s;
  // The step's environment: srun's, the job's, then the step's own.
  std::map<std::string, std::string> vars;
  for (const auto& e : launch.env()) Put(&vars, e);
  for (const auto& e : step.env()) Put(&vars, e);
  if (launch.own_job())
    for (const char* k : {"SLURM_TASK_PID", "SLURM_NODE_ALIASES", "SLURM_JOB_GPUS",
                          "CUDA_VISIBLE_DEVICES", "GPU_DEVICE_ORDINAL"})
      vars.erase(k);
  std::vector<uint32_t> per_node;
  for (const auto& n : step.nodes()) per_node.push_back(static_cast<uint32_t>(n.tasks_size()));
  std::map<std::string, std::string> step_vars = {
      {"SLURM_STEPID", std::to_string(step.step_id())},
      {"SLURM_STEP_ID", std::to_string(step.step_id())},
      {"SLURM_STEP_NODELIST", step.node_list()},
      {"SLURM_STEP_NUM_NODES", std::to_string(step.nodes_size())},
      {"SLURM_STEP_NUM_TASKS", std::to_string(step.ntasks())},
      {"SLURM_STEP_TASKS_PER_NODE", FormatRepeatedCounts(per_node)},
      {"SLURM_NPROCS", std::to_string(step.ntasks())},
      {"SLURM_NTASKS", std::to_string(step.ntasks())}};
  if (step.ntasks() > 1) step_vars["SLURM_DISTRIBUTION"] = "block";
  for (const auto& [k, v] : step_vars) vars[k] = v;
  for (const auto& e : launch.overrides()) Put(&vars, e);

  // Built field by field: the user's choices from the template, the rest
  // from the controller's decision.
  v1::LaunchTasksRequest base;
  base.set_job_id(job);
  base.set_step_id(step.step_id());
  base.set_uid(who.uid);
  base.set_gid(who.gid);
  base.set_user(who.user);
  base.mutable_argv()->CopyFrom(launch.argv());
  for (const auto& [k, v] : vars) base.add_env(absl::StrCat(k, "=", v));
  base.set_cwd(launch.cwd());
  base.set_ntasks(step.ntasks());
  base.set_pty(launch.pty());
  base.set_io_address(launch.io_address());
  base.set_io_key(launch.io_key());
  base.set_stdin_all(launch.stdin_all());
  base.set_std_out(launch.std_out());
  base.set_std_err(launch.std_err());
  base.set_std_in(launch.std_in());
  base.set_multi_prog(launch.multi_prog());
  base.set_cpu_bind(launch.cpu_bind());
  base.set_job_name(vars.count("SLURM_JOB_NAME") ? vars["SLURM_JOB_NAME"] : launch.job_name());
  base.set_partition(vars["SLURM_JOB_PARTITION"]);
  std::vector<v1::LaunchTasksRequest> out;
  for (int i = 0; i < step.nodes_size(); ++i) {
    const auto& n = step.nodes(i);
    v1::LaunchTasksRequest req = base;
    for (uint32_t t : n.tasks()) req.add_tasks(t);
    req.set_node_index(static_cast<uint32_t>(i));
    req.set_cpus(n.cpus());
    for (uint32_t g : n.gpus()) req.add_gpus(g);
    req.set_mem_mb(n.mem_mb());
    req.set_job_cpus(n.job_cpus());
    req.set_job_mem_mb(n.job_mem_mb());
    for (uint32_t g : n.job_gpus()) req.add_job_gpus(g);
    out.push_back(std::move(req));
  }
  return out;
}

}  // namespace sluice::common
