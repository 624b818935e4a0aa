// cgroup.conf(5): which limits the node daemon's cgroups enforce. Pure
// parsing; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sluice::common {

struct CgroupConf {
  std::string plugin = "autodetect";  // CgroupPlugin: autodetect|cgroup/v1|cgroup/v2
  std::string mountpoint = "/sys/fs/cgroup";
  bool constrain_cores = false;
  bool constrain_ram_space = false;
  bool constrain_devices = false;
  double allowed_ram_space_pct = 100;
  std::vector<std::string> warnings;
};
absl::StatusOr<CgroupConf> ParseCgroupConfText(absl::string_view text);


}  // namespace sluice::common
