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
}  // namespace

std::vector<v1::LaunchTasksRequest> StepLaunchRequests(const v1::StepLaunch& launch,
                                                       uint64_t job,
                                                       const v1::CreateStepReply& step) {
  // The step's environment: srun's, the job's, then the step's own.
  std::map<std::string, std::string> vars;
  for (const auto& e : launch.base().env()) Put(&vars, e);
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

  v1::LaunchTasksRequest base = launch.base();
  base.set_job_id(job);
  base.set_step_id(step.step_id());
  base.set_ntasks(step.ntasks());
  base.clear_env();
  for (const auto& [k, v] : vars) base.add_env(absl::StrCat(k, "=", v));
  if (vars.count("SLURM_JOB_NAME")) base.set_job_name(vars["SLURM_JOB_NAME"]);
  base.set_partition(vars["SLURM_JOB_PARTITION"]);
  std::vector<v1::LaunchTasksRequest> out;
  for (int i = 0; i < step.nodes_size(); ++i) {
    const auto& n = step.nodes(i);
    v1::LaunchTasksRequest req = base;
    for (uint32_t t : n.tasks()) req.add_tasks(t);
    req.set_node_index(static_cast<uint32_t>(i));
    req.set_cpus(n.cpus());
    for (uint32_t g : n.gpus()) req.add_gpus(g);
    out.push_back(std::move(req));
  }
  return out;
}

}  // namespace sluice::common
