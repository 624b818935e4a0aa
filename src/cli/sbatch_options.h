// sbatch's script: its #SBATCH directives (parsed through the one option
// table, job_options.h), Slurm's checks on its text, --wrap's script, and
// the environment --export sends. Pure; thread-safe.
#pragma once

#include "absl/strings/string_view.h"
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "cli/job_options.h"

namespace sluice::cli {

// The option words of every "#SBATCH" line before the first command.
std::vector<std::string> ExtractDirectives(absl::string_view script);

// Slurm's checks on the script text.
std::optional<CliFailure> CheckScript(absl::string_view script);

// The environment sent with the job under --export: ALL (the default), NONE
// (only SLURM_* variables), or a comma list of NAME or NAME=value, where
// ALL in the list keeps everything else too. SLURM_* always pass.
std::vector<std::string> ExportedEnv(const std::optional<std::string>& spec,
                                     const std::vector<std::string>& environ);

// The script --wrap builds.
std::string WrapScript(const std::string& command);

// Splits a directive line into words as a shell would (quotes, escapes).
std::vector<std::string> ShellWords(absl::string_view line);

}  // namespace sluice::cli
