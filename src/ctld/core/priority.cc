#include "ctld/core/priority.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
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
  for (auto& [key, u] : usage_) u *= f;
  last_ = now;
}

double UsageLedger::Usage(const std::string& key) const {
  auto it = usage_.find(key);
  return it == usage_.end() ? 0.0 : it->second;
}

std::string UsageKey(const std::string& account, const std::string& user,
                     const std::string& partition) {
  return absl::StrCat(account, "\x1f", user, "\x1f", partition);
}

// "last\tT" then "usage\tKEY\tCPU-SECONDS" per association (keys hold no
// tab or newline: names never do).
std::string UsageLedger::Encode() const {
  std::string out = absl::StrCat("last\t", last_, "\n");
  for (const auto& [key, u] : usage_)
    if (u > 0) absl::StrAppend(&out, "usage\t", key, "\t", absl::StrFormat("%.17g", u), "\n");
  return out;
}

absl::StatusOr<UsageLedger> UsageLedger::Decode(const std::string& text, int64_t half_life_s) {
  UsageLedger l(half_life_s);
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    std::vector<std::string> f = absl::StrSplit(line, '\t');
    double u = 0;
    if (f[0] == "last" && f.size() == 2 && absl::SimpleAtoi(f[1], &l.last_)) continue;
    if (f[0] == "usage" && f.size() == 3 && absl::SimpleAtod(f[2], &u) && u >= 0) {
      l.usage_[f[1]] = u;
      continue;
    }
    return absl::DataLossError(absl::StrCat("fair-share usage record: ", line));
  }
  return l;
}

PriorityFactors FactorsOf(const PriorityConfig& c, const PriorityInputs& in) {
  PriorityFactors f;
  f.age = c.max_age_s > 0 ? std::clamp(static_cast<double>(in.now - in.eligible_time) /
                                           static_cast<double>(c.max_age_s),
                                       0.0, 1.0)
                          : 1.0;
  f.job_size = std::clamp(static_cast<double>(in.cpus) /
                              static_cast<double>(std::max<uint32_t>(1, in.cluster_cpus)),
                          0.0, 1.0);
  if (c.favor_small) f.job_size = 1.0 - f.job_size;
  f.fairshare = in.fairshare;
  f.partition = in.partition_factor;
  f.qos = in.qos_factor;
  f.assoc = in.assoc_factor;
  f.nice = in.nice;
  return f;
}

uint64_t MultifactorPriority(const PriorityConfig& c, const PriorityInputs& in) {
  const PriorityFactors f = FactorsOf(c, in);
  double p = c.weight_age * f.age + c.weight_fairshare * f.fairshare +
             c.weight_job_size * f.job_size + c.weight_partition * f.partition +
             c.weight_qos * f.qos + c.weight_assoc * f.assoc;
  double v = std::round(p) - in.nice;
  // 0 means held; a runnable job keeps at least 1.
  return v < 1 ? 1 : static_cast<uint64_t>(v);
}

}  // namespace sluice::ctld
