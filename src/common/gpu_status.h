// One GPU as a node daemon reports it and the controller shows it:
// inventory, the latest telemetry sample, the job holding it, and a health
// verdict. Plain value; thread-compatible.
#pragma once

#include <cstdint>
#include <string>

namespace sluice::common {

struct GpuStatus {
  uint32_t index = 0;
  std::string type;  // lower-case short type, e.g. "h100"; may be empty
  std::string name;  // e.g. "NVIDIA H200"
  std::string uuid;
  std::string pci_bus_id;
  uint64_t memory_total_mb = 0;
  uint32_t minor = 0;  // /dev/nvidia<minor>; equals index unless NVML says
  // Telemetry (valid when `telemetry`).
  bool telemetry = false;
  int64_t sampled_at = 0;
  uint64_t memory_used_mb = 0;
  uint32_t gpu_util_pct = 0;
  uint32_t mem_util_pct = 0;
  int32_t temperature_c = 0;
  uint32_t power_mw = 0;
  uint32_t power_limit_mw = 0;
  uint64_t ecc_corrected = 0;
  uint64_t ecc_uncorrected = 0;
  uint32_t retired_pages = 0;
  uint32_t last_xid = 0;   // most recent XID event; 0: none seen
  uint32_t xid_count = 0;  // XID events since the daemon started
  uint64_t job_id = 0;
  std::string health;      // empty: healthy; else the fatal condition
};

// Why this sample means the GPU must not run jobs (XID 79 fallen off the
// bus, other fatal XIDs, uncorrectable ECC errors, unreadable); empty when
// it is usable.
std::string FatalGpuCondition(const GpuStatus& g, bool readable,
                              const std::string& read_error);

// "GPU 1 (GPU-uuid): XID 79 (fallen off the bus)": a node's drain reason.
std::string GpuDrainReason(const GpuStatus& g);

}  // namespace sluice::common
