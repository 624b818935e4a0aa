// Memory sizes as Slurm writes them ("4000", "100G", "512M", "2T", "1GB").
// Pure functions; thread-safe.
#pragma once

#include "absl/strings/string_view.h"
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace sluice::common {

// Parses a size whose default unit is megabytes; suffixes K, M, G, T
// (optionally followed by B, any case). K rounds up to whole megabytes.
// Errors: empty, non-numeric, unknown suffix, overflow.
absl::StatusOr<uint64_t> ParseMemoryMB(absl::string_view s);

// Megabytes as Slurm's TRES strings write them: the largest of M, G, T
// that divides them ("4000M", "100G", "2T").
std::string FormatTresMemMB(uint64_t mb);

}  // namespace sluice::common
