// NVML through dlopen: the few entry points we need, declared here with the
// ABI NVML documents, so the build needs neither the driver nor its headers.
#include <dlfcn.h>

#include <cctype>
#include <map>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "nodedaemon/gpu/gpu_probe.h"

namespace sluice::node {
namespace {

using nvmlReturn_t = int;
using nvmlDevice_t = void*;
using nvmlEventSet_t = void*;
struct nvmlMemory_t {
  unsigned long long total, free, used;
};
struct nvmlUtilization_t {
  unsigned int gpu, memory;
};
struct nvmlPciInfo_t {  // the v3 layout
  char bus_id_legacy[16];
  unsigned int domain, bus, device, pci_device_id, pci_subsystem_id;
  char bus_id[32];
};
struct nvmlEventData_t {
  nvmlDevice_t device;
  unsigned long long event_type;
  unsigned long long event_data;
  unsigned int gpu_instance_id, compute_instance_id;
};
constexpr nvmlReturn_t kNvmlSuccess = 0;
constexpr nvmlReturn_t kNvmlInsufficientSize = 7;
constexpr unsigned long long kEventXidCritical = 0x8;

struct NvmlApi {
  void* handle = nullptr;
  nvmlReturn_t (*init)() = nullptr;
  nvmlReturn_t (*count)(unsigned int*) = nullptr;
  nvmlReturn_t (*by_index)(unsigned int, nvmlDevice_t*) = nullptr;
  nvmlReturn_t (*name)(nvmlDevice_t, char*, unsigned int) = nullptr;
  nvmlReturn_t (*uuid)(nvmlDevice_t, char*, unsigned int) = nullptr;
  nvmlReturn_t (*memory)(nvmlDevice_t, nvmlMemory_t*) = nullptr;
  const char* (*error_string)(nvmlReturn_t) = nullptr;
  // Telemetry: optional, absent entry points leave fields at zero.
  nvmlReturn_t (*pci)(nvmlDevice_t, nvmlPciInfo_t*) = nullptr;
  nvmlReturn_t (*minor)(nvmlDevice_t, unsigned int*) = nullptr;
  nvmlReturn_t (*util)(nvmlDevice_t, nvmlUtilization_t*) = nullptr;
  nvmlReturn_t (*temperature)(nvmlDevice_t, int, unsigned int*) = nullptr;
  nvmlReturn_t (*power)(nvmlDevice_t, unsigned int*) = nullptr;
  nvmlReturn_t (*power_limit)(nvmlDevice_t, unsigned int*) = nullptr;
  nvmlReturn_t (*ecc)(nvmlDevice_t, int, int, unsigned long long*) = nullptr;
  nvmlReturn_t (*retired)(nvmlDevice_t, int, unsigned int*, unsigned long long*) = nullptr;
  nvmlReturn_t (*event_set_create)(nvmlEventSet_t*) = nullptr;
  nvmlReturn_t (*register_events)(nvmlDevice_t, unsigned long long, nvmlEventSet_t) = nullptr;
  nvmlReturn_t (*event_wait)(nvmlEventSet_t, nvmlEventData_t*, unsigned int) = nullptr;
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
      nvmlPciInfo_t pci{};
      if (api_.pci && api_.pci(dev, &pci) == kNvmlSuccess) g.pci_bus_id = pci.bus_id;
      unsigned int minor = i;
      if (api_.minor && api_.minor(dev, &minor) == kNvmlSuccess) g.minor = minor;
      else g.minor = i;
      out.push_back(std::move(g));
    }
    return out;
  }

  std::vector<GpuInfo> Sample(const std::map<uint32_t, uint64_t>& owners,
                              int64_t now) override {
    if (inventory_.empty()) {
      auto inv = Inventory();
      if (inv.ok()) inventory_ = *inv;
      RegisterXidEvents();
    }
    DrainXidEvents();
    std::vector<GpuInfo> out = inventory_;
    for (auto& g : out) {
      g.telemetry = true;
      g.sampled_at = now;
      if (auto it = owners.find(g.index); it != owners.end()) g.job_id = it->second;
      if (auto it = xids_.find(g.index); it != xids_.end()) {
        g.last_xid = it->second.first;
        g.xid_count = it->second.second;
      }
      nvmlDevice_t dev;
      nvmlReturn_t rc = api_.by_index(g.index, &dev);
      nvmlMemory_t mem{};
      if (rc == kNvmlSuccess) rc = api_.memory(dev, &mem);
      if (rc != kNvmlSuccess) {
        g.health = common::FatalGpuCondition(g, false, ErrorText(rc));
        continue;
      }
      g.memory_used_mb = mem.used / (1024 * 1024);
      nvmlUtilization_t u{};
      if (api_.util && api_.util(dev, &u) == kNvmlSuccess) {
        g.gpu_util_pct = u.gpu;
        g.mem_util_pct = u.memory;
      }
      unsigned int v = 0;
      if (api_.temperature && api_.temperature(dev, 0, &v) == kNvmlSuccess)
        g.temperature_c = static_cast<int32_t>(v);
      if (api_.power && api_.power(dev, &v) == kNvmlSuccess) g.power_mw = v;
      if (api_.power_limit && api_.power_limit(dev, &v) == kNvmlSuccess)
        g.power_limit_mw = v;
      unsigned long long ecc = 0;
      // Volatile counters: errors since the last driver load.
      if (api_.ecc && api_.ecc(dev, 0, 0, &ecc) == kNvmlSuccess) g.ecc_corrected = ecc;
      if (api_.ecc && api_.ecc(dev, 1, 0, &ecc) == kNvmlSuccess) g.ecc_uncorrected = ecc;
      if (api_.retired) {
        for (int cause = 0; cause < 2; ++cause) {
          unsigned int count = 0;
          nvmlReturn_t r = api_.retired(dev, cause, &count, nullptr);
          if (r == kNvmlSuccess || r == kNvmlInsufficientSize) g.retired_pages += count;
        }
      }
      g.health = common::FatalGpuCondition(g, true, "");
    }
    return out;
  }

 private:
  std::string ErrorText(nvmlReturn_t rc) const {
    const char* t = api_.error_string ? api_.error_string(rc) : nullptr;
    return t ? t : absl::StrCat("NVML error ", rc);
  }

  // XID critical errors arrive as events; registration needs root and may
  // be unsupported, in which case XIDs simply are not reported.
  void RegisterXidEvents() {
    if (!api_.event_set_create || !api_.register_events || !api_.event_wait) return;
    if (api_.event_set_create(&events_) != kNvmlSuccess) {
      events_ = nullptr;
      return;
    }
    for (const auto& g : inventory_) {
      nvmlDevice_t dev;
      if (api_.by_index(g.index, &dev) == kNvmlSuccess &&
          api_.register_events(dev, kEventXidCritical, events_) == kNvmlSuccess)
        devices_[dev] = g.index;
    }
  }

  void DrainXidEvents() {
    if (!events_) return;
    nvmlEventData_t e{};
    while (api_.event_wait(events_, &e, 0) == kNvmlSuccess) {
      auto it = devices_.find(e.device);
      if (it == devices_.end()) continue;
      auto& x = xids_[it->second];
      x.first = static_cast<uint32_t>(e.event_data);
      ++x.second;
    }
  }

 public:
 private:
  NvmlApi api_;
  std::vector<GpuInfo> inventory_;
  nvmlEventSet_t events_ = nullptr;
  std::map<nvmlDevice_t, uint32_t> devices_;
  std::map<uint32_t, std::pair<uint32_t, uint32_t>> xids_;  // last, count
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
  Load(api.handle, "nvmlErrorString", &api.error_string);
  Load(api.handle, "nvmlDeviceGetPciInfo_v3", &api.pci);
  Load(api.handle, "nvmlDeviceGetMinorNumber", &api.minor);
  Load(api.handle, "nvmlDeviceGetUtilizationRates", &api.util);
  Load(api.handle, "nvmlDeviceGetTemperature", &api.temperature);
  Load(api.handle, "nvmlDeviceGetPowerUsage", &api.power);
  Load(api.handle, "nvmlDeviceGetEnforcedPowerLimit", &api.power_limit);
  Load(api.handle, "nvmlDeviceGetTotalEccErrors", &api.ecc);
  Load(api.handle, "nvmlDeviceGetRetiredPages", &api.retired);
  Load(api.handle, "nvmlEventSetCreate", &api.event_set_create);
  Load(api.handle, "nvmlDeviceRegisterEvents", &api.register_events);
  Load(api.handle, "nvmlEventSetWait_v2", &api.event_wait);
  if (!ok || api.init() != kNvmlSuccess) {
    dlclose(api.handle);
    return absl::UnavailableError("NVML could not be initialised");
  }
  return std::unique_ptr<GpuProbe>(new NvmlGpuProbe(api));
}

}  // namespace sluice::node
