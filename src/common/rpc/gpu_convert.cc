#include "common/rpc/gpu_convert.h"

namespace sluice::common {

void ToProto(const GpuStatus& g, ::sluice::v1::GpuDevice* p) {
  p->set_index(g.index);
  p->set_type(g.type);
  p->set_name(g.name);
  p->set_uuid(g.uuid);
  p->set_pci_bus_id(g.pci_bus_id);
  p->set_memory_total_mb(g.memory_total_mb);
  p->set_telemetry(g.telemetry);
  p->set_sampled_at(g.sampled_at);
  p->set_memory_used_mb(g.memory_used_mb);
  p->set_gpu_util_pct(g.gpu_util_pct);
  p->set_mem_util_pct(g.mem_util_pct);
  p->set_temperature_c(g.temperature_c);
  p->set_power_mw(g.power_mw);
  p->set_power_limit_mw(g.power_limit_mw);
  p->set_ecc_corrected(g.ecc_corrected);
  p->set_ecc_uncorrected(g.ecc_uncorrected);
  p->set_retired_pages(g.retired_pages);
  p->set_last_xid(g.last_xid);
  p->set_xid_count(g.xid_count);
  p->set_job_id(g.job_id);
  p->set_health(g.health);
}

GpuStatus FromProto(const ::sluice::v1::GpuDevice& p) {
  GpuStatus g;
  g.index = p.index();
  g.type = p.type();
  g.name = p.name();
  g.uuid = p.uuid();
  g.pci_bus_id = p.pci_bus_id();
  g.memory_total_mb = p.memory_total_mb();
  g.telemetry = p.telemetry();
  g.sampled_at = p.sampled_at();
  g.memory_used_mb = p.memory_used_mb();
  g.gpu_util_pct = p.gpu_util_pct();
  g.mem_util_pct = p.mem_util_pct();
  g.temperature_c = p.temperature_c();
  g.power_mw = p.power_mw();
  g.power_limit_mw = p.power_limit_mw();
  g.ecc_corrected = p.ecc_corrected();
  g.ecc_uncorrected = p.ecc_uncorrected();
  g.retired_pages = p.retired_pages();
  g.last_xid = p.last_xid();
  g.xid_count = p.xid_count();
  g.job_id = p.job_id();
  g.health = p.health();
  return g;
}

}  // namespace sluice::common
