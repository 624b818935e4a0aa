#include "cli/views_json.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cli/data_doc.h"
#include "cli/scontrol_format.h"
#include "common/hostlist.h"
#include "common/job_types.h"

namespace sluice::cli {
namespace {

namespace v1 = ::sluice::v1;
using common::JobReason;
using common::JobState;
using J = DocValue;
using Obj = DocObj;
using Arr = DocArr;

bool Held(const v1::JobInfo& j) {
  auto r = common::JobReasonFromInt(j.reason());
  return j.state() == v1::JOB_STATE_PENDING && r &&
         (*r == JobReason::kJobHeldUser || *r == JobReason::kJobHeldAdmin);
}

// "gpu:1(IDX:0)" for each node the job holds GPUs on, as Slurm's detail.
Arr GresDetail(const v1::JobInfo& j) {
  Arr out;
  for (const auto& a : j.allocs())
    if (std::string g = JobNodeGres(j, a); !g.empty()) out.emplace_back(g);
  return out;
}

J Resources(const v1::JobInfo& j) {
  Arr nodes;
  uint32_t cores = 0;
  for (const auto& a : j.allocs()) {
    Obj ids;
    for (uint32_t c : a.cpu_ids()) ids.emplace_back(std::to_string(c), "allocated");
    cores += a.cpus();
    nodes.emplace_back(Obj{{"sockets", Obj{{"0", Obj{{"cores", std::move(ids)}}}}},
                           {"nodename", a.node()},
                           {"cpus_used", 0},
                           {"memory_used", 0},
                           {"memory_allocated", 0}});
  }
  return Obj{{"nodes", j.node_list()},
             {"allocated_cores", cores},
             {"allocated_hosts", j.allocs_size()},
             {"allocated_nodes", std::move(nodes)}};
}

Arr Flags(const v1::JobInfo& j) {
  Arr f;
  auto st = static_cast<JobState>(j.state());
  if (common::IsFinished(st)) f.emplace_back("TRES_STR_CALC");
  else if (j.start_time()) f.emplace_back("JOB_WAS_RUNNING");
  if (j.cpus_per_task_set()) f.emplace_back("JOB_CPUS_SET");
  if (j.min_mem_mb()) f.emplace_back("JOB_MEM_SET");
  return f;
}

J Job(const v1::JobInfo& j) {
  auto st = static_cast<JobState>(j.state());
  auto reason = common::JobReasonFromInt(j.reason());
  bool started = j.start_time() != 0 && st != JobState::kPending;
  bool held = Held(j);
  bool array = j.array_job_id() != 0;
  int64_t end = j.end_time();
  if (!common::IsFinished(st) && started && j.time_limit_min() >= 0)
    end = j.start_time() + j.time_limit_min() * 60 + j.suspended_secs();
  std::string tasks = array && j.array_task_id() < 0 ? j.array_pending() : "";
  if (!tasks.empty() && j.array_throttle()) absl::StrAppend(&tasks, "%", j.array_throttle());
  std::string dep = ScontrolDependency(j);
  Obj o{
      {"account", j.account()},
      {"accrue_time", held ? 0 : j.eligible_time()},
      {"admin_comment", ""},
      {"array_job_id", j.array_job_id()},
      {"array_task_id", array && j.array_task_id() >= 0 ? J(j.array_task_id()) : J()},
      {"array_max_tasks", j.array_throttle()},
      {"array_task_string", tasks},
      {"association_id", 0},
      {"batch_features", ""},
      {"batch_flag", !j.interactive()},
      {"batch_host", j.batch_host()},
      {"flags", Flags(j)},
      {"burst_buffer", ""},
      {"burst_buffer_state", ""},
      {"cluster", j.cluster()},
      {"cluster_features", ""},
      {"command", j.command()},
      {"comment", j.comment()},
      {"container", ""},
      {"contiguous", j.contiguous()},
      {"core_spec", J()},
      {"thread_spec", J()},
      {"cores_per_socket", J()},
      {"billable_tres", started ? J(static_cast<double>(j.num_cpus())) : J()},
      {"cpus_per_task", J()},
      {"cpu_frequency_minimum", J()},
      {"cpu_frequency_maximum", J()},
      {"cpu_frequency_governor", J()},
      {"cpus_per_tres", j.cpus_per_tres()},
      {"deadline", j.deadline()},
      {"delay_boot", 0},
      {"dependency", dep == "(null)" ? "" : dep},
      // Wait statuses, as Slurm keeps them.
      {"derived_exit_code", j.derived_exit_code() << 8},
      {"eligible_time", held ? 0 : j.eligible_time()},
      {"end_time", end},
      {"excluded_nodes", j.exc_nodes()},
      {"exit_code", (j.exit_code() << 8) | j.exit_signal()},
      {"features", j.features()},
      {"federation_origin", ""},
      {"federation_siblings_active", ""},
      {"federation_siblings_viable", ""},
      {"gres_detail", GresDetail(j)},
      {"group_id", j.group_id()},
      {"group_name", j.group_name()},
      {"job_id", j.job_id()},
  };
  if (!j.allocs().empty()) o.emplace_back("job_resources", Resources(j));
  Obj rest{
      {"job_state", std::string(common::JobStateName(
                        j.completing() ? JobState::kCompleting : st))},
      // Sluice schedules at submission and at each change; a started job's
      // last evaluation is its start.
      {"last_sched_evaluation", started ? j.start_time() : j.submit_time()},
      {"licenses", ""},
      {"max_cpus", 0},
      {"max_nodes", 0},
      {"mcs_label", ""},
      {"memory_per_tres", j.mem_per_tres()},
      {"name", j.name()},
      {"nodes", j.node_list()},
      {"nice", j.nice() ? J(j.nice()) : J()},
      {"tasks_per_core", J()},
      {"tasks_per_node", j.ntasks_per_node()},
      {"tasks_per_socket", J()},
      {"tasks_per_board", 0},
      {"cpus", j.num_cpus()},
      {"node_count", j.num_nodes()},
      {"tasks", j.num_tasks()},
      {"het_job_id", 0},
      {"het_job_id_set", ""},
      {"het_job_offset", 0},
      {"partition", j.partition()},
      {"prefer", ""},
      {"memory_per_node", j.min_mem_mb() ? J(j.min_mem_mb()) : J()},
      {"memory_per_cpu", J()},
      {"minimum_cpus_per_node", std::max<uint32_t>(1, j.cpus_per_task())},
      {"minimum_tmp_disk_per_node", j.min_tmp_disk_mb()},
      {"preempt_time", 0},
      {"pre_sus_time", j.pre_suspend_secs()},
      {"priority", j.priority()},
      {"profile", J()},
      {"qos", j.qos().empty() ? "normal" : j.qos()},
      {"reboot", false},
      {"required_nodes", j.req_nodes()},
      {"requeue", j.requeue()},
      {"resize_time", 0},
      {"restart_cnt", j.restart_count()},
      {"resv_name", ""},
      {"shared", J()},
      {"show_flags", DocStrings({"SHOW_ALL", "SHOW_DETAIL", "SHOW_LOCAL"})},
      {"sockets_per_board", 0},
      {"sockets_per_node", J()},
      {"start_time", started ? j.start_time() : j.expected_start()},
      {"state_description", ""},
      {"state_reason", std::string(common::JobReasonName(reason ? *reason : JobReason::kNone))},
      {"standard_error", j.std_err_given()},
      {"standard_input", j.std_in()},
      {"standard_output", j.std_out_given()},
      {"submit_time", j.submit_time()},
      {"suspend_time", j.suspend_time()},
      {"system_comment", ""},
      {"time_limit", j.time_limit_min() >= 0 ? J(j.time_limit_min()) : J()},
      {"time_minimum", j.time_min_min()},
      {"threads_per_core", J()},
      {"tres_bind", ""},
      {"tres_freq", ""},
      {"tres_per_job", ""},
      {"tres_per_node", j.tres_per_node()},
      {"tres_per_socket", ""},
      {"tres_per_task", ""},
      {"tres_req_str", j.tres_req().empty() ? j.tres() : j.tres_req()},
      {"tres_alloc_str", started ? j.tres() : ""},
      {"user_id", j.user_id()},
      {"user_name", j.user_name()},
      {"wckey", ""},
      {"current_working_directory", j.work_dir()},
  };
  for (auto& kv : rest) o.push_back(std::move(kv));
  return o;
}

J Node(const v1::NodeInfo& n) {
  const auto& h = n.host();
  bool used = n.alloc_cpus() != 0;
  std::string gres_used;
  if (n.gpus_total()) {
    std::string type = !n.gpus().empty() && !n.gpus(0).type().empty() ? n.gpus(0).type() + ":" : "";
    gres_used = absl::StrCat("gpu:", type, n.gpus_alloc());
  }
  Arr flags;
  if (n.drain()) flags.emplace_back("DRAIN");
  if (!n.responding()) flags.emplace_back("NOT_RESPONDING");
  std::string state = common::NodeStateLong(static_cast<common::NodeBaseState>(n.state()),
                                            false, true);
  return Obj{
      {"architecture", h.arch()},
      {"burstbuffer_network_address", ""},
      {"boards", 1},
      {"boot_time", h.boot_time()},
      {"comment", ""},
      {"cores", n.cpus()},
      {"cpu_binding", 0},
      {"cpu_load", h.cpu_load_x100()},
      {"extra", ""},
      {"free_memory", h.free_mem_mb()},
      {"cpus", n.cpus()},
      {"last_busy", n.last_busy()},
      {"features", n.features()},
      {"active_features", n.features()},
      {"gres", n.gres()},
      {"gres_drained", "N/A"},
      {"gres_used", gres_used},
      {"mcs_label", ""},
      {"name", n.name()},
      {"next_state_after_reboot", "invalid"},
      {"address", n.addr()},
      {"hostname", n.hostname()},
      {"state", state},
      {"state_flags", std::move(flags)},
      {"next_state_after_reboot_flags", Arr{}},
      {"operating_system", h.os()},
      {"owner", J()},
      {"partitions", DocStrings({n.partitions().begin(), n.partitions().end()})},
      {"port", n.port()},
      {"real_memory", n.real_memory_mb()},
      {"reason", n.reason()},
      {"reason_changed_at", n.reason().empty() ? 0 : n.reason_time()},
      {"reason_set_by_user", n.reason().empty() ? J() : J(n.reason_user().empty() ? "root" : n.reason_user())},
      {"slurmd_start_time", h.daemon_start()},
      {"sockets", 1},
      {"threads", 1},
      {"temporary_disk", n.tmp_disk_mb()},
      {"weight", 1},
      {"tres", absl::StrCat("cpu=", n.cpus(), ",mem=", n.real_memory_mb(), "M,billing=", n.cpus())},
      {"slurmd_version", "22.05.8"},
      {"alloc_memory", n.alloc_memory_mb()},
      {"alloc_cpus", n.alloc_cpus()},
      {"idle_cpus", n.cpus() - std::min(n.cpus(), n.alloc_cpus())},
      {"tres_used", used ? J(absl::StrCat("cpu=", n.alloc_cpus(),
                                          n.alloc_memory_mb() ? absl::StrCat(",mem=", n.alloc_memory_mb(), "M") : ""))
                         : J()},
      {"tres_weighted", static_cast<double>(n.alloc_cpus())},
  };
}

}  // namespace

std::string SinfoDocument(const v1::QueryClusterReply& cluster, bool yaml) {
  Arr list;
  for (const auto& n : cluster.nodes()) list.push_back(Node(n));
  J doc = DataDocument("openapi/v0.0.38", "Slurm OpenAPI v0.0.38", "nodes", std::move(list));
  return yaml ? DocYaml(doc) : DocJson(doc);
}

std::string SqueueDocument(const v1::QueryJobsReply& rep, bool yaml) {
  std::vector<const v1::JobInfo*> jobs;
  for (const auto& j : rep.jobs()) jobs.push_back(&j);
  std::stable_sort(jobs.begin(), jobs.end(),
                   [](auto* a, auto* b) { return a->job_id() < b->job_id(); });
  Arr list;
  for (const auto* j : jobs) list.push_back(Job(*j));
  J doc = DataDocument("openapi/v0.0.38", "Slurm OpenAPI v0.0.38", "jobs", std::move(list));
  return yaml ? DocYaml(doc) : DocJson(doc);
}

}  // namespace sluice::cli
