// Job priority as slurm.conf configures it. priority/basic (the default):
// first come, first served. priority/multifactor: a weighted sum of age,
// fair-share, job size, partition, QOS and association factors, each in
// [0, 1], minus the job's nice value; fair-share comes from Fair Tree
// (fair_tree.h) over each association's CPU-seconds, decayed with
// PriorityDecayHalfLife. Pure functions plus a small usage ledger owned
// by the Controller; not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

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

// Decayed usage (CPU-seconds) per association, keyed by UsageKey. Saved
// in the store (Encode/Decode) so that a restart keeps it.
class UsageLedger {
 public:
  explicit UsageLedger(int64_t half_life_s) : half_life_s_(half_life_s) {}
  // Advances to `now`: decays all usage by PriorityDecayHalfLife.
  void Decay(int64_t now);
  void Charge(const std::string& key, double cpu_seconds) { usage_[key] += cpu_seconds; }
  double Usage(const std::string& key) const;
  const std::map<std::string, double>& all() const { return usage_; }
  std::string Encode() const;
  // A ledger kept with another half-life takes this one's.
  static absl::StatusOr<UsageLedger> Decode(const std::string& text, int64_t half_life_s);

 private:
  int64_t half_life_s_;
  int64_t last_ = 0;
  std::map<std::string, double> usage_;
};

// The ledger's key for the association (account, user, partition).
std::string UsageKey(const std::string& account, const std::string& user,
                     const std::string& partition);

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

// The normalised factors (each in [0, 1]) a job's priority sums (sprio).
struct PriorityFactors {
  double age = 0, assoc = 0, fairshare = 0, job_size = 0, partition = 0, qos = 0;
  int32_t nice = 0;
};
PriorityFactors FactorsOf(const PriorityConfig& c, const PriorityInputs& in);
uint64_t MultifactorPriority(const PriorityConfig& c, const PriorityInputs& in);

}  // namespace sluice::ctld
