#include "common/gpu_status.h"

#include "absl/strings/str_cat.h"

namespace sluice::common {
namespace {

// XIDs after which NVIDIA's guidance is to drain the GPU and reset or
// replace it (as opposed to application faults such as 13, 31, 43).
const char* FatalXid(uint32_t xid) {
  switch (xid) {
    case 48: return "double-bit ECC error";
    case 64: return "ECC page retirement or row remapping failure";
    case 74: return "NVLink error";
    case 79: return "fallen off the bus";
    case 92: return "high single-bit ECC error rate";
    case 94: return "contained ECC error";
    case 95: return "uncontained ECC error";
    case 119: return "GSP RPC timeout";
    case 120: return "GSP error";
    default: return nullptr;
  }
}

}  // namespace

std::string FatalGpuCondition(const GpuStatus& g, bool readable,
                              const std::string& read_error) {
  if (!readable)
    return absl::StrCat("NVML cannot read it",
                        read_error.empty() ? "" : absl::StrCat(" (", read_error, ")"));
  if (g.last_xid != 0)
    if (const char* what = FatalXid(g.last_xid))
      return absl::StrCat("XID ", g.last_xid, " (", what, ")");
  if (g.ecc_uncorrected > 0)
    return absl::StrCat(g.ecc_uncorrected, " uncorrectable ECC error(s)");
  return "";
}

std::string GpuDrainReason(const GpuStatus& g) {
  return absl::StrCat("GPU ", g.index,
                      g.uuid.empty() ? "" : absl::StrCat(" (", g.uuid, ")"), ": ",
                      g.health);
}

}  // namespace sluice::common
