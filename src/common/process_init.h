// InitProcess: process-wide settings every Sluice program applies first
// thing in main(). Header-only; call once, before any thread starts.
#pragma once

#include "absl/synchronization/mutex.h"

namespace sluice::common {

// Debian's abseil is built without NDEBUG, which leaves absl::Mutex's
// deadlock detector on: every lock gRPC takes then updates a global lock
// graph under a global lock. That cost `srun true` 11 ms of its 47 ms (and
// the daemons the same per RPC). Lock-order bugs are the sanitizers' and
// the tests' job, not a production hot path's.
inline void InitProcess() {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

}  // namespace sluice::common
