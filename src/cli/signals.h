// Signal names as scancel and --signal accept them ("USR1", "SIGUSR1",
// "10"). Pure; thread-safe.
#pragma once

#include "absl/strings/string_view.h"
#include <string_view>

namespace sluice::cli {

// Returns the signal number, or 0 when the text names no signal.
int ParseSignal(absl::string_view s);

}  // namespace sluice::cli
