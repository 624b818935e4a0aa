// --begin times as Slurm accepts them: "now+1hour", "now+60" (seconds),
// "16:00[:SS]" (the next such time), "midnight", "noon", "fika", "teatime",
// "today", "tomorrow", "YYYY-MM-DD[THH:MM[:SS]]", "MM/DD[/YY]". Local time.
// Pure given `now`; thread-safe.
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sluice::common {

// Unix seconds; InvalidArgument("Invalid time specification") otherwise.
absl::StatusOr<int64_t> ParseBeginTime(absl::string_view s, int64_t now);

}  // namespace sluice::common
