// Where a node's GPUs come from. Two backends: NVML (libnvidia-ml.so.1
// loaded at run time, so nothing links against the driver) and a fake one
// with a configured count and type, used by tests and `sluice-local` so a
// whole cluster runs on a laptop. Implementations are thread-compatible;
// the node daemon calls them from its strand.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace sluice::node {

struct GpuInfo {
  uint32_t index = 0;
  std::string type;  // lower-case short type, e.g. "h100"; may be empty
  std::string name;  // e.g. "NVIDIA H200"
  std::string uuid;
  std::string pci_bus_id;
  uint64_t memory_total_mb = 0;
};

class GpuProbe {
 public:
  virtual ~GpuProbe() = default;
  virtual std::string Backend() const = 0;  // "nvml" or "fake"
  virtual absl::StatusOr<std::vector<GpuInfo>> Inventory() = 0;
};

std::unique_ptr<GpuProbe> MakeFakeGpuProbe(uint32_t count, std::string type);
// Unavailable when libnvidia-ml.so.1 cannot be loaded or initialised.
absl::StatusOr<std::unique_ptr<GpuProbe>> MakeNvmlGpuProbe();

}  // namespace sluice::node
