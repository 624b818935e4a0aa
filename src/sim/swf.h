// The Standard Workload Format (SWF) of the Parallel Workloads Archive: one
// job per line, 18 whitespace-separated numbers, ';' comment/header lines.
// Sluice reads fields 1 (id), 2 (submit), 4 (run time), 5 (allocated
// processors), 8 (requested processors) and 9 (requested time), and two
// optional Sluice fields after the 18th: 19, the job array's task count
// (each task runs with the line's run time and processors), and 20, its
// %throttle. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sluice::sim {

struct SwfJob {
  uint64_t id = 0;
  int64_t submit_s = 0;
  int64_t run_s = 0;
  int64_t procs = 1;        // requested, else allocated
  int64_t req_time_s = 0;   // requested, else the run time
  uint32_t array_tasks = 0;   // field 19: a job array of this many tasks
  uint32_t array_throttle = 0;  // field 20: %throttle; 0 none
};

// InvalidArgument naming the line for anything malformed.
absl::StatusOr<std::vector<SwfJob>> ParseSwf(absl::string_view text);

}  // namespace sluice::sim
