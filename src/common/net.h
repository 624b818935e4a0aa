// Loopback port picking for sluice-local and the tests. Thread-safe.
#pragma once

#include <cstdint>

namespace sluice::common {

// A TCP port on 127.0.0.1 that was free a moment ago (bound and released),
// or 0. Picked at random below the kernel's ephemeral port range where
// that range leaves room, so outgoing connections never take it; another
// process may still bind it before the caller does.
uint16_t PickFreeLoopbackPort();

}  // namespace sluice::common
