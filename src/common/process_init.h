// InitProcess: process-wide settings every Sluice program applies first
// thing in main(); ReturnFreedMemory: the controller's allocator setting.
// Header-only; call once, before any thread starts.
#pragma once

#include <malloc.h>

#include <cstdlib>
#include <cstring>

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

// Freed memory goes back to the system (issue 14 point 3). After a free
// glibc trims an arena's top only down to its top padding (M_TOP_PAD,
// 128 KiB by default), and malloc_trim leaves a thread arena's top alone
// (it returns only the free pages inside). The controller's gRPC threads
// have a dozen arenas, so after a burst of jobs ran and were purged about
// 0.45 MB stayed resident as free tops (113 % of the idle footprint; 108 %
// with this, docs/PERFORMANCE.md). No top padding, and a fixed 64 KiB trim
// threshold in place of one that grows with the largest block ever freed,
// give them back; blocks over 128 KiB are then always mapped on their own.
// An admin's GLIBC_TUNABLES for malloc win.
inline void ReturnFreedMemory() {
  const char* t = std::getenv("GLIBC_TUNABLES");
  if (t && std::strstr(t, "glibc.malloc.")) return;
  mallopt(M_TRIM_THRESHOLD, 64 * 1024);
  mallopt(M_TOP_PAD, 0);
}

}  // namespace sluice::common
