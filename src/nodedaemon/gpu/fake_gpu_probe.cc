#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "nodedaemon/gpu/gpu_probe.h"

namespace sluice::node {
namespace {

struct Fault {
  bool unreadable = false;
  uint32_t xid = 0;
  uint64_t ecc_uncorrected = 0, ecc_corrected = 0;
  uint32_t retired_pages = 0;
};

std::map<uint32_t, Fault> ReadFaults(const std::string& path) {
  std::map<uint32_t, Fault> out;
  if (path.empty()) return out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> w = absl::StrSplit(line, ' ', absl::SkipEmpty());
    uint32_t idx = 0;
    if (w.size() != 2 || !absl::SimpleAtoi(w[0], &idx)) continue;
    Fault& f = out[idx];
    std::vector<std::string> kv = absl::StrSplit(w[1], '=');
    uint64_t v = 0;
    if (kv[0] == "unreadable") f.unreadable = true;
    if (kv.size() != 2 || !absl::SimpleAtoi(kv[1], &v)) continue;
    if (kv[0] == "xid") f.xid = static_cast<uint32_t>(v);
    if (kv[0] == "ecc_uncorrected") f.ecc_uncorrected = v;
    if (kv[0] == "ecc_corrected") f.ecc_corrected = v;
    if (kv[0] == "retired_pages") f.retired_pages = static_cast<uint32_t>(v);
  }
  return out;
}

class FakeGpuProbe : public GpuProbe {
 public:
  FakeGpuProbe(uint32_t count, std::string type, std::string fault_file)
      : count_(count), type_(std::move(type)), fault_file_(std::move(fault_file)) {}
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
      g.minor = i;
      out.push_back(std::move(g));
    }
    return out;
  }

  std::vector<GpuInfo> Sample(const std::map<uint32_t, uint64_t>& owners,
                              int64_t now) override {
    auto gpus = *Inventory();
    auto faults = ReadFaults(fault_file_);
    for (auto& g : gpus) {
      auto own = owners.find(g.index);
      bool busy = own != owners.end();
      g.telemetry = true;
      g.sampled_at = now;
      g.job_id = busy ? own->second : 0;
      // A busy GPU looks like a training job: high, slightly varying load.
      g.gpu_util_pct = busy ? 90 + static_cast<uint32_t>((now + g.index) % 10) : 0;
      g.mem_util_pct = busy ? 35 : 0;
      g.memory_used_mb = busy ? g.memory_total_mb / 4 : 0;
      g.temperature_c = busy ? 68 : 34;
      g.power_mw = busy ? 550000 : 70000;
      g.power_limit_mw = 700000;
      Fault f;
      if (auto it = faults.find(g.index); it != faults.end()) f = it->second;
      g.ecc_uncorrected = f.ecc_uncorrected;
      g.ecc_corrected = f.ecc_corrected;
      g.retired_pages = f.retired_pages;
      if (f.xid) {
        g.last_xid = f.xid;
        g.xid_count = 1;
      }
      g.health = common::FatalGpuCondition(g, !f.unreadable, "injected fault");
    }
    return gpus;
  }

 private:
  uint32_t count_;
  std::string type_;
  std::string fault_file_;
};

}  // namespace

std::unique_ptr<GpuProbe> MakeFakeGpuProbe(uint32_t count, std::string type,
                                           std::string fault_file) {
  return std::make_unique<FakeGpuProbe>(count, std::move(type), std::move(fault_file));
}

}  // namespace sluice::node
