#include "common/acct_limits.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/sizes.h"
#include "common/time_spec.h"

namespace sluice::common {
namespace {

constexpr const char* kTresNames[kTresKinds] = {"cpu", "mem", "node", "gres/gpu"};

std::string Wall(int64_t min) {
  int64_t d = min / 1440, h = min / 60 % 24, m = min % 60;
  std::string hms = absl::StrFormat("%02d:%02d:00", h, m);
  return d ? absl::StrCat(d, "-", hms) : hms;
}

// What each canonical key reads and writes.
int64_t* CountOf(AcctLimits& l, absl::string_view key) {
  if (key == "maxjobs") return &l.max_jobs;
  if (key == "maxsubmitjobs") return &l.max_submit;
  if (key == "grpjobs") return &l.grp_jobs;
  if (key == "grpsubmitjobs") return &l.grp_submit;
  if (key == "priority") return &l.priority;
  if (key == "maxwall") return &l.max_wall_min;
  return nullptr;
}
TresVec* TresOf(AcctLimits& l, absl::string_view key) {
  if (key == "maxtres") return &l.max_tres;
  if (key == "grptres") return &l.grp_tres;
  if (key == "maxtrespu") return &l.max_tres_pu;
  return nullptr;
}

}  // namespace

absl::StatusOr<TresVec> ParseTres(absl::string_view text, TresVec base) {
  for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    size_t eq = item.find('=');
    std::string name = absl::AsciiStrToLower(item.substr(0, eq));
    if (name == "gres/gpu" || name == "gpu") name = "gres/gpu";
    int kind = -1;
    for (int k = 0; k < kTresKinds; ++k)
      if (name == kTresNames[k]) kind = k;
    if (kind < 0 || eq == absl::string_view::npos)
      return absl::InvalidArgumentError(absl::StrCat(
          "sacctmgr: error: slurmdb_format_tres_str: no TRES known by type ", name));
    absl::string_view v = item.substr(eq + 1);
    int64_t n = 0;
    if (v == "-1") {
      n = -1;
    } else if (kind == kTresMem) {
      auto mb = ParseMemoryMB(v);
      if (!mb.ok()) return absl::InvalidArgumentError(absl::StrCat("sacctmgr: error: Invalid TRES value ", item));
      n = static_cast<int64_t>(*mb);
    } else if (!absl::SimpleAtoi(v, &n) || n < 0) {
      return absl::InvalidArgumentError(absl::StrCat("sacctmgr: error: Invalid TRES value ", item));
    }
    base[kind] = n;
  }
  return base;
}

std::string FormatTres(const TresVec& v) {
  std::vector<std::string> parts;
  for (int k = 0; k < kTresKinds; ++k) {
    if (v[k] < 0) continue;
    if (k == kTresMem)
      parts.push_back(v[k] % 1024 == 0 && v[k] ? absl::StrCat("mem=", v[k] / 1024, "G")
                                               : absl::StrCat("mem=", v[k], "M"));
    else
      parts.push_back(absl::StrCat(kTresNames[k], "=", v[k]));
  }
  return absl::StrJoin(parts, ",");
}

const std::vector<LimitKey>& LimitKeys() {
  static const std::vector<LimitKey> kKeys = {
      {"grpjobs", {"grpjobs"}, true, true, "GrpJobs", "GrpJobs"},
      {"grpsubmitjobs", {"grpsubmitjobs", "grpsubmit"}, true, true, "GrpSubmitJobs", "GrpSubmitJobs"},
      {"grptres", {"grptres"}, true, true, "GrpTRES", "GrpTRES"},
      {"maxjobs", {"maxjobs", "maxjobsperuser", "maxjobspu"}, true, true, "MaxJobsPerUser", "MaxJobs"},
      {"maxsubmitjobs",
       {"maxsubmitjobs", "maxsubmit", "maxsubmitjobsperuser", "maxsubmitjobspu", "maxsubmitpu"},
       true, true, "MaxSubmitJobsPerUser", "MaxSubmitJobs"},
      {"maxtres", {"maxtres", "maxtresperjob", "maxtrespj"}, true, true, "MaxTRESPerJob", "MaxTRES"},
      {"maxtrespu", {"maxtrespu", "maxtresperuser"}, false, true, "MaxTRESPerUser", "MaxTRESPerUser"},
      {"maxwall", {"maxwall", "maxwalldurationperjob", "maxwallduration"}, true, true, "MaxWall", "MaxWall"},
      {"priority", {"priority"}, true, true, "Priority", "Priority"},
  };
  return kKeys;
}

const LimitKey* FindLimitKey(absl::string_view spelled, LimitScope scope) {
  std::string s = absl::AsciiStrToLower(spelled);
  for (const auto& k : LimitKeys()) {
    if (scope == LimitScope::kAssoc ? !k.assoc : !k.qos) continue;
    // (an association's MaxJobs is not spelled per user)
    for (const char* sp : k.spellings)
      if (s == sp && !(scope == LimitScope::kAssoc &&
                       (absl::EndsWith(s, "pu") || absl::StrContains(s, "peruser"))))
        return &k;
  }
  return nullptr;
}

absl::Status SetLimit(AcctLimits& l, const LimitKey& key, absl::string_view value,
                      LimitScope scope) {
  absl::string_view name = key.name;
  const char* label = scope == LimitScope::kQos ? key.label : key.assoc_label;
  if (TresVec* t = TresOf(l, name)) {
    auto v = ParseTres(value, *t);
    if (!v.ok()) return v.status();
    *t = *v;
    return absl::OkStatus();
  }
  int64_t* c = CountOf(l, name);
  if (!c) return absl::InternalError("no such limit");
  if (name == "maxwall") {
    if (value == "-1") {
      *c = -1;
      return absl::OkStatus();
    }
    auto m = ParseTimeLimit(value);
    if (!m.ok() || *m < -1)
      return absl::InvalidArgumentError(absl::StrCat(" Bad MaxWall time format: ", label, "=", value));
    *c = *m;
    return absl::OkStatus();
  }
  int64_t n = 0;
  if (!absl::SimpleAtoi(value, &n) || n < -1)
    return absl::InvalidArgumentError(
        absl::StrCat("sacctmgr: error: Invalid value for ", label, " (", value, ")"));
  *c = n;
  return absl::OkStatus();
}

std::string LimitText(const AcctLimits& l, const LimitKey& key) {
  AcctLimits& m = const_cast<AcctLimits&>(l);
  if (const TresVec* t = TresOf(m, key.name)) return FormatTres(*t);
  const int64_t* c = CountOf(m, key.name);
  if (!c || *c < 0) return "";
  return std::string(key.name) == "maxwall" ? Wall(*c) : absl::StrCat(*c);
}

absl::StatusOr<uint32_t> ParseFairShare(absl::string_view text) {
  if (absl::EqualsIgnoreCase(text, "parent")) return kFairShareParent;
  if (text.empty()) return 0u;
  int64_t v = 0;
  if (!absl::SimpleAtoi(text, &v) || v >= kFairShareParent)
    return absl::InvalidArgumentError(absl::StrCat("Invalid value for FairShare (", text, ")"));
  return v < 0 ? 1u : static_cast<uint32_t>(v);
}

std::string FairShareText(uint32_t shares) {
  return shares == kFairShareParent ? "parent" : absl::StrCat(shares);
}

}  // namespace sluice::common
