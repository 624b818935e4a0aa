// Slurm time-limit strings and the ways Slurm prints durations and
// timestamps. Pure functions; thread-safe.
#pragma once

#include "absl/strings/string_view.h"
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace sluice::common {

// Minutes, with two sentinels.
inline constexpr int64_t kTimeInfinite = -1;  // UNLIMITED / INFINITE
inline constexpr int64_t kTimeInvalid = -2;   // negative input, as Slurm keeps it

// Parses --time / MaxTime / DefaultTime: "M", "M:S", "H:M:S", "D-H",
// "D-H:M", "D-H:M:S", "UNLIMITED", "INFINITE" (any case). Seconds round up
// to whole minutes, as Slurm does. A leading '-' parses as Slurm 22.05 does
// (accepted, shown INVALID). Error: InvalidArgument for anything else.
absl::StatusOr<int64_t> ParseTimeLimit(absl::string_view s);

// Duration as squeue's TIME/TIME_LIMIT columns show it: "0:34", "10:00",
// "1:02:03", "1-00:00:00". Negative seconds print as "INVALID".
std::string FormatDuration(int64_t seconds);

// A limit in minutes: kTimeInfinite -> "UNLIMITED", kTimeInvalid -> "INVALID".
std::string FormatTimeLimit(int64_t minutes);

// scontrol's fixed form: "00:00:34", "1-00:00:00", "UNLIMITED".
std::string FormatDurationLong(int64_t seconds);

// "2026-11-28T21:22:43" in local time; 0 prints "N/A"... callers choose.
std::string FormatTimestamp(int64_t unix_seconds);

}  // namespace sluice::common
