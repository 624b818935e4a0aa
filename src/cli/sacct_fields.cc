#include "cli/sacct_fields.h"

#include <algorithm>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/job_types.h"
#include "common/sizes.h"
#include "common/time_spec.h"

namespace sluice::cli {
namespace {

using ::sluice::v1::AcctJob;
using ::sluice::v1::AcctStep;
using ::sluice::v1::JobInfo;
using ::sluice::v1::StepUsage;
using R = AcctRow;

const JobInfo& J(const R& r) { return r.job->job(); }
bool IsJob(const R& r) { return r.kind == R::kJob; }
bool Started(const R& r) { return J(r).start_time() != 0; }

std::string Ts(int64_t t) { return t ? common::FormatTimestamp(t) : "Unknown"; }
std::string U(uint64_t v) { return absl::StrCat(v); }

int64_t StartOf(const R& r) {
  return r.kind == R::kStep ? r.step->start_time() : J(r).start_time();
}
int64_t EndOf(const R& r) { return r.kind == R::kStep ? r.step->end_time() : J(r).end_time(); }
// The job's time suspended (scontrol suspend), the current stop included.
int64_t SuspendedOf(const R& r) {
  const JobInfo& j = J(r);
  int64_t s = j.suspended_secs();
  if (j.state() == ::sluice::v1::JOB_STATE_SUSPENDED && j.suspend_time())
    s += std::max<int64_t>(0, r.now - j.suspend_time());
  return s;
}
// Run time, time suspended left out (Slurm's Elapsed): the job's stops
// count against its batch step and each step too, as its steps stopped
// with it (a step shorter than the stops keeps none).
int64_t ElapsedOf(const R& r) {
  int64_t s = StartOf(r), e = EndOf(r);
  if (!s) return 0;
  if (!e) e = r.now;
  int64_t wall = e > s ? e - s : 0;
  return std::max<int64_t>(0, wall - SuspendedOf(r));
}
uint32_t CpusOf(const R& r) {
  if (r.kind == R::kStep) return r.step->ncpus();
  if (r.kind == R::kBatch) return r.job->batch_cpus();
  return J(r).num_cpus();
}
uint32_t NodesOf(const R& r) {
  if (r.kind == R::kStep) return r.step->nnodes();
  if (r.kind == R::kBatch) return 1;
  return J(r).num_nodes();
}
const StepUsage* UsageOf(const R& r) {
  const StepUsage* u = r.kind == R::kStep    ? &r.step->usage()
                       : r.kind == R::kBatch ? &r.job->batch_usage()
                                             : nullptr;
  return u && u->known() ? u : nullptr;
}

// CPU time as sacct prints it: "MM:SS.mmm" under an hour, then
// "HH:MM:SS", then "D-HH:MM:SS"; nothing at all is "00:00:00".
std::string CpuTime(int64_t usec) {
  if (usec <= 0) return "00:00:00";
  int64_t s = usec / 1000000, ms = (usec / 1000) % 1000;
  int64_t d = s / 86400, h = (s / 3600) % 24, m = (s / 60) % 60, sec = s % 60;
  if (d) return absl::StrFormat("%d-%02d:%02d:%02d", d, h, m, sec);
  if (h) return absl::StrFormat("%02d:%02d:%02d", h, m, sec);
  return absl::StrFormat("%02d:%02d.%03d", m, sec, ms);
}

int64_t TotalUsec(const R& r, bool user, bool sys) {
  if (IsJob(r)) return AcctJobCpuUsec(*r.job, user, sys);
  const StepUsage* u = UsageOf(r);
  return u ? (user ? u->user_usec() : 0) + (sys ? u->sys_usec() : 0) : 0;
}

std::string Kb(uint64_t kb) { return absl::StrCat(kb, "K"); }
// Virtual size is not measured yet (0): blank rather than a false 0K.
std::string VmKb(uint64_t kb) { return kb ? Kb(kb) : std::string(); }

std::string State(const R& r) {
  if (r.kind == R::kStep) return std::string(common::JobStateName(
      static_cast<common::JobState>(r.step->state())));
  if (r.kind == R::kBatch) return std::string(common::JobStateName(AcctBatchState(J(r))));
  auto s = static_cast<common::JobState>(J(r).state());
  if (s == common::JobState::kCompleting) s = common::JobState::kRunning;
  std::string name(common::JobStateName(s));
  if (s == common::JobState::kCancelled && r.job->cancelled_by() >= 0)
    absl::StrAppend(&name, " by ", r.job->cancelled_by());
  return name;
}

std::string ExitCode(const R& r) {
  if (r.kind == R::kStep) return absl::StrCat(r.step->exit_code(), ":", r.step->exit_signal());
  const JobInfo& j = J(r);
  auto s = static_cast<common::JobState>(j.state());
  bool killed = s == common::JobState::kCancelled || s == common::JobState::kTimeout ||
                s == common::JobState::kDeadline || s == common::JobState::kPreempted;
  if (r.kind == R::kBatch)
    return absl::StrCat(j.exit_code(), ":", killed && !j.exit_signal() ? 15 : j.exit_signal());
  return absl::StrCat(j.exit_code(), ":", killed ? 0 : j.exit_signal());
}

std::string DerivedExitCode(const R& r) {
  if (!IsJob(r)) return "";
  auto [code, sig] = AcctDerivedExit(*r.job);
  return absl::StrCat(code, ":", sig);
}

std::string AllocTres(const R& r) {
  if (!IsJob(r))
    return absl::StrCat("cpu=", CpusOf(r), ",mem=0,node=", NodesOf(r));
  if (!Started(r)) return "";
  const JobInfo& j = J(r);
  return absl::StrCat("billing=", j.num_cpus(), ",cpu=", j.num_cpus(), ",node=", j.num_nodes());
}

std::string ReqTres(const R& r) {
  if (!IsJob(r)) return "";
  const JobInfo& j = J(r);
  std::string s = absl::StrCat("billing=", j.num_cpus(), ",cpu=", j.num_cpus());
  if (uint64_t mem = r.job->req_mem_mb()) absl::StrAppend(&s, ",mem=", common::FormatTresMemMB(mem));
  absl::StrAppend(&s, ",node=", j.num_nodes());
  return s;
}

std::string Timelimit(const R& r, bool raw) {
  if (!IsJob(r)) return "";
  int64_t m = J(r).time_limit_min();
  if (m < 0) return "UNLIMITED";
  return raw ? absl::StrCat(m) : common::FormatDurationLong(m * 60);
}

std::string NodeList(const R& r) {
  if (r.kind == R::kStep) return r.step->node_list();
  if (r.kind == R::kBatch) return J(r).batch_host();
  return Started(r) ? J(r).node_list() : "None assigned";
}

std::string JobIdRaw(const R& r) {
  std::string id = absl::StrCat(J(r).job_id());
  if (r.kind == R::kBatch) return id + ".batch";
  if (r.kind == R::kStep) return absl::StrCat(id, ".", r.step->step_id());
  return id;
}

std::string Blank(const R&) { return ""; }

// Usage columns: blank on a job's own line and where nothing was measured.
template <typename F>
std::string Use(const R& r, F f) {
  const StepUsage* u = UsageOf(r);
  return u ? f(*u) : std::string();
}

const std::vector<AcctField> kFields = {
    {"Account", 10, [](const R& r) -> std::string { return J(r).account(); }},
    {"AdminComment", 15, Blank},
    {"AllocCPUS", 10, [](const R& r) -> std::string { return U(CpusOf(r)); }},
    {"AllocNodes", 10, [](const R& r) -> std::string { return U(IsJob(r) && !Started(r) ? 0 : NodesOf(r)); }},
    {"AllocTRES", 10, AllocTres},
    {"AssocID", 7, Blank},
    {"AveCPU", 10, [](const R& r) -> std::string {
       return Use(r, [](const StepUsage& u) {
         return CpuTime((u.user_usec() + u.sys_usec()) / std::max<int64_t>(1, u.tasks()));
       });
     }},
    {"AveCPUFreq", 10, [](const R& r) -> std::string { return IsJob(r) ? std::string() : std::string("0"); }},
    {"AveDiskRead", 14, Blank},
    {"AveDiskWrite", 14, Blank},
    {"AvePages", 10, Blank},
    {"AveRSS", 10, [](const R& r) -> std::string {
       return Use(r, [](const StepUsage& u) { return Kb(u.ave_rss_kb()); });
     }},
    {"AveVMSize", 10, [](const R& r) -> std::string {
       return Use(r, [](const StepUsage& u) { return VmKb(u.ave_vm_kb()); });
     }},
    {"BlockID", 16, Blank},
    {"Cluster", 10, [](const R& r) -> std::string { return r.cluster; }},
    {"Comment", 14, [](const R& r) -> std::string { return IsJob(r) ? J(r).comment() : std::string(); }},
    {"Constraints", 19, Blank},
    {"ConsumedEnergy", 14, [](const R&) -> std::string { return std::string("0"); }},
    {"ConsumedEnergyRaw", 17, [](const R&) -> std::string { return std::string("0"); }},
    {"Container", 19, Blank},
    {"CPUTime", 10, [](const R& r) -> std::string { return common::FormatDurationLong(ElapsedOf(r) * CpusOf(r)); }},
    {"CPUTimeRAW", 10, [](const R& r) -> std::string { return U(ElapsedOf(r) * CpusOf(r)); }},
    {"DBIndex", 10, [](const R& r) -> std::string { return U(J(r).job_id()); }},
    {"DerivedExitCode", 15, DerivedExitCode},
    {"Elapsed", 10, [](const R& r) -> std::string { return common::FormatDurationLong(ElapsedOf(r)); }},
    {"ElapsedRaw", 10, [](const R& r) -> std::string { return U(ElapsedOf(r)); }},
    {"Eligible", 19, [](const R& r) -> std::string { return Ts(IsJob(r) ? r.job->eligible_time() : StartOf(r)); }},
    {"End", 19, [](const R& r) -> std::string { return Ts(EndOf(r)); }},
    {"ExitCode", 8, ExitCode},
    {"Flags", 19, [](const R& r) -> std::string {
       return IsJob(r) && Started(r) ? std::string("SchedMain,StartRecieved") : std::string();
     }},
    {"GID", 6, [](const R& r) -> std::string { return IsJob(r) ? U(J(r).group_id()) : std::string(); }},
    {"Group", 9, [](const R& r) -> std::string { return IsJob(r) ? J(r).group_name() : std::string(); }},
    {"JobID", -12, AcctJobId},
    {"JobIDRaw", -12, JobIdRaw},
    {"JobName", 10, [](const R& r) -> std::string {
       return r.kind == R::kStep ? r.step->name() : r.kind == R::kBatch ? "batch" : J(r).name();
     }},
    {"Layout", 9, [](const R& r) -> std::string {
       return r.kind == R::kStep ? std::string("Block") : r.kind == R::kBatch ? "Unknown" : "";
     }},
    {"MaxDiskRead", 12, Blank},
    {"MaxDiskReadNode", 15, Blank},
    {"MaxDiskReadTask", 15, Blank},
    {"MaxDiskWrite", 12, Blank},
    {"MaxDiskWriteNode", 16, Blank},
    {"MaxDiskWriteTask", 16, Blank},
    {"MaxPages", 8, Blank},
    {"MaxPagesNode", 12, Blank},
    {"MaxPagesTask", 14, Blank},
    {"MaxRSS", 10, [](const R& r) -> std::string {
       return Use(r, [](const StepUsage& u) { return Kb(u.max_rss_kb()); });
     }},
    {"MaxRSSNode", 10, [](const R& r) -> std::string {
       return Use(r, [](const StepUsage& u) { return u.max_rss_node(); });
     }},
    {"MaxRSSTask", 10, [](const R& r) -> std::string {
       return Use(r, [](const StepUsage& u) { return U(u.max_rss_task()); });
     }},
    {"MaxVMSize", 10, [](const R& r) -> std::string {
       return Use(r, [](const StepUsage& u) { return VmKb(u.max_vm_kb()); });
     }},
    {"MaxVMSizeNode", 14, [](const R& r) -> std::string {
       return Use(r, [](const StepUsage& u) { return u.max_vm_kb() ? u.max_vm_node() : ""; });
     }},
    {"MaxVMSizeTask", 14, [](const R& r) -> std::string {
       return Use(r, [](const StepUsage& u) { return u.max_vm_kb() ? U(u.max_vm_task()) : ""; });
     }},
    {"McsLabel", 12, Blank},
    {"MinCPU", 10, [](const R& r) -> std::string {
       return Use(r, [](const StepUsage& u) { return u.has_min_cpu() ? CpuTime(u.min_cpu_usec()) : ""; });
     }},
    {"MinCPUNode", 10, [](const R& r) -> std::string {
       return Use(r, [](const StepUsage& u) { return u.has_min_cpu() ? u.min_cpu_node() : ""; });
     }},
    {"MinCPUTask", 10, [](const R& r) -> std::string {
       return Use(r, [](const StepUsage& u) { return u.has_min_cpu() ? U(u.min_cpu_task()) : ""; });
     }},
    {"NCPUS", 10, [](const R& r) -> std::string { return U(CpusOf(r)); }},
    {"NNodes", 8, [](const R& r) -> std::string { return U(NodesOf(r)); }},
    {"NodeList", 15, NodeList},
    {"NTasks", 8, [](const R& r) -> std::string {
       return r.kind == R::kStep ? U(r.step->ntasks()) : r.kind == R::kBatch ? "1" : "";
     }},
    {"Partition", 10, [](const R& r) -> std::string { return IsJob(r) ? J(r).partition() : std::string(); }},
    {"Priority", 10, [](const R& r) -> std::string { return IsJob(r) ? U(J(r).priority()) : std::string(); }},
    // (a job recorded without accounting: Slurm's default QOS)
    {"QOS", 10, [](const R& r) -> std::string {
       return !IsJob(r) ? std::string() : J(r).qos().empty() ? std::string("normal") : J(r).qos();
     }},
    {"QOSRAW", 6, [](const R& r) -> std::string {
       return IsJob(r) ? std::to_string(J(r).qos_id() ? J(r).qos_id() : 1) : std::string();
     }},
    {"Reason", 22, [](const R& r) -> std::string {
       if (!IsJob(r)) return std::string();
       auto reason = common::JobReasonFromInt(J(r).reason());
       return std::string(common::JobReasonName(reason ? *reason : common::JobReason::kNone));
     }},
    {"ReqCPUFreq", 10, [](const R& r) -> std::string { return r.kind == R::kBatch ? "0" : "Unknown"; }},
    {"ReqCPUFreqGov", 13, [](const R& r) -> std::string { return r.kind == R::kBatch ? "0" : "Unknown"; }},
    {"ReqCPUFreqMax", 13, [](const R& r) -> std::string { return r.kind == R::kBatch ? "0" : "Unknown"; }},
    {"ReqCPUFreqMin", 13, [](const R& r) -> std::string { return r.kind == R::kBatch ? "0" : "Unknown"; }},
    {"ReqCPUS", 8, [](const R& r) -> std::string { return U(CpusOf(r)); }},
    {"ReqMem", 10, [](const R& r) -> std::string {
       if (!IsJob(r) || !r.job->req_mem_mb()) return std::string();
       return absl::StrCat(r.job->req_mem_mb(), "M");
     }},
    {"ReqNodes", 8, [](const R& r) -> std::string { return U(NodesOf(r)); }},
    {"ReqTRES", 10, ReqTres},
    {"Reservation", 20, Blank},
    {"ReservationId", 8, Blank},
    {"Reserved", 10, [](const R& r) -> std::string {
       if (!IsJob(r)) return std::string();
       int64_t s = J(r).start_time(), e = r.job->eligible_time();
       return common::FormatDurationLong(s && e && s > e ? s - e : 0);
     }},
    {"ResvCPU", 10, [](const R& r) -> std::string {
       if (!IsJob(r)) return std::string();
       int64_t s = J(r).start_time(), e = r.job->eligible_time();
       return common::FormatDurationLong((s && e && s > e ? s - e : 0) * CpusOf(r));
     }},
    {"ResvCPURAW", 10, [](const R& r) -> std::string {
       if (!IsJob(r)) return std::string();
       int64_t s = J(r).start_time(), e = r.job->eligible_time();
       return U((s && e && s > e ? s - e : 0) * CpusOf(r));
     }},
    {"Start", 19, [](const R& r) -> std::string { return Ts(StartOf(r)); }},
    {"State", 10, State},
    {"Submit", 19, [](const R& r) -> std::string { return Ts(IsJob(r) ? J(r).submit_time() : StartOf(r)); }},
    {"SubmitLine", 20, [](const R& r) -> std::string { return IsJob(r) ? r.job->submit_line() : std::string(); }},
    {"Suspended", 10, [](const R& r) -> std::string { return common::FormatDurationLong(SuspendedOf(r)); }},
    {"SystemComment", 15, Blank},
    {"SystemCPU", 10, [](const R& r) -> std::string { return CpuTime(TotalUsec(r, false, true)); }},
    {"Timelimit", 10, [](const R& r) -> std::string { return Timelimit(r, false); }},
    {"TimelimitRaw", 10, [](const R& r) -> std::string { return Timelimit(r, true); }},
    {"TotalCPU", 10, [](const R& r) -> std::string { return CpuTime(TotalUsec(r, true, true)); }},
    {"TRESUsageInAve", 14, Blank},
    {"TRESUsageInMax", 14, Blank},
    {"TRESUsageInMaxNode", 18, Blank},
    {"TRESUsageInMaxTask", 18, Blank},
    {"TRESUsageInMin", 14, Blank},
    {"TRESUsageInMinNode", 18, Blank},
    {"TRESUsageInMinTask", 18, Blank},
    {"TRESUsageInTot", 14, Blank},
    {"TRESUsageOutAve", 15, Blank},
    {"TRESUsageOutMax", 15, Blank},
    {"TRESUsageOutMaxNode", 19, Blank},
    {"TRESUsageOutMaxTask", 19, Blank},
    {"TRESUsageOutMin", 15, Blank},
    {"TRESUsageOutMinNode", 19, Blank},
    {"TRESUsageOutMinTask", 19, Blank},
    {"TRESUsageOutTot", 15, Blank},
    {"UID", 6, [](const R& r) -> std::string { return IsJob(r) ? U(J(r).user_id()) : std::string(); }},
    {"User", 9, [](const R& r) -> std::string { return IsJob(r) ? J(r).user_name() : std::string(); }},
    {"UserCPU", 10, [](const R& r) -> std::string { return CpuTime(TotalUsec(r, true, false)); }},
    {"WCKey", 10, Blank},
    {"WCKeyID", 10, [](const R& r) -> std::string { return IsJob(r) ? std::string("0") : std::string(); }},
    {"WorkDir", 20, [](const R& r) -> std::string { return IsJob(r) ? J(r).work_dir() : std::string(); }},
};

}  // namespace

const std::vector<AcctField>& AcctFields() { return kFields; }

std::pair<int, int> AcctDerivedExit(const AcctJob& a) {
  int code = 0, sig = 0;
  for (const auto& s : a.steps())
    if (s.exit_code() > code || (s.exit_code() == code && s.exit_signal() > sig)) {
      code = s.exit_code();
      sig = s.exit_signal();
    }
  return {code, sig};
}

common::JobState AcctBatchState(const JobInfo& j) {
  auto s = static_cast<common::JobState>(j.state());
  if (s == common::JobState::kTimeout || s == common::JobState::kDeadline ||
      s == common::JobState::kPreempted)
    return common::JobState::kCancelled;
  return s;
}

int64_t AcctJobCpuUsec(const AcctJob& a, bool user, bool sys) {
  auto add = [&](const StepUsage& u) {
    return (user ? u.user_usec() : 0) + (sys ? u.sys_usec() : 0);
  };
  int64_t t = add(a.batch_usage());
  for (const auto& s : a.steps()) t += add(s.usage());
  return t;
}

std::string AcctJobId(const AcctRow& r) {
  const JobInfo& j = J(r);
  std::string id;
  if (j.array_job_id() && j.array_task_id() >= 0)
    id = absl::StrCat(j.array_job_id(), "_", j.array_task_id());
  else if (j.array_job_id())
    id = absl::StrCat(j.array_job_id(), "_[", j.array_pending(), "]");
  else
    id = absl::StrCat(j.job_id());
  if (r.kind == R::kBatch) return id + ".batch";
  if (r.kind == R::kStep) return absl::StrCat(id, ".", r.step->step_id());
  return id;
}

std::optional<AcctJobPick> ParseAcctJobPick(absl::string_view s) {
  AcctJobPick p;
  absl::string_view job = s;
  if (size_t dot = s.find('.'); dot != absl::string_view::npos) {
    job = s.substr(0, dot);
    p.step = std::string(s.substr(dot + 1));
    uint32_t n;
    if (p.step != "batch" && p.step != "extern" && !absl::SimpleAtoi(p.step, &n))
      return std::nullopt;
  }
  if (size_t us = job.find('_'); us != absl::string_view::npos) {
    if (!absl::SimpleAtoi(job.substr(us + 1), &p.task) || p.task < 0) return std::nullopt;
    job = job.substr(0, us);
  }
  if (!absl::SimpleAtoi(job, &p.id) || p.id == 0) return std::nullopt;
  return p;
}

absl::StatusOr<std::vector<AcctColumn>> ParseAcctFormat(const std::string& spec) {
  std::vector<AcctColumn> cols;
  for (absl::string_view item : absl::StrSplit(spec, ',', absl::SkipEmpty())) {
    absl::string_view name = item;
    int width = 0;
    bool has_width = false;
    if (size_t pct = item.find('%'); pct != absl::string_view::npos) {
      name = item.substr(0, pct);
      has_width = absl::SimpleAtoi(item.substr(pct + 1), &width);
    }
    const AcctField* found = nullptr;
    for (const auto& f : kFields)
      if (absl::EqualsIgnoreCase(f.name, name)) found = &f;
    if (!found)
      return absl::InvalidArgumentError(absl::StrCat("Invalid field requested: \"", name, "\""));
    cols.push_back({found, has_width ? width : found->width});
  }
  return cols;
}

std::string AcctHelpFormat() {
  // Four to a line, each 19 wide, one space between.
  std::string out;
  size_t n = 0;
  for (const auto& f : kFields) {
    if (n % 4) out += " ";
    absl::StrAppend(&out, absl::StrFormat("%-19s", f.name));
    if (++n % 4 == 0) out += "\n";
  }
  if (n % 4) out += "\n";
  return out;
}

}  // namespace sluice::cli
