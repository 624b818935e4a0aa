// NVML through dlopen: the few entry points we need, declared here with the
// ABI NVML documents, so the build needs neither the driver nor its headers.
#include <dlfcn.h>

#include <cctype>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "nodedaemon/gpu/gpu_probe.h"

namespace sluice::node {
namespace {

using nvmlReturn_t = int;
using nvmlDevice_t = void*;
struct nvmlMemory_t {
  unsigned long long total, free, used;
};
constexpr nvmlReturn_t kNvmlSuccess = 0;

struct NvmlApi {
  void* handle = nullptr;
  nvmlReturn_t (*init)() = nullptr;
  nvmlReturn_t (*count)(unsigned int*) = nullptr;
  nvmlReturn_t (*by_index)(unsigned int, nvmlDevice_t*) = nullptr;
  nvmlReturn_t (*name)(nvmlDevice_t, char*, unsigned int) = nullptr;
  nvmlReturn_t (*uuid)(nvmlDevice_t, char*, unsigned int) = nullptr;
  nvmlReturn_t (*memory)(nvmlDevice_t, nvmlMemory_t*) = nullptr;
};

// "NVIDIA H100 80GB HBM3" -> "h100"
std::string ShortType(const std::string& name) {
  std::string s = name;
  if (s.rfind("NVIDIA ", 0) == 0) s = s.substr(7);
  std::string out;
  for (char c : s) {
    if (c == ' ' || c == '-') break;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

class NvmlGpuProbe : public GpuProbe {
 public:
  explicit NvmlGpuProbe(NvmlApi api) : api_(api) {}
  ~NvmlGpuProbe() override { dlclose(api_.handle); }
  std::string Backend() const override { return "nvml"; }
  absl::StatusOr<std::vector<GpuInfo>> Inventory() override {
    unsigned int n = 0;
    if (api_.count(&n) != kNvmlSuccess)
      return absl::UnavailableError("nvmlDeviceGetCount failed");
    std::vector<GpuInfo> out;
    for (unsigned int i = 0; i < n; ++i) {
      nvmlDevice_t dev;
      if (api_.by_index(i, &dev) != kNvmlSuccess)
        return absl::UnavailableError(absl::StrCat("NVML cannot read GPU ", i));
      GpuInfo g;
      g.index = i;
      char buf[96] = {0};
      if (api_.name(dev, buf, sizeof buf) == kNvmlSuccess) g.name = buf;
      g.type = ShortType(g.name);
      char ubuf[96] = {0};
      if (api_.uuid(dev, ubuf, sizeof ubuf) == kNvmlSuccess) g.uuid = ubuf;
      nvmlMemory_t mem{};
      if (api_.memory(dev, &mem) == kNvmlSuccess)
        g.memory_total_mb = mem.total / (1024 * 1024);
      out.push_back(std::move(g));
    }
    return out;
  }

 private:
  NvmlApi api_;
};

template <typename F>
bool Load(void* h, const char* sym, F* out) {
  *out = reinterpret_cast<F>(dlsym(h, sym));
  return *out != nullptr;
}

}  // namespace

absl::StatusOr<std::unique_ptr<GpuProbe>> MakeNvmlGpuProbe() {
  NvmlApi api;
  api.handle = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!api.handle)
    return absl::UnavailableError("libnvidia-ml.so.1 not found");
  bool ok = Load(api.handle, "nvmlInit_v2", &api.init) &&
            Load(api.handle, "nvmlDeviceGetCount_v2", &api.count) &&
            Load(api.handle, "nvmlDeviceGetHandleByIndex_v2", &api.by_index) &&
            Load(api.handle, "nvmlDeviceGetName", &api.name) &&
            Load(api.handle, "nvmlDeviceGetUUID", &api.uuid) &&
            Load(api.handle, "nvmlDeviceGetMemoryInfo", &api.memory);
  if (!ok || api.init() != kNvmlSuccess) {
    dlclose(api.handle);
    return absl::UnavailableError("NVML could not be initialised");
  }
  return std::unique_ptr<GpuProbe>(new NvmlGpuProbe(api));
}

}  // namespace sluice::node
