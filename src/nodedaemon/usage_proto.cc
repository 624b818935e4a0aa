#include "nodedaemon/usage_proto.h"

namespace sluice::node {

void UsageToProto(const StepResult::Usage& u, ::sluice::v1::Usage* p) {
  if (!u.known) return;
  p->set_known(true);
  p->set_max_rss_kb(u.max_rss_kb);
  p->set_max_rss_task(u.max_rss_task);
  p->set_sum_rss_kb(u.sum_rss_kb);
  p->set_tasks(u.tasks);
  p->set_user_usec(u.user_usec);
  p->set_sys_usec(u.sys_usec);
  p->set_max_vm_kb(u.max_vm_kb);
  p->set_max_vm_task(u.max_vm_task);
  p->set_sum_vm_kb(u.sum_vm_kb);
  p->set_has_min_cpu(u.has_min_cpu);
  p->set_min_cpu_usec(u.min_cpu_usec);
  p->set_min_cpu_task(u.min_cpu_task);
  p->set_max_cpu_usec(u.max_cpu_usec);
  p->set_max_cpu_task(u.max_cpu_task);
  p->set_min_rss_kb(u.min_rss_kb);
  p->set_min_rss_task(u.min_rss_task);
  p->set_min_vm_kb(u.min_vm_kb);
  p->set_min_vm_task(u.min_vm_task);
}

}  // namespace sluice::node
