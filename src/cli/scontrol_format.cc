#include "cli/array_ids.h"
#include "cli/scontrol_format.h"
#include "cli/squeue_fields.h"
#include "common/sizes.h"

#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "cli/sinfo_fields.h"
#include "common/job_types.h"
#include "common/output_pattern.h"
#include "common/hostlist.h"
#include "common/time_spec.h"

namespace sluice::cli {

absl::StatusOr<std::string> ShowHostlist(const std::string& expr, bool sorted) {
  auto hosts = common::ExpandHostlist(expr);
  if (!hosts.ok()) return hosts.status();
  return sorted ? common::CompressHostlistSorted(*hosts) : common::CompressHostlistOrdered(*hosts);
}

namespace {

using ::sluice::v1::JobInfo;
using Lines = std::vector<std::vector<std::string>>;

std::string Render(const Lines& lines, bool one_liner) {
  std::string out;
  if (one_liner) {
    std::vector<std::string> all;
    for (const auto& l : lines)
      for (const auto& kv : l) all.push_back(kv);
    return absl::StrJoin(all, " ") + "\n";
  }
  for (size_t i = 0; i < lines.size(); ++i)
    absl::StrAppend(&out, i ? "   " : "", absl::StrJoin(lines[i], " "), "\n");
  return out;
}

std::string Ts(int64_t t) { return t ? common::FormatTimestamp(t) : "Unknown"; }

std::string Limit(int64_t minutes) {
  if (minutes == common::kTimeInfinite) return "UNLIMITED";
  if (minutes < 0) return "INVALID";
  return common::FormatDurationLong(minutes * 60);
}

}  // namespace

std::string JobNodeGres(const ::sluice::v1::JobInfo& j, const ::sluice::v1::NodeAlloc& a) {
  if (a.gpus().empty()) return "";
  std::string gpu = "gpu";
  std::vector<std::string> parts = absl::StrSplit(j.tres_per_node(), ':');
  if (parts.size() == 4) gpu = absl::StrCat("gpu:", parts[2]);  // gres:gpu:TYPE:N
  std::vector<uint32_t> idx(a.gpus().begin(), a.gpus().end());
  return absl::StrCat(gpu, ":", idx.size(), "(IDX:", common::FormatIdRanges(idx), ")");
}

// Slurm lists a waiting job's dependencies one by one with their state
// ("afterok:5(unfulfilled)"; "(failed)" once it can never be met) and
// clears them when the job starts.
std::string ScontrolDependency(const ::sluice::v1::JobInfo& j) {
  if (j.dependency().empty() || j.state() != ::sluice::v1::JOB_STATE_PENDING) return "(null)";
  bool never = j.reason() == static_cast<uint32_t>(common::JobReason::kDependencyNeverSatisfied);
  std::vector<std::string> out;
  for (absl::string_view part : absl::StrSplit(j.dependency(), ',')) {
    std::vector<absl::string_view> f = absl::StrSplit(part, ':');
    for (size_t i = 1; i < f.size() || i == 1; ++i)
      out.push_back(absl::StrCat(f[0], i < f.size() ? absl::StrCat(":", f[i]) : "",
                                 never ? "(failed)" : "(unfulfilled)"));
  }
  return absl::StrJoin(out, ",");
}

std::string ScontrolJob(const JobInfo& j, int64_t now, bool one_liner, bool details) {
  auto state = static_cast<common::JobState>(j.state());
  auto reason = common::JobReasonFromInt(j.reason());
  bool pending = state == common::JobState::kPending;
  bool held = pending && (j.priority() == 0);
  const int64_t run = Elapsed(j, now);  // less any time suspended
  // A pending job's --begin time stands until the scheduler has an estimate
  // (a held job never gets one), as Slurm shows it.
  std::string start = pending ? (j.expected_start()    ? Ts(j.expected_start())
                                 : j.eligible_time() > now ? Ts(j.eligible_time())
                                                    : "Unknown")
                              : Ts(j.start_time());
  std::string end = "Unknown";
  if (common::IsFinished(state)) end = Ts(j.end_time());
  else if (!pending && j.time_limit_min() >= 0)
    end = Ts(j.start_time() + j.time_limit_min() * 60 + j.suspended_secs());
  common::OutputPatternVars vars{j.job_id(), j.name(), j.user_name(),
                                 j.batch_host(), j.array_job_id(), j.array_task_id()};
  Lines l;
  l.push_back({absl::StrCat("JobId=", j.job_id())});
  if (j.array_job_id()) {
    l.back().push_back(absl::StrCat("ArrayJobId=", j.array_job_id()));
    l.back().push_back(absl::StrCat("ArrayTaskId=", ArrayTaskText(j)));
    if (j.array_throttle())
      l.back().push_back(absl::StrCat("ArrayTaskThrottle=", j.array_throttle()));
  }
  l.back().push_back(absl::StrCat("JobName=", j.name()));
  l.push_back({absl::StrCat("UserId=", j.user_name(), "(", j.user_id(), ")"),
               absl::StrCat("GroupId=", j.group_name(), "(", j.group_id(), ")"),
               "MCS_label=N/A"});
  l.push_back({absl::StrCat("Priority=", j.priority()), absl::StrCat("Nice=", j.nice()), absl::StrCat("Account=", j.account().empty() ? "(null)" : j.account()),
               absl::StrCat("QOS=", j.qos().empty() ? "(null)" : j.qos())});
  l.push_back({absl::StrCat("JobState=",
                            common::JobStateName(j.completing()
                                                     ? common::JobState::kCompleting
                                                     : state)),
               absl::StrCat("Reason=", absl::StrReplaceAll(
                                           common::JobReasonName(
                                               reason ? *reason : common::JobReason::kNone),
                                           {{" ", "_"}})),
               absl::StrCat("Dependency=", ScontrolDependency(j))});
  l.push_back({absl::StrCat("Requeue=", j.requeue() ? 1 : 0),
               absl::StrCat("Restarts=", j.restart_count()), "BatchFlag=1", "Reboot=0",
               absl::StrCat("ExitCode=", j.exit_code(), ":", j.exit_signal())});
  if (details) l.push_back({absl::StrCat("DerivedExitCode=", j.derived_exit_code(), ":0")});
  l.push_back({absl::StrCat("RunTime=", common::FormatDurationLong(run)),
               absl::StrCat("TimeLimit=", Limit(j.time_limit_min())),
               absl::StrCat("TimeMin=", j.time_min_min() > 0 ? Limit(j.time_min_min()) : "N/A")});
  l.push_back({absl::StrCat("SubmitTime=", Ts(j.submit_time())),
               absl::StrCat("EligibleTime=", held ? "Unknown" : Ts(j.eligible_time()))});
  l.push_back({absl::StrCat("AccrueTime=", held ? "Unknown" : Ts(j.eligible_time()))});
  l.push_back({absl::StrCat("StartTime=", start), absl::StrCat("EndTime=", end),
               absl::StrCat("Deadline=", j.deadline() ? Ts(j.deadline()) : "N/A")});
  l.push_back({absl::StrCat("SuspendTime=", j.suspend_time() ? Ts(j.suspend_time()) : "None"),
               absl::StrCat("SecsPreSuspend=", j.pre_suspend_secs()),
               absl::StrCat("LastSchedEval=", Ts(pending || !j.start_time() ? now : j.start_time())),
               absl::StrCat("Scheduler=", j.scheduler().empty() ? "Main" : j.scheduler())});
  l.push_back({absl::StrCat("Partition=", j.partition()),
               absl::StrCat("AllocNode:Sid=", j.alloc_node().empty() ? "(null)" : j.alloc_node(), ":",
                            j.alloc_sid())});
  l.push_back({absl::StrCat("ReqNodeList=", j.req_nodes().empty() ? "(null)" : j.req_nodes()),
               absl::StrCat("ExcNodeList=", j.exc_nodes().empty() ? "(null)" : j.exc_nodes())});
  l.push_back({absl::StrCat("NodeList=", j.node_list())});
  if (!j.batch_host().empty())
    l.push_back({absl::StrCat("BatchHost=", j.batch_host())});
  if (pending && !j.sched_nodes().empty())
    l.push_back({absl::StrCat("SchedNodeList=", j.sched_nodes())});
  l.push_back({absl::StrCat("NumNodes=", j.num_nodes()),
               absl::StrCat("NumCPUs=", j.num_cpus()),
               absl::StrCat("NumTasks=", j.num_tasks()),
               absl::StrCat("CPUs/Task=", j.cpus_per_task()), "ReqB:S:C:T=0:0:*:*"});
  l.push_back({absl::StrCat("TRES=", j.tres())});
  l.push_back({"Socks/Node=*", "NtasksPerN:B:S:C=0:0:*:*", "CoreSpec=*"});
  if (details && !j.allocs().empty()) {
    l.push_back({absl::StrCat("JOB_GRES=", j.tres_per_node().empty()
                                               ? "(null)"
                                               : j.tres_per_node().substr(j.tres_per_node().find(':') + 1))});
    for (const auto& a : j.allocs()) {
      std::vector<uint32_t> cpus(a.cpu_ids().begin(), a.cpu_ids().end());
      // (One line's leading spaces: five with the usual three, as Slurm.)
      l.push_back({absl::StrCat("  Nodes=", a.node(), " CPU_IDs=", common::FormatIdRanges(cpus),
                                " Mem=", a.mem_mb(), " GRES=", JobNodeGres(j, a))});
    }
  }
  // Slurm's pn_min_cpus: a task's CPUs, times the tasks asked per node.
  l.push_back({absl::StrCat("MinCPUsNode=", std::max<uint32_t>(1, j.cpus_per_task()) *
                                                std::max<uint32_t>(1, j.ntasks_per_node())),
               absl::StrCat("MinMemoryNode=", j.min_mem_mb() ? absl::StrCat(j.min_mem_mb(), "M") : "0"),
               absl::StrCat("MinTmpDiskNode=",
                            j.min_tmp_disk_mb() ? absl::StrCat(j.min_tmp_disk_mb(), "M") : "0")});
  l.push_back({absl::StrCat("Features=", j.features().empty() ? "(null)" : j.features()),
               "DelayBoot=00:00:00"});
  l.push_back({j.exclusive() ? "OverSubscribe=NO" : "OverSubscribe=OK",
               absl::StrCat("Contiguous=", j.contiguous() ? 1 : 0), "Licenses=(null)",
               "Network=(null)"});
  l.push_back({absl::StrCat("Command=", j.command().empty() ? "(null)" : j.command())});
  l.push_back({absl::StrCat("WorkDir=", j.work_dir())});
  if (!j.comment().empty()) l.push_back({absl::StrCat("Comment=", j.comment()), ""});
  l.push_back({absl::StrCat("StdErr=", common::ExpandOutputPattern(j.std_err(), vars))});
  l.push_back({absl::StrCat("StdIn=", j.std_in())});
  l.push_back({absl::StrCat("StdOut=", common::ExpandOutputPattern(j.std_out(), vars))});
  l.push_back({"Power="});
  if (!j.tres_per_node().empty())
    l.push_back({absl::StrCat("TresPerNode=", j.tres_per_node())});
  if (one_liner) {  // (Slurm ends a job's one line with a space; nodes' and partitions' not)
    std::string line = Render(l, true);
    return line.insert(line.size() - 1, " ");
  }
  return Render(l, false) + "   \n\n";
}

std::string ScontrolStep(const JobInfo& j, const ::sluice::v1::StepInfo* st, bool one_liner) {
  Lines l;
  if (!st) {  // the batch step: no CPUs or TRES of its own, no srun
    l.push_back({absl::StrCat("StepId=", j.job_id(), ".batch"), absl::StrCat("UserId=", j.user_id()),
                 absl::StrCat("StartTime=", Ts(j.start_time())),
                 absl::StrCat("TimeLimit=", Limit(j.time_limit_min()))});
    l.push_back({"State=RUNNING", absl::StrCat("Partition=", j.partition()),
                 absl::StrCat("NodeList=", j.batch_host())});
    l.push_back({"Nodes=1", "CPUs=0", "Tasks=1", "Name=batch", "Network=(null)"});
    l.push_back({"TRES=(null)"});
    l.push_back({"ResvPorts=(null)"});
    l.push_back({"CPUFreqReq=Default"});
    l.push_back({"SrunHost:Pid=(null):0"});
  } else {
    l.push_back({absl::StrCat("StepId=", j.job_id(), ".", st->step_id()),
                 absl::StrCat("UserId=", j.user_id()), absl::StrCat("StartTime=", Ts(st->start_time())),
                 absl::StrCat("TimeLimit=", Limit(j.time_limit_min()))});
    l.push_back({"State=RUNNING", absl::StrCat("Partition=", j.partition()),
                 absl::StrCat("NodeList=", st->node_list())});
    l.push_back({absl::StrCat("Nodes=", st->nnodes()), absl::StrCat("CPUs=", st->cpus()),
                 absl::StrCat("Tasks=", st->ntasks()), absl::StrCat("Name=", st->name()),
                 "Network=(null)"});
    uint64_t mem = st->mem_mb() * st->nnodes();
    l.push_back({absl::StrCat("TRES=cpu=", st->cpus(), ",mem=", mem ? common::FormatTresMemMB(mem) : "0",
                              ",node=", st->nnodes())});
    l.push_back({"ResvPorts=(null)"});
    l.push_back({"CPUFreqReq=Default", st->cyclic() ? "Dist=Cyclic" : "Dist=Block"});
    l.push_back({absl::StrCat("SrunHost:Pid=", st->srun_host().empty() ? "(null)" : st->srun_host(), ":",
                              st->srun_pid())});
  }
  if (one_liner) return Render(l, true);
  return Render(l, false) + "\n";
}

std::string ScontrolNode(const ::sluice::v1::NodeInfo& n, bool one_liner,
                         bool details) {
  auto base = static_cast<common::NodeBaseState>(n.state());
  std::string state = common::NodeStateLong(base, false, true);
  for (auto& c : state) c = static_cast<char>(toupper(c));
  if (n.drain()) state += "+DRAIN";
  if (!n.responding() && base != common::NodeBaseState::kDown) state += "+NOT_RESPONDING";
  const auto& h = n.host();
  auto when = [](int64_t t) { return t ? common::FormatTimestamp(t) : std::string("None"); };
  Lines l;
  // (Slurm ends the first, OS and Partitions lines with a space.)
  l.push_back({absl::StrCat("NodeName=", n.name()), absl::StrCat("Arch=", n.host().arch().empty() ? "(null)" : n.host().arch()),
               absl::StrCat("CoresPerSocket=", n.cpus()), ""});
  l.push_back({absl::StrCat("CPUAlloc=", n.alloc_cpus()),
               absl::StrCat("CPUEfctv=", n.cpus()), absl::StrCat("CPUTot=", n.cpus()),
               absl::StrFormat("CPULoad=%d.%02d", h.cpu_load_x100() / 100, h.cpu_load_x100() % 100)});
  l.push_back({absl::StrCat("AvailableFeatures=", n.features().empty() ? "(null)" : n.features())});
  l.push_back({absl::StrCat("ActiveFeatures=", n.features().empty() ? "(null)" : n.features())});
  l.push_back({absl::StrCat("Gres=", n.gres().empty() ? "(null)" : n.gres())});
  if (details) {
    l.push_back({"GresDrain=N/A"});
    l.push_back({absl::StrCat("GresUsed=", SinfoGresUsed(n))});
  }
  l.push_back({absl::StrCat("NodeAddr=", n.addr()),
               absl::StrCat("NodeHostName=", n.hostname()), absl::StrCat("Port=", n.port()),
               "Version=22.05.8"});
  l.push_back({absl::StrCat("OS=", h.os().empty() ? "(null)" : h.os()), ""});
  l.push_back({absl::StrCat("RealMemory=", n.real_memory_mb()),
               absl::StrCat("AllocMem=", n.alloc_memory_mb()),
               absl::StrCat("FreeMem=", h.daemon_start() ? std::to_string(h.free_mem_mb()) : "N/A"),
               "Sockets=1", "Boards=1"});
  l.push_back({absl::StrCat("State=", state), "ThreadsPerCore=1", absl::StrCat("TmpDisk=", n.tmp_disk_mb()),
               "Weight=1", "Owner=N/A", "MCS_label=N/A"});
  l.push_back({absl::StrCat("Partitions=", absl::StrJoin(n.partitions(), ",")), ""});
  l.push_back({absl::StrCat("BootTime=", when(h.boot_time())),
               absl::StrCat("SlurmdStartTime=", when(h.daemon_start()))});
  l.push_back({absl::StrCat("LastBusyTime=", when(n.last_busy()))});
  // gres/gpu is not among Slurm's default AccountingStorageTRES.
  l.push_back({absl::StrCat("CfgTRES=cpu=", n.cpus(), ",mem=", n.real_memory_mb(),
                            "M,billing=", n.cpus())});
  std::string alloc;
  if (n.alloc_cpus())
    alloc = absl::StrCat("cpu=", n.alloc_cpus(),
                         n.alloc_memory_mb() ? absl::StrCat(",mem=", n.alloc_memory_mb(), "M") : "");
  l.push_back({absl::StrCat("AllocTRES=", alloc)});
  l.push_back({"CapWatts=n/a"});
  l.push_back({"CurrentWatts=0", "AveWatts=0"});
  l.push_back({"ExtSensorsJoules=n/s", "ExtSensorsWatts=0", "ExtSensorsTemp=n/s"});
  if (!n.reason().empty())
    l.push_back({absl::StrCat("Reason=", n.reason(), " [", n.reason_user().empty() ? "root" : n.reason_user(),
                              "@", when(n.reason_time()), "]")});
  // Sluice's extension, with -d: each GPU's latest telemetry, a line per GPU.
  if (details) {
    for (const auto& g : n.gpus()) {
      std::vector<std::string> f = {absl::StrCat("GPU", g.index(), ":"),
                                    absl::StrCat("Job=", g.job_id() ? std::to_string(g.job_id()) : "none"),
                                    absl::StrCat("Health=", g.health().empty() ? "OK" : "FAIL")};
      if (g.telemetry()) {
        f.push_back(absl::StrCat("Util=", g.gpu_util_pct(), "%"));
        f.push_back(absl::StrCat("MemUtil=", g.mem_util_pct(), "%"));
        f.push_back(absl::StrCat("Mem=", g.memory_used_mb(), "/", g.memory_total_mb(), "M"));
        f.push_back(absl::StrCat("Temp=", g.temperature_c(), "C"));
        f.push_back(absl::StrCat("Power=", g.power_mw() / 1000, "/", g.power_limit_mw() / 1000, "W"));
        f.push_back(absl::StrCat("ECC=", g.ecc_corrected(), "/", g.ecc_uncorrected()));
        f.push_back(absl::StrCat("RetiredPages=", g.retired_pages()));
        f.push_back(absl::StrCat("LastXid=", g.last_xid() ? std::to_string(g.last_xid()) : "none"));
      }
      f.push_back(absl::StrCat("UUID=", g.uuid()));
      if (!g.pci_bus_id().empty()) f.push_back(absl::StrCat("Bus=", g.pci_bus_id()));
      f.push_back(absl::StrCat("Model=", absl::StrReplaceAll(g.name().empty() ? "gpu" : g.name(),
                                                            {{" ", "_"}})));
      l.push_back(f);
      if (!g.health().empty()) l.push_back({absl::StrCat("GPU", g.index(), "Problem=", g.health())});
    }
  }
  if (one_liner) return Render(l, true);
  return Render(l, false) + "\n";
}

std::string ScontrolPartition(const ::sluice::v1::PartitionInfo& p,
                              const ::sluice::v1::QueryClusterReply& cluster,
                              bool one_liner) {
  std::map<std::string, const ::sluice::v1::NodeInfo*> nodes;
  for (const auto& n : cluster.nodes()) nodes[n.name()] = &n;
  uint64_t cpus = 0, mem = 0;
  std::vector<std::string> names;
  for (const auto& name : p.nodes()) {
    names.push_back(name);
    if (auto it = nodes.find(name); it != nodes.end()) {
      cpus += it->second->cpus();
      mem += it->second->real_memory_mb();
    }
  }
  auto limit = [](int64_t m) {
    return m < 0 ? std::string("UNLIMITED") : common::FormatDurationLong(m * 60);
  };
  Lines l;
  l.push_back({absl::StrCat("PartitionName=", p.name())});
  auto list = [](const auto& v) { return v.empty() ? std::string("ALL") : absl::StrJoin(v, ","); };
  l.push_back({absl::StrCat("AllowGroups=", list(p.allow_groups())),
               p.deny_accounts_size() ? absl::StrCat("DenyAccounts=", absl::StrJoin(p.deny_accounts(), ","))
                                      : absl::StrCat("AllowAccounts=", list(p.allow_accounts())),
               p.deny_qos_size() ? absl::StrCat("DenyQos=", absl::StrJoin(p.deny_qos(), ","))
                                 : absl::StrCat("AllowQos=", list(p.allow_qos()))});
  l.push_back({"AllocNodes=ALL", absl::StrCat("Default=", p.is_default() ? "YES" : "NO"),
               "QoS=N/A"});
  l.push_back({absl::StrCat("DefaultTime=",
                            p.default_time_min() < -1 ? "NONE" : limit(p.default_time_min())),
               "DisableRootJobs=NO", "ExclusiveUser=NO", "GraceTime=0", "Hidden=NO"});
  l.push_back({absl::StrCat("MaxNodes=", p.max_nodes() ? absl::StrCat(p.max_nodes())
                                                       : "UNLIMITED"),
               absl::StrCat("MaxTime=", limit(p.max_time_min())), "MinNodes=0", "LLN=NO",
               "MaxCPUsPerNode=UNLIMITED"});
  l.push_back({absl::StrCat("Nodes=", common::CompressHostlist(names))});
  l.push_back({"PriorityJobFactor=1", "PriorityTier=1", "RootOnly=NO", "ReqResv=NO",
               "OverSubscribe=NO"});
  l.push_back({"OverTimeLimit=NONE", "PreemptMode=OFF"});
  l.push_back({absl::StrCat("State=", p.up() ? "UP" : "DOWN"),
               absl::StrCat("TotalCPUs=", cpus), absl::StrCat("TotalNodes=", names.size()),
               "SelectTypeParameters=NONE"});
  l.push_back({"JobDefaults=(null)"});
  l.push_back({"DefMemPerNode=UNLIMITED", "MaxMemPerNode=UNLIMITED"});
  l.push_back({absl::StrCat("TRES=cpu=", cpus, ",mem=", mem, "M,node=", names.size(),
                            ",billing=", cpus)});
  if (one_liner) return Render(l, true);
  return Render(l, false) + "\n";
}

}  // namespace sluice::cli
