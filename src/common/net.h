// Loopback port picking for sluice-local and the tests. Thread-safe.
#pragma once

#include <cstdint>

namespace sluice::common {

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0 and
// released), or 0. Another process may take it before the caller binds it.
uint16_t PickFreeLoopbackPort();

}  // namespace sluice::common
