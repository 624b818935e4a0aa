#include "cli/sshare_format.h"

#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/acct_limits.h"

namespace sluice::cli {

namespace v1 = ::sluice::v1;

namespace {

bool IsRoot(const v1::ShareRecord& r) { return r.depth() == 0 && r.user().empty() && r.account() == "root"; }
std::string Fixed(double v) { return absl::StrFormat("%.6f", v); }

std::string Account(const v1::ShareRecord& r, const std::string&) { return r.account(); }
std::string Cluster(const v1::ShareRecord&, const std::string& c) { return c; }
std::string EffectvUsage(const v1::ShareRecord& r, const std::string&) { return Fixed(r.effective_usage()); }
std::string FairShare(const v1::ShareRecord& r, const std::string&) {
  return r.user().empty() ? "" : Fixed(r.fairshare());
}
std::string Blank(const v1::ShareRecord&, const std::string&) { return ""; }
std::string LevelFS(const v1::ShareRecord& r, const std::string&) {
  if (IsRoot(r)) return "";
  return std::isinf(r.level_fs()) ? "inf" : Fixed(r.level_fs());
}
std::string NormShares(const v1::ShareRecord& r, const std::string&) { return Fixed(r.norm_shares()); }
std::string NormUsage(const v1::ShareRecord& r, const std::string&) {
  return IsRoot(r) ? "" : Fixed(r.norm_usage());
}
std::string Partition(const v1::ShareRecord& r, const std::string&) { return r.partition(); }
std::string RawShares(const v1::ShareRecord& r, const std::string&) {
  return IsRoot(r) ? "" : common::FairShareText(r.raw_shares());
}
std::string RawUsage(const v1::ShareRecord& r, const std::string&) {
  return absl::StrCat(static_cast<uint64_t>(std::floor(std::max(0.0, r.raw_usage()))));
}
std::string TRESRunMins(const v1::ShareRecord& r, const std::string&) { return r.tres_run_mins(); }
std::string User(const v1::ShareRecord& r, const std::string&) { return r.user(); }

// Every field, in --helpformat's (alphabetical) order. GrpTRESMins is
// blank: no such limit is kept. (GrpTRESRaw and ID are not offered.)
const ShareField kAccount{"Account", "Account", 20, true, Account};

}  // namespace

const std::vector<ShareField>& ShareFields() {
  static const std::vector<ShareField> kFields = {
      kAccount,
      {"Cluster", "Cluster", 10, false, Cluster},
      {"EffectvUsage", "EffectvUsage", 13, false, EffectvUsage},
      {"FairShare", "FairShare", 10, false, FairShare},
      {"GrpTRESMins", "GrpTRESMins", 30, false, Blank},
      {"LevelFS", "LevelFS", 10, false, LevelFS},
      {"NormShares", "NormShares", 11, false, NormShares},
      {"NormUsage", "NormUsage", 11, false, NormUsage},
      {"Partition", "Partition", 12, false, Partition},
      {"RawShares", "RawShares", 10, false, RawShares},
      {"RawUsage", "RawUsage", 11, false, RawUsage},
      {"TRESRunMins", "TRESRunMins", 30, false, TRESRunMins},
      {"User", "User", 10, false, User},
  };
  return kFields;
}

namespace {
const ShareField* Find(absl::string_view name) {
  for (const auto& f : ShareFields())
    if (!name.empty() && absl::StartsWithIgnoreCase(f.name, name)) return &f;
  return nullptr;
}
ShareColumn Col(const char* name) {
  const ShareField* f = Find(name);
  return {f, f->width, f->left};
}
}  // namespace

absl::StatusOr<std::vector<ShareColumn>> ParseShareFormat(const std::string& spec) {
  std::vector<ShareColumn> out;
  for (absl::string_view item : absl::StrSplit(spec, ',', absl::SkipEmpty())) {
    absl::string_view name = item, width;
    if (size_t pct = item.find('%'); pct != absl::string_view::npos) {
      name = item.substr(0, pct);
      width = item.substr(pct + 1);
    }
    const ShareField* f = Find(name);
    if (!f) return absl::InvalidArgumentError(absl::StrCat("Invalid field requested: \"", name, "\""));
    ShareColumn c{f, f->width, f->left};
    if (!width.empty()) {
      int w = 0;
      if (!absl::SimpleAtoi(width, &w) || w == 0 || w > 4096 || w < -4096)
        return absl::InvalidArgumentError(absl::StrCat("Invalid field requested: \"", item, "\""));
      c.width = std::abs(w);
      c.left = w < 0;
    }
    out.push_back(c);
  }
  return out;
}

std::vector<ShareColumn> DefaultShareColumns(bool long_format, bool partition) {
  std::vector<ShareColumn> c = {Col("Account"), Col("User")};
  if (partition) c.push_back(Col("Partition"));
  for (const char* n : {"RawShares", "NormShares", "RawUsage"}) c.push_back(Col(n));
  if (long_format) c.push_back(Col("NormUsage"));
  c.push_back(Col("EffectvUsage"));
  c.push_back(Col("FairShare"));
  if (long_format)
    for (const char* n : {"LevelFS", "GrpTRESMins", "TRESRunMins"}) c.push_back(Col(n));
  return c;
}

namespace {
// A cell: cut to the width (a value with '+' at the end) when longer, then
// padded.
std::string Cell(const std::string& v, const ShareColumn& c, bool value = true) {
  std::string s = v;
  if (static_cast<int>(s.size()) > c.width) s = value ? s.substr(0, c.width - 1) + "+" : s.substr(0, c.width);
  return c.left ? absl::StrFormat("%-*s", c.width, s) : absl::StrFormat("%*s", c.width, s);
}
}  // namespace

std::string FormatShares(const std::vector<ShareColumn>& cols,
                         const std::vector<const v1::ShareRecord*>& rows, const std::string& cluster,
                         ShareLayout layout, bool header, const std::vector<int>& indent) {
  std::string out;
  const bool table = layout == ShareLayout::kTable;
  auto line = [&](auto cell) {
    for (size_t i = 0; i < cols.size(); ++i) {
      if (table) absl::StrAppend(&out, cell(i), " ");
      else absl::StrAppend(&out, cell(i), i + 1 < cols.size() || layout == ShareLayout::kParsable ? "|" : "");
    }
    out += "\n";
  };
  if (header) {
    line([&](size_t i) { return table ? Cell(cols[i].field->header, cols[i], false) : std::string(cols[i].field->header); });
    if (table) line([&](size_t i) { return std::string(cols[i].width, '-'); });
  }
  for (size_t r = 0; r < rows.size(); ++r) {
    line([&](size_t i) {
      std::string v = cols[i].field->value(*rows[r], cluster);
      if (cols[i].field->value == Account) v = std::string(std::max(0, indent[r]), ' ') + v;
      return table ? Cell(v, cols[i]) : v;
    });
  }
  return out;
}

std::string ShareHelpFormat() {
  std::string out;
  const auto& f = ShareFields();
  for (size_t i = 0; i < f.size(); ++i)
    absl::StrAppend(&out, absl::StrFormat("%-17s", f[i].name), i % 4 == 3 || i + 1 == f.size() ? "\n" : " ");
  return out;
}

}  // namespace sluice::cli
