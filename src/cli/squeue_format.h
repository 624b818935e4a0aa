// squeue's -o/--format language ("%.18i %.9P %j ...") and its fields, with
// Slurm's headers, widths, justification and truncation rules. Pure;
// thread-safe.
#pragma once

#include "absl/strings/string_view.h"
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "ctld.pb.h"

namespace sluice::cli {

struct SqueueField;

struct FormatItem {
  std::string literal;   // text before the field (or trailing text)
  const SqueueField* field = nullptr;  // nullptr: literal only (or unknown letter)
  bool unknown = false;  // an -o letter squeue does not have: prints nothing
  int width = 0;         // 0: no padding
  bool right = false;    // "%.N" / ":.N": right-justify
  bool cut = false;      // -O: every value is cut at the width
  std::string suffix;    // -O: text after the field
};

std::vector<FormatItem> ParseSqueueFormat(absl::string_view fmt);

// -O/--Format: "name[:[.][size][suffix]]" items, comma separated; a name
// without a size takes 20 columns. Names squeue does not have are left out,
// each reported in `unknown` (squeue says so and goes on).
std::vector<FormatItem> ParseSqueueLongFormat(absl::string_view fmt,
                                              std::vector<std::string>* unknown);

inline constexpr char kSqueueDefaultFormat[] =
    "%.18i %.9P %.8j %.8u %.2t %.10M %.6D %R";
inline constexpr char kSqueueLongFormat[] =
    "%.18i %.9P %.8j %.8u %.8T %.10M %.9l %.6D %R";

std::string SqueueHeader(const std::vector<FormatItem>& items);
// SqueueRow's text appended to `out` (no newline).
void AppendSqueueRow(std::string* out, const std::vector<FormatItem>& items,
                     const ::sluice::v1::JobInfo& job, int64_t now);
std::string SqueueRow(const std::vector<FormatItem>& items,
                      const ::sluice::v1::JobInfo& job, int64_t now);

inline constexpr char kSqueueStartFormat[] =
    "%.18i %.9P %.8j %.8u %.2t %.19S %.6D %20Y %R";

// squeue -S/--sort: a comma list of format letters, each with an optional
// "-" (descending) or "+" prefix ("-t,p,i"). IDs, counts, priorities and
// times compare as numbers, other fields as their text. InvalidArgument
// for a letter that is not a squeue field.
absl::Status SortJobsBy(std::vector<const ::sluice::v1::JobInfo*>* jobs,
                        absl::string_view spec, int64_t now);

// squeue --start: by expected start time (unknown last), then job ID.
void SortJobsByStart(std::vector<const ::sluice::v1::JobInfo*>* jobs);

// Sort as squeue does by default: partition, state (compact name),
// priority descending.
void SortJobsDefault(std::vector<const ::sluice::v1::JobInfo*>* jobs);

}  // namespace sluice::cli
