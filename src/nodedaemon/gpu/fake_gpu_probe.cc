#include "absl/strings/str_format.h"
#include "nodedaemon/gpu/gpu_probe.h"

namespace sluice::node {
namespace {

class FakeGpuProbe : public GpuProbe {
 public:
  FakeGpuProbe(uint32_t count, std::string type)
      : count_(count), type_(std::move(type)) {}
  std::string Backend() const override { return "fake"; }
  absl::StatusOr<std::vector<GpuInfo>> Inventory() override {
    std::vector<GpuInfo> out;
    for (uint32_t i = 0; i < count_; ++i) {
      GpuInfo g;
      g.index = i;
      g.type = type_;
      g.name = type_.empty() ? "Fake GPU" : absl::StrFormat("Fake %s", type_);
      g.uuid = absl::StrFormat("GPU-fake0000-0000-0000-0000-%012d", i);
      g.pci_bus_id = absl::StrFormat("00000000:%02X:00.0", i + 1);
      g.memory_total_mb = 81559;
      out.push_back(std::move(g));
    }
    return out;
  }

 private:
  uint32_t count_;
  std::string type_;
};

}  // namespace

std::unique_ptr<GpuProbe> MakeFakeGpuProbe(uint32_t count, std::string type) {
  return std::make_unique<FakeGpuProbe>(count, std::move(type));
}

}  // namespace sluice::node
