#include "common/cgroup_conf.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace sluice::common {
namespace {

absl::StatusOr<bool> YesNoStrict(absl::string_view key, absl::string_view v,
                                 int lineno) {
  std::string l = absl::AsciiStrToLower(v);
  if (l == "yes" || l == "true" || l == "1") return true;
  if (l == "no" || l == "false" || l == "0") return false;
  return absl::InvalidArgumentError(absl::StrCat(
      "cgroup.conf line ", lineno, ": ", key, " must be yes or no, not ", v));
}

}  // namespace

absl::StatusOr<CgroupConf> ParseCgroupConfText(absl::string_view text) {
  CgroupConf c;
  int lineno = 0;
  for (absl::string_view raw : absl::StrSplit(text, '\n')) {
    ++lineno;
    absl::string_view line = raw.substr(0, raw.find('#'));
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) continue;
    size_t eq = line.find('=');
    if (eq == absl::string_view::npos)
      return absl::InvalidArgumentError(absl::StrCat(
          "cgroup.conf line ", lineno, ": expected Key=Value: ", line));
    absl::string_view raw_key = absl::StripAsciiWhitespace(line.substr(0, eq));
    std::string key = absl::AsciiStrToLower(raw_key);
    absl::string_view v = absl::StripAsciiWhitespace(line.substr(eq + 1));
    auto flag = [&](bool* out) -> absl::Status {
      auto b = YesNoStrict(raw_key, v, lineno);
      if (!b.ok()) return b.status();
      *out = *b;
      return absl::OkStatus();
    };
    absl::Status st;
    if (key == "cgroupplugin") {
      c.plugin = absl::AsciiStrToLower(v);
      if (c.plugin != "autodetect" && c.plugin != "cgroup/v1" &&
          c.plugin != "cgroup/v2")
        return absl::InvalidArgumentError(absl::StrCat(
            "cgroup.conf line ", lineno, ": unknown CgroupPlugin ", v));
    } else if (key == "cgroupmountpoint") {
      c.mountpoint = std::string(v);
    } else if (key == "constraincores") {
      st = flag(&c.constrain_cores);
    } else if (key == "constrainramspace") {
      st = flag(&c.constrain_ram_space);
    } else if (key == "constraindevices") {
      st = flag(&c.constrain_devices);
    } else if (key == "allowedramspace") {
      if (!absl::SimpleAtod(v, &c.allowed_ram_space_pct) ||
          c.allowed_ram_space_pct <= 0)
        return absl::InvalidArgumentError(absl::StrCat(
            "cgroup.conf line ", lineno, ": invalid AllowedRAMSpace ", v));
    } else {
      c.warnings.push_back(absl::StrCat("cgroup.conf line ", lineno,
                                        ": ignoring unknown key ", key));
    }
    if (!st.ok()) return st;
  }
  return c;
}

}  // namespace sluice::common
