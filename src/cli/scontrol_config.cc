#include "cli/scontrol_config.h"

#include <pwd.h>

#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/time_spec.h"

namespace sluice::cli {
namespace {

struct ConfigKey {
  const char* key;
  const char* slurm_default;  // what Slurm 22.05 prints when slurm.conf says nothing
  const char* unit;           // appended to a number ("sec", "min", ...)
};

// Every key of Slurm 22.05's listing, in its order.
const ConfigKey kKeys[] = {
    {"AccountingStorageBackupHost", "(null)", ""},
    {"AccountingStorageEnforce", "none", ""},
    {"AccountingStorageHost", "localhost", ""},
    {"AccountingStorageExternalHost", "(null)", ""},
    {"AccountingStorageParameters", "(null)", ""},
    {"AccountingStoragePort", "0", ""},
    {"AccountingStorageTRES", "cpu,mem,energy,node,billing,fs/disk,vmem,pages", ""},
    {"AccountingStorageType", "accounting_storage/none", ""},
    {"AccountingStorageUser", "root", ""},
    {"AccountingStoreFlags", "(null)", ""},
    {"AcctGatherEnergyType", "acct_gather_energy/none", ""},
    {"AcctGatherFilesystemType", "acct_gather_filesystem/none", ""},
    {"AcctGatherInterconnectType", "acct_gather_interconnect/none", ""},
    {"AcctGatherNodeFreq", "0", "sec"},
    {"AcctGatherProfileType", "acct_gather_profile/none", ""},
    {"AllowSpecResourcesUsage", "No", ""},
    {"AuthAltTypes", "(null)", ""},
    {"AuthAltParameters", "(null)", ""},
    {"AuthInfo", "(null)", ""},
    {"AuthType", "auth/munge", ""},
    {"BatchStartTimeout", "10", "sec"},
    {"BcastExclude", "/lib,/usr/lib,/lib64,/usr/lib64", ""},
    {"BcastParameters", "(null)", ""},
    {"BOOT_TIME", "2026-11-28T21:22:32", ""},
    {"BurstBufferType", "(null)", ""},
    {"CliFilterPlugins", "(null)", ""},
    {"ClusterName", "(null)", ""},
    {"CommunicationParameters", "(null)", ""},
    {"CompleteWait", "0", "sec"},
    {"CoreSpecPlugin", "core_spec/none", ""},
    {"CpuFreqDef", "Unknown", ""},
    {"CpuFreqGovernors", "OnDemand,Performance,UserSpace", ""},
    {"CredType", "cred/munge", ""},
    {"DebugFlags", "(null)", ""},
    {"DefMemPerNode", "UNLIMITED", ""},
    {"DependencyParameters", "(null)", ""},
    {"DisableRootJobs", "No", ""},
    {"EioTimeout", "60", ""},
    {"EnforcePartLimits", "NO", ""},
    {"Epilog", "(null)", ""},
    {"EpilogMsgTime", "2000", "usec"},
    {"EpilogSlurmctld", "(null)", ""},
    {"ExtSensorsType", "ext_sensors/none", ""},
    {"ExtSensorsFreq", "0", "sec"},
    {"FederationParameters", "(null)", ""},
    {"FirstJobId", "1", ""},
    {"GetEnvTimeout", "2", "sec"},
    {"GresTypes", "(null)", ""},
    {"GpuFreqDef", "high,memory=high", ""},
    {"GroupUpdateForce", "1", ""},
    {"GroupUpdateTime", "600", "sec"},
    {"HASH_VAL", "Match", ""},
    {"HealthCheckInterval", "0", "sec"},
    {"HealthCheckNodeState", "ANY", ""},
    {"HealthCheckProgram", "(null)", ""},
    {"InactiveLimit", "0", "sec"},
    {"InteractiveStepOptions", "--interactive --preserve-env --pty $SHELL", ""},
    {"JobAcctGatherFrequency", "30", ""},
    {"JobAcctGatherType", "jobacct_gather/none", ""},
    {"JobAcctGatherParams", "(null)", ""},
    {"JobCompHost", "localhost", ""},
    {"JobCompLoc", "/var/log/slurm_jobcomp.log", ""},
    {"JobCompPort", "0", ""},
    {"JobCompType", "jobcomp/none", ""},
    {"JobCompUser", "root", ""},
    {"JobContainerType", "job_container/none", ""},
    {"JobCredentialPrivateKey", "(null)", ""},
    {"JobCredentialPublicCertificate", "(null)", ""},
    {"JobDefaults", "(null)", ""},
    {"JobFileAppend", "0", ""},
    {"JobRequeue", "1", ""},
    {"JobSubmitPlugins", "(null)", ""},
    {"KillOnBadExit", "0", ""},
    {"KillWait", "30", "sec"},
    {"LaunchParameters", "(null)", ""},
    {"LaunchType", "launch/slurm", ""},
    {"Licenses", "(null)", ""},
    {"LogTimeFormat", "iso8601_ms", ""},
    {"MailDomain", "(null)", ""},
    {"MailProg", "/bin/mail", ""},
    {"MaxArraySize", "1001", ""},
    {"MaxDBDMsgs", "0", ""},
    {"MaxJobCount", "10000", ""},
    {"MaxJobId", "67043328", ""},
    {"MaxMemPerNode", "UNLIMITED", ""},
    {"MaxNodeCount", "4", ""},
    {"MaxStepCount", "40000", ""},
    {"MaxTasksPerNode", "512", ""},
    {"MCSPlugin", "mcs/none", ""},
    {"MCSParameters", "(null)", ""},
    {"MessageTimeout", "10", "sec"},
    {"MinJobAge", "300", "sec"},
    {"MpiDefault", "none", ""},
    {"MpiParams", "(null)", ""},
    {"MULTIPLE_SLURMD", "Yes", ""},
    {"NEXT_JOB_ID", "88", ""},
    {"NodeFeaturesPlugins", "(null)", ""},
    {"OverTimeLimit", "0", "min"},
    {"PluginDir", "/usr/lib/x86_64-linux-gnu/slurm-wlm", ""},
    {"PlugStackConfig", "(null)", ""},
    {"PowerParameters", "(null)", ""},
    {"PowerPlugin", "", ""},
    {"PreemptMode", "OFF", ""},
    {"PreemptType", "preempt/none", ""},
    {"PreemptExemptTime", "00:00:00", ""},
    {"PrEpParameters", "(null)", ""},
    {"PrEpPlugins", "prep/script", ""},
    {"PriorityParameters", "(null)", ""},
    {"PrioritySiteFactorParameters", "(null)", ""},
    {"PrioritySiteFactorPlugin", "(null)", ""},
    {"PriorityType", "priority/basic", ""},
    {"PrivateData", "none", ""},
    {"ProctrackType", "proctrack/cgroup", ""},
    {"Prolog", "(null)", ""},
    {"PrologEpilogTimeout", "65534", ""},
    {"PrologSlurmctld", "(null)", ""},
    {"PrologFlags", "(null)", ""},
    {"PropagatePrioProcess", "0", ""},
    {"PropagateResourceLimits", "ALL", ""},
    {"PropagateResourceLimitsExcept", "(null)", ""},
    {"RebootProgram", "(null)", ""},
    {"ReconfigFlags", "(null)", ""},
    {"RequeueExit", "(null)", ""},
    {"RequeueExitHold", "(null)", ""},
    {"ResumeFailProgram", "(null)", ""},
    {"ResumeProgram", "(null)", ""},
    {"ResumeRate", "300", "nodes/min"},
    {"ResumeTimeout", "60", "sec"},
    {"ResvEpilog", "(null)", ""},
    {"ResvOverRun", "0", "min"},
    {"ResvProlog", "(null)", ""},
    {"ReturnToService", "0", ""},
    {"RoutePlugin", "route/default", ""},
    {"SchedulerParameters", "(null)", ""},
    {"SchedulerTimeSlice", "30", "sec"},
    {"SchedulerType", "sched/backfill", ""},
    {"ScronParameters", "(null)", ""},
    {"SelectType", "select/cons_tres", ""},
    {"SelectTypeParameters", "(null)", ""},
    {"SlurmUser", "root(0)", ""},
    {"SlurmctldAddr", "(null)", ""},
    {"SlurmctldDebug", "info", ""},
    {"SlurmctldHost[0]", "vm(127.0.0.1)", ""},
    {"SlurmctldLogFile", "(null)", ""},
    {"SlurmctldPort", "6817", ""},
    {"SlurmctldSyslogDebug", "(null)", ""},
    {"SlurmctldPrimaryOffProg", "(null)", ""},
    {"SlurmctldPrimaryOnProg", "(null)", ""},
    {"SlurmctldTimeout", "120", "sec"},
    {"SlurmctldParameters", "(null)", ""},
    {"SlurmdDebug", "info", ""},
    {"SlurmdLogFile", "(null)", ""},
    {"SlurmdParameters", "(null)", ""},
    {"SlurmdPidFile", "/var/run/slurmd.pid", ""},
    {"SlurmdPort", "6818", ""},
    {"SlurmdSpoolDir", "/var/spool/slurmd", ""},
    {"SlurmdSyslogDebug", "(null)", ""},
    {"SlurmdTimeout", "300", "sec"},
    {"SlurmdUser", "root(0)", ""},
    {"SlurmSchedLogFile", "(null)", ""},
    {"SlurmSchedLogLevel", "0", ""},
    {"SlurmctldPidFile", "/var/run/slurmctld.pid", ""},
    {"SlurmctldPlugstack", "(null)", ""},
    {"SLURM_CONF", "/opt/slurm-ref/etc/slurm.conf", ""},
    {"SLURM_VERSION", "22.05.8", ""},
    {"SrunEpilog", "(null)", ""},
    {"SrunPortRange", "0-0", ""},
    {"SrunProlog", "(null)", ""},
    {"StateSaveLocation", "/var/spool", ""},
    {"SuspendExcNodes", "(null)", ""},
    {"SuspendExcParts", "(null)", ""},
    {"SuspendProgram", "(null)", ""},
    {"SuspendRate", "60", "nodes/min"},
    {"SuspendTime", "INFINITE", ""},
    {"SuspendTimeout", "30", "sec"},
    {"SwitchParameters", "(null)", ""},
    {"SwitchType", "switch/none", ""},
    {"TaskEpilog", "(null)", ""},
    {"TaskPlugin", "task/none", ""},
    {"TaskPluginParam", "(null type)", ""},
    {"TaskProlog", "(null)", ""},
    {"TCPTimeout", "2", "sec"},
    {"TmpFS", "/tmp", ""},
    {"TopologyParam", "(null)", ""},
    {"TopologyPlugin", "topology/none", ""},
    {"TrackWCKey", "No", ""},
    {"TreeWidth", "50", ""},
    {"UsePam", "No", ""},
    {"UnkillableStepProgram", "(null)", ""},
    {"UnkillableStepTimeout", "60", "sec"},
    {"VSizeFactor", "0", "percent"},
    {"WaitTime", "0", "sec"},
    {"X11Parameters", "(null)", ""},
};

std::string Str(const std::string& v) { return v.empty() ? "(null)" : v; }

std::string UserAndUid(const std::string& name) {
  struct passwd* pw = ::getpwnam(name.c_str());
  return pw ? absl::StrCat(name, "(", pw->pw_uid, ")") : name;
}

// The value Sluice runs with, for the keys it acts on; nullopt for others.
std::optional<std::string> Effective(const std::string& key, const common::SlurmConfig& c,
                                     const ::sluice::v1::QueryClusterReply& rep,
                                     const std::string& host) {
  if (key == "BOOT_TIME") return common::FormatTimestamp(rep.boot_time());
  if (key == "NEXT_JOB_ID") return absl::StrCat(rep.next_job_id());
  if (key == "HASH_VAL")
    return rep.conf_hash() == c.text_hash ? std::string("Match")
                                          : absl::StrFormat("Different Ours=%x Slurmctld=%x",
                                                            c.text_hash, rep.conf_hash());
  if (key == "MaxNodeCount") return absl::StrCat(rep.nodes_size());
  if (key == "SLURM_CONF") return c.path;
  if (key == "SLURM_VERSION") return std::string("22.05.8");
  if (key == "SlurmctldHost[0]") return absl::StrCat(host, "(", c.ctld_addr, ")");
  if (key == "ClusterName") return c.cluster_name;
  if (key == "SlurmctldPort") return absl::StrCat(c.ctld_port);
  if (key == "SlurmdPort") return absl::StrCat(c.slurmd_port);
  if (key == "StateSaveLocation") return c.state_save_location;
  if (key == "SlurmdSpoolDir") return c.slurmd_spool_dir;
  if (key == "AuthType") return c.auth_type;
  if (key == "KillWait") return absl::StrCat(c.kill_wait_s);
  if (key == "MinJobAge") return absl::StrCat(c.min_job_age_s);
  if (key == "MailProg") return c.mail_prog;
  if (key == "MaxArraySize") return absl::StrCat(c.max_array_size);
  if (key == "MaxJobCount") return absl::StrCat(c.max_job_count);
  if (key == "FirstJobId") return absl::StrCat(c.first_job_id);
  if (key == "MaxJobId") return absl::StrCat(c.max_job_id);
  if (key == "SlurmdTimeout") return absl::StrCat(c.slurmd_timeout_s);
  if (key == "UnkillableStepTimeout") return absl::StrCat(c.unkillable_step_timeout_s);
  if (key == "JobAcctGatherFrequency") return c.job_acct_gather_frequency;
  if (key == "ReturnToService") return absl::StrCat(c.return_to_service);
  if (key == "JobRequeue") return std::string(c.job_requeue ? "1" : "0");
  if (key == "Prolog") return Str(c.prolog);
  if (key == "Epilog") return Str(c.epilog);
  if (key == "TaskProlog") return Str(c.task_prolog);
  if (key == "TaskEpilog") return Str(c.task_epilog);
  if (key == "HealthCheckProgram") return Str(c.health_check_program);
  if (key == "HealthCheckInterval") return absl::StrCat(c.health_check_interval_s);
  if (key == "SchedulerType") return c.scheduler_type;
  if (key == "SchedulerParameters") return Str(c.scheduler_parameters);
  if (key == "LaunchParameters") return Str(c.launch_parameters);
  if (key == "EnforcePartLimits") return c.enforce_part_limits;
  if (key == "DependencyParameters") return Str(c.dependency_parameters);
  return std::nullopt;
}

// How Slurm prints a key it keeps as a value of its own (not the text).
std::string Shown(const std::string& key, const std::string& v) {
  if (key == "SlurmUser" || key == "SlurmdUser") return UserAndUid(v);
  if (key == "SelectTypeParameters") return absl::AsciiStrToUpper(v);
  return v;
}

}  // namespace

std::string ShowConfig(const common::SlurmConfig& cfg, const ::sluice::v1::QueryClusterReply& rep,
                       const std::string& host) {
  std::string out =
      absl::StrCat("Configuration data as of ", common::FormatTimestamp(rep.now()), "\n");
  for (const ConfigKey& k : kKeys) {
    std::string value;
    if (auto e = Effective(k.key, cfg, rep, host)) {
      value = *e;
    } else if (auto it = cfg.raw.find(absl::AsciiStrToLower(k.key)); it != cfg.raw.end()) {
      value = Shown(k.key, it->second);
    } else {
      value = k.slurm_default;
    }
    int64_t n;
    if (*k.unit && absl::SimpleAtoi(value, &n)) absl::StrAppend(&value, " ", k.unit);
    absl::StrAppend(&out, absl::StrFormat("%-23s = %s\n", k.key, value));
  }
  absl::StrAppend(&out, "\nSlurmctld(primary) at ", host, " is UP\n");
  return out;
}

}  // namespace sluice::cli
