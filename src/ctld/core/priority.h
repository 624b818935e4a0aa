// Job priority as slurm.conf configures it. priority/basic (the default):
// first come, first served. priority/multifactor: a weighted sum of age,
// fair-share, job size and partition factors, each in [0, 1], minus the
// job's nice value; fair-share comes from each user's CPU-seconds, decayed
// with PriorityDecayHalfLife. Pure functions plus a small usage ledger owned
// by the Controller; not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "common/slurm_conf.h"

namespace sluice::ctld {

struct PriorityConfig {
  bool multifactor = false;
  uint32_t weight_age = 0;
  uint32_t weight_fairshare = 0;
  uint32_t weight_job_size = 0;
  uint32_t weight_partition = 0;
  uint32_t weight_qos = 0;    // PriorityWeightQOS: the job's QOS priority / the highest
  uint32_t weight_assoc = 0;  // PriorityWeightAssoc: its association's / the highest
  int64_t decay_half_life_s = 7 * 86400;
  int64_t max_age_s = 7 * 86400;
  bool favor_small = false;
};

// From slurm.conf's Priority* keys (kept as raw text in SlurmConfig::extra).
absl::StatusOr<PriorityConfig> PriorityConfigFrom(const common::SlurmConfig& c);

// Decayed usage per user (CPU-seconds).
class UsageLedger {
 public:
  explicit UsageLedger(int64_t half_life_s) : half_life_s_(half_life_s) {}
  // Advances to `now`: decays all usage, then charges `cpu_seconds`.
  void Decay(int64_t now);
  void Charge(uint32_t uid, const std::string& account, double cpu_seconds) {
    usage_[uid] += cpu_seconds;
    account_usage_[account] += cpu_seconds;
  }
  // 2^(-U/S) for the account among accounts, times the same for the user
  // among users: U a share of all usage, S an equal share among those seen.
  // 1.0 with no usage.
  double FairShare(uint32_t uid, const std::string& account = "") const;
  double Usage(uint32_t uid) const;

 private:
  int64_t half_life_s_;
  int64_t last_ = 0;
  std::map<uint32_t, double> usage_;
  std::map<std::string, double> account_usage_;
};

struct PriorityInputs {
  int64_t now = 0;
  int64_t eligible_time = 0;
  uint32_t cpus = 1;          // the job's CPUs
  uint32_t cluster_cpus = 1;  // all CPUs
  double partition_factor = 1.0;  // PriorityJobFactor / max
  double fairshare = 1.0;
  int32_t nice = 0;
  double qos_factor = 0.0;    // 0..1
  double assoc_factor = 0.0;  // 0..1
};

uint64_t MultifactorPriority(const PriorityConfig& c, const PriorityInputs& in);

}  // namespace sluice::ctld
