// Job array indexes: the set an --array specification names ("0-9",
// "1,3,7-8", "0-99:3", each optionally "%N" for a throttle), held as runs of
// evenly spaced indexes so that a pending 100,000-task array costs a few
// words, not a bitmap. Pure value type; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sluice::common {

class ArrayIndexSet {
 public:
  struct Run {
    uint32_t first = 0, last = 0, step = 1;  // first..last every step
    bool operator==(const Run&) const = default;
  };

  ArrayIndexSet() = default;
  static ArrayIndexSet FromRuns(std::vector<Run> runs);

  bool empty() const { return runs_.empty(); }
  uint64_t Count() const;
  uint32_t Min() const;  // precondition: !empty()
  uint32_t Max() const;
  bool Contains(uint32_t i) const;
  // Removes `i`; false when it was not there.
  bool Remove(uint32_t i);
  // The lowest index, removed. Precondition: !empty().
  uint32_t PopFirst();
  // Calls fn on every index in increasing order until it returns false.
  template <typename F>
  void ForEach(F fn) const {
    for (const auto& r : runs_)
      for (uint64_t i = r.first; i <= r.last; i += r.step)
        if (!fn(static_cast<uint32_t>(i))) return;
  }
  // Slurm's text: consecutive indexes as ranges, others comma-separated
  // ("1,3,7-8", "0-1000"); no step notation, as squeue prints it.
  std::string Format() const;
  // The stored form ("1-9:2,15"), which Parse reads back exactly.
  std::string Encode() const;
  // The common spacing of the whole set: its one run's step, else 1.
  uint32_t Step() const;
  const std::vector<Run>& runs() const { return runs_; }
  bool operator==(const ArrayIndexSet&) const = default;

 private:
  std::vector<Run> runs_;  // sorted, disjoint
};

struct ArraySpec {
  ArrayIndexSet indexes;
  uint32_t throttle = 0;  // %N; 0: no limit
};

// Parses an --array value. Every index must be below `max_array_size`.
// InvalidArgument("Invalid job array specification") on bad input, as
// Slurm's controller answers; like Slurm 22.05, a throttle that is not a
// positive number ("%0", "%abc") means no limit.
absl::StatusOr<ArraySpec> ParseArraySpec(absl::string_view text,
                                         uint32_t max_array_size);

// "N_[...]"-style task selections scancel, scontrol and squeue take: the
// part after '_', with or without brackets ("7", "[1-3,5]"). No throttle.
absl::StatusOr<ArrayIndexSet> ParseTaskSelection(absl::string_view text);

}  // namespace sluice::common
