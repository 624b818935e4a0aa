// slurm.conf(5) and gres.conf(5): the subset Sluice uses, parsed into plain
// values. Unknown keys are kept as warnings, never fatal. Pure except for
// LoadSlurmConf, which reads files (Include, gres.conf beside slurm.conf).
// Thread-safe: no shared state.
#pragma once

#include "absl/strings/string_view.h"
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "common/cgroup_conf.h"
#include "common/rate_limiter.h"

namespace sluice::common {

struct GresSpec {
  std::string name;  // "gpu"
  std::string type;  // "h100"; empty when untyped
  uint64_t count = 0;
  bool operator==(const GresSpec&) const = default;
};

// "gpu:4", "gpu:h100:8", "gpu:h100:2,gpu:a100:2", "gpu" (count 1).
absl::StatusOr<std::vector<GresSpec>> ParseGres(absl::string_view s);
std::string FormatGres(const std::vector<GresSpec>& g);  // "gpu:h100:8"

struct NodeConf {
  std::string name;
  std::string addr;      // NodeAddr; defaults to the name
  std::string hostname;  // NodeHostname; defaults to the name
  uint16_t port = 0;     // 0: SlurmdPort
  uint32_t cpus = 1;
  uint64_t real_memory_mb = 1;
  uint64_t tmp_disk_mb = 0;  // TmpDisk: what --tmp may ask per node
  std::vector<GresSpec> gres;
  std::vector<std::string> features;
  std::string state = "UNKNOWN";
  uint32_t gpus() const;
};

struct PartitionConf {
  std::string name;
  std::vector<std::string> nodes;
  bool is_default = false;
  int64_t max_time_min = -1;      // kTimeInfinite
  int64_t default_time_min = -3;  // -3: not set
  uint32_t max_nodes = 0;         // 0: unlimited
  uint32_t min_nodes = 0;
  uint32_t max_cpus_per_node = 0; // 0: unlimited
  std::string oversubscribe = "NO";  // NO | EXCLUSIVE (YES/FORCE: treated as NO)
  bool exclusive_user = false;
  std::string state = "UP";
  int32_t priority_tier = 1;
  uint32_t priority_job_factor = 1;
  std::vector<std::string> allow_groups;    // empty: ALL
  std::vector<std::string> allow_accounts;  // empty: ALL
  std::vector<std::string> deny_accounts;   // (with AllowAccounts, ignored: Slurm's rule)
  std::vector<std::string> allow_qos;       // empty: ALL; lower-case
  std::vector<std::string> deny_qos;        // (with AllowQos, ignored)
};

struct GresConfLine {
  std::vector<std::string> node_names;  // empty: every node
  std::string name;
  std::string type;
  std::vector<std::string> files;
  uint64_t count = 0;
  std::string autodetect;
};

struct SlurmConfig {
  std::string path;  // file it came from
  uint64_t text_hash = 0;  // of slurm.conf's text (scontrol show config's HASH_VAL)
  // Every key of slurm.conf as written (lower-case key -> value), for
  // `scontrol show config`; the typed fields below are what Sluice acts on.
  std::map<std::string, std::string> raw;
  std::string cluster_name = "cluster";
  std::string ctld_host = "localhost";
  std::string ctld_addr = "127.0.0.1";
  uint16_t ctld_port = 6817;
  uint16_t slurmd_port = 6818;
  std::string state_save_location = "/var/spool/slurmctld";
  std::string slurmd_spool_dir = "/var/spool/slurmd";
  std::string auth_type = "auth/munge";
  std::string auth_socket;  // from AuthInfo=socket=...; empty: libmunge default
  uint32_t kill_wait_s = 30;
  uint32_t min_job_age_s = 300;
  // PurgeJobAfter (slurmdbd.conf's key; Sluice keeps accounting itself and
  // reads it from slurm.conf): job records that ended longer ago than this
  // are deleted. "N[hours|days|months]" (months by default, as slurmdbd);
  // count 0: kept for ever (Slurm's default).
  uint32_t purge_job_after = 0;
  char purge_job_unit = 'm';  // 'h', 'd' or 'm'
  // Unix time before which ended jobs are purged; 0 with no PurgeJobAfter.
  int64_t PurgeCutoff(int64_t now) const;
  // MailProg: runs as "MailProg -s SUBJECT USER" for --mail-type events.
  std::string mail_prog = "/bin/mail";
  // Array indexes must be below this (Slurm's default 1001; at most 4000001).
  uint32_t max_array_size = 1001;
  uint32_t max_job_count = 10000;
  // Job IDs run from FirstJobId to MaxJobId, then wrap to FirstJobId.
  uint32_t first_job_id = 1;
  uint32_t max_job_id = 67043328;
  uint32_t slurmd_timeout_s = 10;  // Slurm: 300; Sluice notices dead nodes sooner
  uint32_t unkillable_step_timeout_s = 60;
  // JobAcctGatherFrequency: as written ("30", "task=10,energy=0"), and its
  // task interval in seconds (0: no sampling while tasks run).
  std::string job_acct_gather_frequency = "30";
  uint32_t acct_gather_task_s = 30;
  uint32_t return_to_service = 0;  // 0, 1 or 2 as in slurm.conf(5)
  bool job_requeue = true;         // JobRequeue=1 is Slurm's default
  std::string prolog, epilog, task_prolog, task_epilog;  // absolute paths
  std::string health_check_program;
  uint32_t health_check_interval_s = 0;  // 0: never
  std::string scheduler_type = "sched/backfill";
  std::string scheduler_parameters;
  // LaunchParameters (comma list; Sluice acts on use_interactive_step) and
  // InteractiveStepOptions: salloc without a command runs its shell as a
  // step on the allocation's first node, as Slurm does.
  std::string launch_parameters;
  std::string interactive_step_options = "--interactive --preserve-env --pty $SHELL";
  bool UseInteractiveStep() const;
  std::string dependency_parameters;
  std::string enforce_part_limits = "NO";  // NO | ALL | ANY | YES
  // AccountingStorageType as written ("" when absent) and
  // AccountingStorageEnforce's words, lower-cased ("associations",
  // "limits", "qos", "safe", "wckeys", "nojobs", "nosteps", "all").
  std::string accounting_storage_type;
  std::vector<std::string> accounting_storage_enforce;
  // Associations apply to jobs (a default account, and the check below)
  // when accounting storage is configured, as with Slurm's slurmdbd.
  bool AssociationsApply() const;
  // Jobs must match an association (account, user, partition).
  bool EnforceAssociations() const;
  // Association and QOS limits hold jobs back (limits, safe, all).
  bool EnforceLimits() const;
  // A job's QOS must be one its association allows (qos, all).
  bool EnforceQos() const;
  // AccountingStorageTRES as written (cpu, mem, node and gres/gpu are
  // always counted); PreemptType (preempt/none|qos) and the cluster's
  // PreemptMode (OFF|CANCEL|REQUEUE), upper-cased.
  std::string accounting_storage_tres;
  // PrivateData's words, lower-cased (jobs, usage, users, accounts, ...):
  // what non-operators see only of their own.
  std::vector<std::string> private_data;
  // SlurmctldParameters' rl_* words (the RPC rate limit).
  RateLimitConfig rate_limit;
  bool PrivateData(const std::string& what) const;
  std::string preempt_type = "preempt/none";
  std::string preempt_mode = "OFF";
  // Priority* keys (PriorityType, PriorityWeight*, ...), lower-case key ->
  // raw value; interpreted by the controller.
  std::map<std::string, std::string> priority;
  std::vector<NodeConf> nodes;
  // Name -> position in `nodes`, kept by the parser: FindNode is called
  // per node of every partition and every request (10,000 nodes took the
  // parse alone to seconds when it scanned). FindNode scans instead when
  // `nodes` was changed behind the index's back.
  std::unordered_map<std::string, size_t> node_index;
  std::vector<PartitionConf> partitions;
  std::vector<GresConfLine> gres_conf;
  std::vector<std::string> warnings;
  CgroupConf cgroup;  // cgroup.conf beside slurm.conf, defaults otherwise
  // SlurmdParameters: Slurm's words are kept in `raw` and reported as
  // ignored; Sluice's own no_cgroup_favordynmods keeps the node daemon from
  // remounting the host's cgroup2 hierarchy with favordynmods (docs/ADMIN.md).
  bool cgroup_favordynmods = true;

  const NodeConf* FindNode(absl::string_view name) const;
  const PartitionConf* FindPartition(absl::string_view name) const;
  const PartitionConf* DefaultPartition() const;
  // SlurmdSpoolDir with %n replaced by the node's name.
  std::string SpoolDirFor(const std::string& node) const;
  uint16_t NodePort(const NodeConf& n) const {
    return n.port ? n.port : slurmd_port;
  }
};

// Reads `include_dir`-relative Include files through `read_file`.
using FileReader =
    std::function<absl::StatusOr<std::string>(const std::string& path)>;

absl::StatusOr<SlurmConfig> ParseSlurmConfText(absl::string_view text,
                                               const std::string& conf_dir,
                                               const FileReader& read_file);
absl::StatusOr<std::vector<GresConfLine>> ParseGresConfText(
    absl::string_view text);

// Loads slurm.conf at `path`, follows Include, and reads gres.conf from the
// same directory when present.
absl::StatusOr<SlurmConfig> LoadSlurmConf(const std::string& path);

// $SLURM_CONF, else the compiled-in default.
std::string ResolveConfPath();

}  // namespace sluice::common
