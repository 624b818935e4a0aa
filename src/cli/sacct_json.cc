#include "cli/sacct_json.h"

#include <algorithm>
#include <variant>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/data_doc.h"
#include "cli/sacct_fields.h"
#include "common/job_types.h"

namespace sluice::cli {
namespace {

namespace v1 = ::sluice::v1;

using J = DocValue;
using Obj = DocObj;
using Arr = DocArr;

J Exit(int code, int sig) {
  if (sig) return Obj{{"status", "SIGNALED"}, {"return_code", code},
                      {"signal", Obj{{"signal_id", sig}, {"name", ""}}}};
  return Obj{{"status", code ? "FAILED" : "SUCCESS"}, {"return_code", code}};
}

J Tres(const char* type, int id, J count) {
  return Obj{{"type", type}, {"name", J()}, {"id", id}, {"count", std::move(count)}};
}

J Cpu(int64_t usec) {
  return Obj{{"seconds", usec / 1000000}, {"microseconds", usec % 1000000}};
}

// One TRES usage entry; with a task and node for the max and min lists.
J Use(const char* type, const char* name, int id, J count, const J& task = J(),
      const std::string& node = "") {
  Obj o{{"type", type}, {"name", name ? J(name) : J()}, {"id", id}, {"count", std::move(count)}};
  if (!std::holds_alternative<std::nullptr_t>(task.v)) {
    o.emplace_back("task", task);
    o.emplace_back("node", node);
  }
  return o;
}

// A step's measured use as Slurm's TRESUsageIn* (requested) and
// TRESUsageOut* (consumed): CPU seconds, memory and virtual size in
// bytes. Disk and pages are not measured here: null; energy has no
// plugin, as in Slurm here: 0.
J UsageTres(const v1::StepUsage& u) {
  if (!u.known()) {
    Obj none{{"max", Arr{}}, {"min", Arr{}}, {"average", Arr{}}, {"total", Arr{}}};
    return Obj{{"requested", none}, {"consumed", none}};
  }
  int64_t tasks = std::max<int64_t>(1, u.tasks());
  int64_t total_cpu = (u.user_usec() + u.sys_usec()) / 1000000;
  int64_t kb = 1024;
  auto list = [&](J cpu, J cpu_task, const std::string& cpu_node, J mem, J mem_task,
                  const std::string& mem_node, J vm, J vm_task, const std::string& vm_node,
                  bool per_task) {
    J none;
    J t0 = per_task ? J(0) : none;
    return Arr{Use("cpu", nullptr, 1, std::move(cpu), per_task ? cpu_task : none, cpu_node),
               Use("mem", nullptr, 2, std::move(mem), per_task ? mem_task : none, mem_node),
               Use("energy", nullptr, 3, 0, t0, mem_node),
               Use("fs", "disk", 6, J(), t0, mem_node),
               Use("vmem", nullptr, 7, std::move(vm), per_task ? vm_task : none, vm_node),
               Use("pages", nullptr, 8, J(), t0, mem_node)};
  };
  J max = list(u.max_cpu_usec() / 1000000, u.max_cpu_task(), u.max_cpu_node(),
               static_cast<int64_t>(u.max_rss_kb()) * kb, u.max_rss_task(), u.max_rss_node(),
               static_cast<int64_t>(u.max_vm_kb()) * kb, u.max_vm_task(), u.max_vm_node(), true);
  J min = list(u.min_cpu_usec() / 1000000, u.min_cpu_task(), u.min_cpu_node(),
               static_cast<int64_t>(u.min_rss_kb()) * kb, u.min_rss_task(), u.min_rss_node(),
               static_cast<int64_t>(u.min_vm_kb()) * kb, u.min_vm_task(), u.min_vm_node(), true);
  J ave = list(total_cpu / tasks, J(), "", static_cast<int64_t>(u.ave_rss_kb()) * kb, J(), "",
               static_cast<int64_t>(u.ave_vm_kb()) * kb, J(), "", false);
  J tot = list(total_cpu, J(), "", static_cast<int64_t>(u.ave_rss_kb()) * kb * tasks, J(), "",
               static_cast<int64_t>(u.ave_vm_kb()) * kb * tasks, J(), "", false);
  auto out = [&](bool per_task) {
    J t0 = per_task ? J(0) : J();
    return Arr{Use("energy", nullptr, 3, 0, t0, u.max_rss_node()),
               Use("fs", "disk", 6, J(), t0, u.max_rss_node())};
  };
  return Obj{{"requested", Obj{{"max", max}, {"min", min}, {"average", ave}, {"total", tot}}},
             {"consumed", Obj{{"max", out(true)}, {"min", out(true)}, {"average", out(false)},
                              {"total", out(false)}}}};
}

J Step(const v1::AcctJob& a, const std::string& id, const std::string& name,
       const std::string& nodes, uint32_t nnodes, uint32_t ntasks, uint32_t cpus, int64_t start,
       int64_t end, common::JobState state, int code, int sig, const v1::StepUsage& u,
       int64_t now) {
  int64_t e = end ? end : now;
  return Obj{
      {"nodes", Obj{{"list", Arr{J(nodes)}}, {"count", nnodes}, {"range", nodes}}},
      {"tres", [&] {
         Obj t = std::get<Obj>(UsageTres(u).v);
         t.emplace_back("allocated", Arr{Tres("cpu", 1, cpus), Tres("mem", 2, 0),
                                         Tres("node", 4, nnodes)});
         return t;
       }()},
      {"time", Obj{{"elapsed", start ? e - start : 0}, {"end", end}, {"start", start},
                   {"suspended", 0}, {"system", Cpu(u.sys_usec())},
                   {"total", Cpu(u.user_usec() + u.sys_usec())}, {"user", Cpu(u.user_usec())}}},
      {"exit_code", Exit(code, sig)},
      {"tasks", Obj{{"count", ntasks}}},
      {"pid", J()},
      {"CPU", Obj{{"requested_frequency", Obj{{"min", 0}, {"max", 0}}}, {"governor", Arr{}}}},
      {"kill_request_user", J()},
      {"state", std::string(common::JobStateName(state))},
      {"statistics", Obj{{"CPU", Obj{{"actual_frequency", 0}}}, {"energy", Obj{{"consumed", 0}}}}},
      {"step", Obj{{"job_id", a.job().job_id()}, {"het", Obj{{"component", J()}}}, {"id", id},
                   {"name", name}}},
      {"task", Obj{{"distribution", "Unknown"}}},
  };
}

J Job(const v1::AcctJob& a, const std::string& cluster, int64_t now) {
  const v1::JobInfo& j = a.job();
  auto state = static_cast<common::JobState>(j.state());
  auto reason = common::JobReasonFromInt(j.reason());
  auto [dcode, dsig] = AcctDerivedExit(a);
  int64_t user = AcctJobCpuUsec(a, true, false), sys = AcctJobCpuUsec(a, false, true);
  int64_t end = j.end_time() ? j.end_time() : now;
  Arr steps;
  if (j.start_time() && !j.interactive())
    steps.push_back(Step(a, "batch", "batch", j.batch_host(), 1, 1, a.batch_cpus(), j.start_time(),
                         j.end_time(),
                         AcctBatchState(j),
                         j.exit_code(), j.exit_signal(), a.batch_usage(), now));
  for (const auto& s : a.steps())
    steps.push_back(Step(a, absl::StrCat(s.step_id()), s.name(), s.node_list(), s.nnodes(),
                         s.ntasks(), s.ncpus(), s.start_time(), s.end_time(),
                         static_cast<common::JobState>(s.state()), s.exit_code(), s.exit_signal(),
                         s.usage(), now));
  Arr alloc;
  if (j.start_time())
    alloc = Arr{Tres("cpu", 1, j.num_cpus()), Tres("energy", 3, J()),
                Tres("node", 4, j.num_nodes()), Tres("billing", 5, j.num_cpus())};
  Arr req{Tres("cpu", 1, j.num_cpus())};
  if (a.req_mem_mb()) req.push_back(Tres("mem", 2, a.req_mem_mb()));
  req.push_back(Tres("node", 4, j.num_nodes()));
  req.push_back(Tres("billing", 5, j.num_cpus()));
  bool array = j.array_job_id() != 0;
  return Obj{
      {"account", j.account()},
      {"comment", Obj{{"administrator", J()}, {"job", j.comment().empty() ? J() : J(j.comment())},
                      {"system", J()}}},
      {"allocation_nodes", j.start_time() ? j.num_nodes() : 0},
      {"array", Obj{{"job_id", array ? j.array_job_id() : 0},
                    {"limits", Obj{{"max", Obj{{"running", Obj{{"tasks", j.array_throttle()}}}}}}},
                    {"task", array && j.array_task_id() < 0 ? J(j.array_pending()) : J()},
                    {"task_id", array && j.array_task_id() >= 0 ? J(j.array_task_id()) : J()}}},
      {"association", Obj{{"account", j.account()}, {"cluster", cluster}, {"partition", J()},
                          {"user", j.user_name()}}},
      {"cluster", cluster},
      {"constraints", ""},
      {"container", J()},
      {"derived_exit_code", Exit(dcode, dsig)},
      {"time", Obj{{"elapsed", j.start_time() ? end - j.start_time() : 0},
                   {"eligible", a.eligible_time()}, {"end", j.end_time()},
                   {"start", j.start_time()}, {"submission", j.submit_time()}, {"suspended", 0},
                   {"system", Cpu(sys)},
                   {"limit", j.time_limit_min() < 0 ? J() : J(j.time_limit_min())},
                   {"total", Cpu(user + sys)}, {"user", Cpu(user)}}},
      {"exit_code", Exit(j.exit_code(), j.exit_signal())},
      {"flags", j.start_time() ? Arr{J("CLEAR_SCHEDULING"),
                                     J(absl::StartsWith(j.scheduler(), "Backfill")
                                           ? "STARTED_ON_BACKFILL"
                                           : "STARTED_ON_SCHEDULE")}
                               : Arr{J("CLEAR_SCHEDULING")}},
      {"group", j.group_name()},
      {"het", Obj{{"job_id", 0}, {"job_offset", J()}}},
      {"job_id", j.job_id()},
      {"name", j.name()},
      {"mcs", Obj{{"label", ""}}},
      {"nodes", j.start_time() ? j.node_list() : "None assigned"},
      {"partition", j.partition()},
      {"priority", j.priority()},
      {"qos", j.qos().empty() ? "normal" : j.qos()},
      {"required", Obj{{"CPUs", j.num_cpus()}, {"memory", j.min_mem_mb()}}},
      {"kill_request_user", a.cancelled_by() >= 0 ? J(a.cancelled_by()) : J()},
      {"reservation", Obj{{"id", 0}, {"name", 0}}},
      {"state", Obj{{"current", std::string(common::JobStateName(state))},
                    {"reason", std::string(common::JobReasonName(
                                   reason ? *reason : common::JobReason::kNone))}}},
      {"steps", std::move(steps)},
      {"tres", Obj{{"allocated", std::move(alloc)}, {"requested", std::move(req)}}},
      {"user", j.user_name()},
      {"wckey", Obj{{"wckey", ""}, {"flags", Arr{}}}},
      {"working_directory", j.work_dir()},
  };
}

}  // namespace

std::string AcctJson(const std::vector<const v1::AcctJob*>& jobs, const std::string& cluster,
                     int64_t now, bool yaml) {
  Arr list;
  for (const auto* a : jobs) list.push_back(Job(*a, cluster, now));
  J doc = DataDocument("openapi/dbv0.0.38", "Slurm OpenAPI DB v0.0.38", "jobs", std::move(list));
  return yaml ? DocYaml(doc) : DocJson(doc);
}

}  // namespace sluice::cli
