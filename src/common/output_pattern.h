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
  uint64_t array_job_id = 0;    // %A: this, or job_id when 0
  int64_t array_task_id = -1;   // %a: this, or 4294967294 when negative
};

// Expands the pattern for the batch step (%s = "batch", %t/%n = 0, %a =
// 4294967294 for a job that is not an array task). Unknown escapes are
// kept as written.
std::string ExpandOutputPattern(const std::string& pattern,
                                const OutputPatternVars& vars);

// A step's -o/-e/-i pattern for one task, as srun and the node's stepd
// expand it: %t task, %n node index, %N node, %j job, %J job.step, %s step,
// %A job, %a 4294967294, %%.
std::string ExpandStepIoPattern(const std::string& pattern, uint64_t job, uint32_t step,
                                uint32_t task, uint32_t node_index, const std::string& node);

// Expands only %A and %a (with their widths) for an array task, leaving
// every other escape, %% included, for ExpandOutputPattern on the node.
std::string ExpandArrayEscapes(const std::string& pattern, uint64_t array_job_id,
                               int64_t array_task_id);

}  // namespace sluice::common
