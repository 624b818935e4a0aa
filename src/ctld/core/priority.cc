#include "ctld/core/priority.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/time_spec.h"

namespace sluice::ctld {

absl::StatusOr<PriorityConfig> PriorityConfigFrom(const common::SlurmConfig& c) {
  PriorityConfig p;
  auto get = [&](const char* key) -> const std::string* {
    auto it = c.priority.find(key);
    return it == c.priority.end() ? nullptr : &it->second;
  };
  if (const auto* t = get("prioritytype"))
    p.multifactor = absl::AsciiStrToLower(*t) == "priority/multifactor";
  for (auto [key, dst] : {std::pair{"priorityweightage", &p.weight_age},
                          std::pair{"priorityweightfairshare", &p.weight_fairshare},
                          std::pair{"priorityweightjobsize", &p.weight_job_size},
                          std::pair{"priorityweightpartition", &p.weight_partition},
                          std::pair{"priorityweightqos", &p.weight_qos},
                          std::pair{"priorityweightassoc", &p.weight_assoc}}) {
    if (const auto* v = get(key); v && !absl::SimpleAtoi(*v, dst))
      return absl::InvalidArgumentError(absl::StrCat("invalid ", key, ": ", *v));
  }
  for (auto [key, dst] : {std::pair{"prioritydecayhalflife", &p.decay_half_life_s},
                          std::pair{"prioritymaxage", &p.max_age_s}}) {
    if (const auto* v = get(key)) {
      auto m = common::ParseTimeLimit(*v);
      if (!m.ok() || *m < 0)
        return absl::InvalidArgumentError(absl::StrCat("invalid ", key, ": ", *v));
      *dst = *m * 60;
    }
  }
  if (const auto* v = get("priorityfavorsmall"))
    p.favor_small = absl::AsciiStrToLower(*v) == "yes";
  return p;
}

void UsageLedger::Decay(int64_t now) {
  if (last_ == 0 || now <= last_) {
    last_ = std::max(last_, now);
    return;
  }
  double f = half_life_s_ > 0
                 ? std::pow(0.5, static_cast<double>(now - last_) /
                                     static_cast<double>(half_life_s_))
                 : 1.0;
  for (auto& [uid, u] : usage_) u *= f;
  for (auto& [acct, u] : account_usage_) u *= f;
  last_ = now;
}

double UsageLedger::Usage(uint32_t uid) const {
  auto it = usage_.find(uid);
  return it == usage_.end() ? 0.0 : it->second;
}

namespace {
template <typename K>
double Factor(const std::map<K, double>& usage, const K& key) {
  double total = 0;
  for (const auto& [k, v] : usage) total += v;
  if (total <= 0) return 1.0;
  auto it = usage.find(key);
  double mine = it == usage.end() ? 0.0 : it->second;
  double share = 1.0 / std::max<double>(1.0, static_cast<double>(usage.size()));
  return std::pow(2.0, -(mine / total) / share);
}
}  // namespace

double UsageLedger::FairShare(uint32_t uid, const std::string& account) const {
  return Factor(account_usage_, account) * Factor(usage_, uid);
}

uint64_t MultifactorPriority(const PriorityConfig& c, const PriorityInputs& in) {
  double age = c.max_age_s > 0
                   ? std::clamp(static_cast<double>(in.now - in.eligible_time) /
                                    static_cast<double>(c.max_age_s),
                                0.0, 1.0)
                   : 1.0;
  double size = std::clamp(static_cast<double>(in.cpus) /
                               static_cast<double>(std::max<uint32_t>(1, in.cluster_cpus)),
                           0.0, 1.0);
  if (c.favor_small) size = 1.0 - size;
  double p = c.weight_age * age + c.weight_fairshare * in.fairshare +
             c.weight_job_size * size + c.weight_partition * in.partition_factor +
             c.weight_qos * in.qos_factor + c.weight_assoc * in.assoc_factor;
  double v = std::round(p) - in.nice;
  // 0 means held; a runnable job keeps at least 1.
  return v < 1 ? 1 : static_cast<uint64_t>(v);
}

}  // namespace sluice::ctld
