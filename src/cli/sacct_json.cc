#include "cli/sacct_json.h"

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

J Step(const v1::AcctJob& a, const std::string& id, const std::string& name,
       const std::string& nodes, uint32_t nnodes, uint32_t ntasks, uint32_t cpus, int64_t start,
       int64_t end, common::JobState state, int code, int sig, const v1::StepUsage& u,
       int64_t now) {
  int64_t e = end ? end : now;
  return Obj{
      {"nodes", Obj{{"list", Arr{J(nodes)}}, {"count", nnodes}, {"range", nodes}}},
      {"tres", Obj{{"allocated", Arr{Tres("cpu", 1, cpus), Tres("mem", 2, 0),
                                     Tres("node", 4, nnodes)}}}},
      {"time", Obj{{"elapsed", start ? e - start : 0}, {"end", end}, {"start", start},
                   {"suspended", 0}, {"system", Cpu(u.sys_usec())},
                   {"total", Cpu(u.user_usec() + u.sys_usec())}, {"user", Cpu(u.user_usec())}}},
      {"exit_code", Exit(code, sig)},
      {"tasks", Obj{{"count", ntasks}}},
      {"pid", J()},
      {"kill_request_user", J()},
      {"state", std::string(common::JobStateName(state))},
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
    alloc = Arr{Tres("cpu", 1, j.num_cpus()), Tres("node", 4, j.num_nodes()),
                Tres("billing", 5, j.num_cpus())};
  Arr req{Tres("cpu", 1, j.num_cpus())};
  if (j.min_mem_mb()) req.push_back(Tres("mem", 2, j.min_mem_mb() * j.num_nodes()));
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
      {"flags", Arr{J("CLEAR_SCHEDULING")}},
      {"group", j.group_name()},
      {"het", Obj{{"job_id", 0}, {"job_offset", J()}}},
      {"job_id", j.job_id()},
      {"name", j.name()},
      {"mcs", Obj{{"label", ""}}},
      {"nodes", j.start_time() ? j.node_list() : "None assigned"},
      {"partition", j.partition()},
      {"priority", j.priority()},
      {"qos", "normal"},
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
