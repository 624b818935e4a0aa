// Filename patterns of --output/--error/--input: %j %J %A %a %s %t %n %x
// %u %N %% with optional zero-pad width (%4j). Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>

namespace sluice::common {

struct OutputPatternVars {
  uint64_t job_id = 0;
  std::string job_name;
  std::string user;
  std::string node;  // short host name of the node running the batch step
};

// Expands the pattern for the batch step (%s = "batch", %t/%n = 0, %a =
// 4294967294 as for a job that is not an array task). Unknown escapes are
// kept as written.
std::string ExpandOutputPattern(const std::string& pattern,
                                const OutputPatternVars& vars);

}  // namespace sluice::common
