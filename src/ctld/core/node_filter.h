// Which nodes a job may use: --nodelist, --exclude and --constraint
// (features joined with '&' for all and '|' for any; '&' binds tighter).
// Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/slurm_conf.h"
#include "ctld/core/job.h"

namespace sluice::ctld {

bool ValidConstraint(absl::string_view expr);
bool MatchesConstraint(absl::string_view expr,
                       const std::vector<std::string>& features);
bool NodeAllowed(const JobSpec& spec, const common::NodeConf& node);

}  // namespace sluice::ctld
