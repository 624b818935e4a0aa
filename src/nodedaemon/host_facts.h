// What the node daemon tells the controller about its machine with each
// report: load, free and total memory, kernel, architecture, boot time
// (Slurm's CPULoad, FreeMem, RealMemory, OS, Arch, BootTime). Reads /proc
// and uname; stateless; thread-safe.
#pragma once

#include <cstdint>

#include "common.pb.h"

namespace sluice::node {

void ReadHostFacts(int64_t daemon_start, ::sluice::v1::HostFacts* h);
uint64_t MemTotalMb();

}  // namespace sluice::node
