// srun --multi-prog configuration files: one line per task range, "RANGE
// PROGRAM ARGS..." (RANGE: "0", "1-3", "0,2-4" or "*"; %t in the arguments
// is the task's ID, %o its offset within the range; '#' starts a comment).
// srun checks the file; each node's stepd picks each task's command line
// from it. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sluice::common {

struct MultiProgLine {
  std::string range;  // as written ("*" for every other task)
  std::vector<std::string> argv;
};

// Slurm's messages on bad input (each a line srun prints as an error):
// "Invalid task range specification", "Line N of configuration file F
// invalid"; with `ntasks` > 0 also "Configuration file F invalid, no
// record for task id I".
absl::StatusOr<std::vector<MultiProgLine>> ParseMultiProg(absl::string_view text,
                                                          absl::string_view file,
                                                          uint32_t ntasks);

// Task `task`'s command line (first matching line), nullopt when none.
std::optional<std::vector<std::string>> MultiProgArgv(const std::vector<MultiProgLine>& lines,
                                                      uint32_t task);

}  // namespace sluice::common
