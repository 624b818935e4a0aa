#include "ctld/core/node_filter.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"

namespace sluice::ctld {

bool ValidConstraint(absl::string_view expr) {
  if (expr.empty()) return false;
  for (absl::string_view any : absl::StrSplit(expr, '|')) {
    for (absl::string_view f : absl::StrSplit(any, '&')) {
      if (f.empty()) return false;
      for (char c : f)
        if (!absl::ascii_isalnum(c) && c != '_' && c != '-' && c != '.')
          return false;
    }
  }
  return true;
}

bool MatchesConstraint(absl::string_view expr,
                       const std::vector<std::string>& features) {
  for (absl::string_view any : absl::StrSplit(expr, '|')) {
    bool all = true;
    for (absl::string_view f : absl::StrSplit(any, '&'))
      if (std::find(features.begin(), features.end(), f) == features.end())
        all = false;
    if (all) return true;
  }
  return false;
}

bool NodeAllowed(const JobSpec& spec, const common::NodeConf& node) {
  auto has = [&](const std::vector<std::string>& v) {
    return std::find(v.begin(), v.end(), node.name) != v.end();
  };
  if (!spec.nodelist.empty() && !has(spec.nodelist)) return false;
  if (has(spec.exclude)) return false;
  if (spec.tmp_mb > node.tmp_disk_mb) return false;
  if (!spec.constraint.empty() && !MatchesConstraint(spec.constraint, node.features))
    return false;
  return true;
}

}  // namespace sluice::ctld
