// srun --cpu-bind: which of a step's CPUs on a node each task is bound to
// (sched_setaffinity, inside the step's cgroup cpuset). Types: none, cores,
// threads, sockets, ldoms, rank (the step's CPUs shared out in blocks by
// local task), map_cpu:LIST and mask_cpu:LIST (one entry per local task,
// cycling); "verbose" reports each binding, "quiet" does not. Pure;
// thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sluice::common {

struct CpuBind {
  enum class Type { kNone, kBlock, kMap, kMask } type = Type::kNone;
  bool verbose = false;
  std::vector<uint64_t> list;  // map_cpu ids or mask_cpu masks
};

// InvalidArgument("unrecognized --cpu-bind argument \"X\"") on bad input.
absl::StatusOr<CpuBind> ParseCpuBind(absl::string_view text);

// The CPUs local task `local` (of `tasks` on this node) is bound to, among
// the step's `cpus`; empty: not bound (none, or nothing of it in `cpus`).
std::vector<uint32_t> CpusForTask(const CpuBind& b, const std::vector<uint32_t>& cpus,
                                  uint32_t local, uint32_t tasks);

// "0x..." for a CPU list, as Slurm's verbose line shows the mask.
std::string CpuMask(const std::vector<uint32_t>& cpus);

}  // namespace sluice::common
