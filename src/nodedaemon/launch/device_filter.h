// GPU device confinement on cgroup v2, where the devices controller is an
// eBPF program attached to the cgroup (there is no devices.deny file). The
// program denies the character devices NVIDIA's driver uses (major 195)
// whose minors are listed, and allows everything else. Stateless;
// thread-safe. Needs root (CAP_SYS_ADMIN/CAP_BPF).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace sluice::node {

// Loads the filter and attaches it to the cgroup v2 directory `dir`. The
// program stays attached for the cgroup's life: no file descriptor needs to
// be kept.
absl::Status AttachGpuDeviceFilter(const std::string& dir,
                                   const std::vector<uint32_t>& denied_minors);

}  // namespace sluice::node
