// Where a node's GPUs and their telemetry come from. Two backends: NVML
// (libnvidia-ml.so.1 loaded at run time, so nothing links against the
// driver) and a fake one with a configured count and type, used by tests
// and `sluice-local` so a whole cluster runs on a laptop; the fake shows
// load on GPUs a job holds and reads injected faults from a file.
// Implementations are thread-compatible; the node daemon calls them from
// one thread at a time.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/gpu_status.h"

namespace sluice::node {

using GpuInfo = common::GpuStatus;

class GpuProbe {
 public:
  virtual ~GpuProbe() = default;
  virtual std::string Backend() const = 0;  // "nvml" or "fake"
  virtual absl::StatusOr<std::vector<GpuInfo>> Inventory() = 0;
  // Inventory plus telemetry and a health verdict for every GPU; `owners`
  // maps GPU index to the job holding it.
  virtual std::vector<GpuInfo> Sample(const std::map<uint32_t, uint64_t>& owners,
                                      int64_t now) = 0;
};

// Faults are read from `fault_file` at each sample, one per line:
// "<index> xid=<n>", "<index> ecc_uncorrected=<n>", "<index> ecc_corrected=<n>",
// "<index> retired_pages=<n>", "<index> unreadable". Missing file: healthy.
std::unique_ptr<GpuProbe> MakeFakeGpuProbe(uint32_t count, std::string type,
                                           std::string fault_file = "");
// Unavailable when libnvidia-ml.so.1 cannot be loaded or initialised.
absl::StatusOr<std::unique_ptr<GpuProbe>> MakeNvmlGpuProbe();

}  // namespace sluice::node
