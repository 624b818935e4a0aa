#include "cli/sinfo_settings.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace sluice::cli {
namespace {

const char* Bool(bool b) { return b ? "true" : "false"; }

}  // namespace

std::string SinfoSettingsDump(const SinfoSettings& s) {
  auto has = [&](std::initializer_list<const char*> keys) {
    return std::any_of(s.fields.begin(), s.fields.end(), [&](const SinfoField& f) {
      for (const char* k : keys)
        if (f.key == k) return true;
      return false;
    });
  };
  // The format as Slurm lists it: each field's name and width, then the
  // text that follows it, comma separated.
  std::vector<std::string> format;
  for (const auto& f : s.fields) {
    if (f.key.empty()) {
      if (!format.empty()) format.back() += f.literal;
      continue;
    }
    std::string name = f.key == "timelimit" ? "time" : f.key;
    format.push_back(absl::StrCat(name, ":", f.right ? "." : "", f.width));
  }
  bool part_field =
      !s.node_view && has({"partition", "partitionname", "available", "timelimit", "time"});
  std::string o = "-----------------------------\n";
  absl::StrAppend(&o, "dead        = ", Bool(s.dead), "\n");
  absl::StrAppend(&o, "exact       = ", s.exact ? 1 : 0, "\n");
  absl::StrAppend(&o, "filtering   = ", Bool(s.responding || s.dead || !s.states.empty()), "\n");
  absl::StrAppend(&o, "format      = ",
                  s.given_format.empty() ? absl::StrJoin(format, ",") : s.given_format, "\n");
  absl::StrAppend(&o, "iterate     = ", s.iterate_s, "\n");
  absl::StrAppend(&o, "long        = ", Bool(s.long_view), "\n");
  absl::StrAppend(&o, "no_header   = ", Bool(s.noheader), "\n");
  absl::StrAppend(&o, "node_field  = ", Bool(has({"nodehost", "nodeaddr"})), "\n");
  absl::StrAppend(&o, "node_format = ", Bool(s.node_view), "\n");
  absl::StrAppend(&o, "nodes       = ", s.nodes.empty() ? "n/a" : s.nodes, "\n");
  absl::StrAppend(&o, "part_field  = ", Bool(part_field), "\n");
  absl::StrAppend(&o, "partition   = ", s.partitions.empty() ? "n/a" : s.partitions, "\n");
  absl::StrAppend(&o, "responding  = ", Bool(s.responding), "\n");
  absl::StrAppend(&o, "states      = ",
                  s.states.empty() ? "(null)" : absl::StrJoin(s.states, ","), "\n");
  absl::StrAppend(&o, "sort        = ", s.sort.empty() ? "(null)" : s.sort, "\n");
  absl::StrAppend(&o, "summarize   = ", Bool(s.summarize), "\n");
  absl::StrAppend(&o, "verbose     = ", s.verbose, "\n");
  o += "-----------------------------\n";
  struct Flag {
    const char* label;
    std::initializer_list<const char*> keys;
  };
  const Flag flags[] = {
      {"all_flag        = ", {}},
      {"alloc_mem_flag  = ", {"allocmem"}},
      {"avail_flag      = ", {"available"}},
      {"comment_flag    = ", {}},
      {"cpus_flag       = ", {"cpus"}},
      {"default_time_flag =", {"defaulttime"}},
      {"disk_flag       = ", {"disk"}},
      {"extra_flag      = ", {}},
      {"features_flag   = ", {"features"}},
      {"features_flag_act = ", {"features_act"}},
      {"groups_flag     = ", {"groups"}},
      {"gres_flag       = ", {"gres"}},
      {"gres_used_flag  = ", {"gresused"}},
      {"job_size_flag   = ", {"size"}},
      {"max_time_flag   = ", {"timelimit", "time"}},
      {"memory_flag     = ", {"memory"}},
      {"partition_flag  = ", {"partition", "partitionname"}},
      {"port_flag       = ", {"port"}},
      {"priority_job_factor_flag   = ", {"priorityjobfactor"}},
      {"priority_tier_flag   = ", {"prioritytier"}},
      {"reason_flag     = ", {"reason"}},
      {"reason_timestamp_flag = ", {}},
      {"reason_user_flag = ", {}},
      {"reservation_flag = ", {}},
      {"root_flag       = ", {"root"}},
      {"oversubscribe_flag      = ", {"oversubscribe"}},
      {"state_flag      = ", {"statecompact"}},
      {"statecomplete_flag = ", {"statelong"}},
      {"weight_flag     = ", {"weight"}},
  };
  for (const auto& f : flags) {
    bool on = std::string(f.label).rfind("all_flag", 0) == 0 ? s.all : has(f.keys);
    absl::StrAppend(&o, f.label, Bool(on), "\n");
  }
  o += "-----------------------------\n\n";
  return o;
}

}  // namespace sluice::cli
