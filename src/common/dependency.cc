#include "common/dependency.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace sluice::common {
namespace {

struct Name {
  const char* text;
  DepType type;
};
constexpr Name kNames[] = {
    {"after", DepType::kAfter},           {"afterany", DepType::kAfterAny},
    {"afterok", DepType::kAfterOk},       {"afternotok", DepType::kAfterNotOk},
    {"aftercorr", DepType::kAfterCorr},   {"singleton", DepType::kSingleton},
};

}  // namespace

absl::StatusOr<Dependency> ParseDependency(absl::string_view s) {
  auto bad = absl::InvalidArgumentError("Job dependency problem");
  Dependency d;
  if (s.empty()) return d;
  bool has_comma = s.find(',') != absl::string_view::npos;
  bool has_q = s.find('?') != absl::string_view::npos;
  if (has_comma && has_q) return bad;  // Slurm does not mix them
  d.any = has_q;
  for (absl::string_view term : absl::StrSplit(s, absl::ByAnyChar(",?"))) {
    if (term.empty()) return bad;
    std::vector<absl::string_view> f = absl::StrSplit(term, ':');
    std::string name = absl::AsciiStrToLower(f[0]);
    DepTerm t;
    bool known = false;
    for (const auto& n : kNames)
      if (name == n.text) {
        t.type = n.type;
        known = true;
      }
    if (!known) return bad;
    if (t.type == DepType::kSingleton) {
      if (f.size() != 1) return bad;
    } else {
      if (f.size() < 2) return bad;
      for (size_t i = 1; i < f.size(); ++i) {
        absl::string_view id = f[i];
        if (auto plus = id.find('+'); plus != absl::string_view::npos) {
          if (t.type != DepType::kAfter ||
              !absl::SimpleAtoi(id.substr(plus + 1), &t.delay_min) ||
              t.delay_min < 0)
            return bad;
          id = id.substr(0, plus);
        }
        uint64_t v;
        if (!absl::SimpleAtoi(id, &v) || v == 0) return bad;
        t.jobs.push_back(v);
      }
    }
    d.terms.push_back(std::move(t));
  }
  return d;
}

std::string FormatDependency(const Dependency& d) {
  std::vector<std::string> terms;
  for (const auto& t : d.terms) {
    std::string name;
    for (const auto& n : kNames)
      if (n.type == t.type) name = n.text;
    std::string s = name;
    for (uint64_t id : t.jobs) absl::StrAppend(&s, ":", id);
    if (t.delay_min) absl::StrAppend(&s, "+", t.delay_min);
    terms.push_back(std::move(s));
  }
  return absl::StrJoin(terms, d.any ? "?" : ",");
}

}  // namespace sluice::common
