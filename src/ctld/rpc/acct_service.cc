// SluiceCtld.QueryAccounting (sacct): authenticates, narrows the scan in
// the store, filters the decoded jobs (core/accounting) and converts them.
// Runs on the gRPC thread with a store connection of its own, so a burst
// of sacct calls never waits for, nor delays, the controller's strand.
#include <ctime>

#include "common/rpc/rpc_auth.h"
#include "ctld/core/accounting.h"
#include "ctld/rpc/client_service.h"
#include "ctld/rpc/convert.h"

namespace sluice::ctld::rpc {
namespace {

void ToProto(const StepUsage& u, v1::StepUsage* p) {
  if (!u.known) return;
  p->set_known(true);
  p->set_max_rss_kb(u.max_rss_kb);
  p->set_max_rss_node(u.max_rss_node);
  p->set_max_rss_task(u.max_rss_task);
  p->set_ave_rss_kb(u.ave_rss_kb);
  p->set_max_vm_kb(u.max_vm_kb);
  p->set_max_vm_node(u.max_vm_node);
  p->set_max_vm_task(u.max_vm_task);
  p->set_ave_vm_kb(u.ave_vm_kb);
  p->set_user_usec(u.user_usec);
  p->set_sys_usec(u.sys_usec);
  p->set_tasks(u.tasks);
  if (u.has_min_cpu) {
    p->set_has_min_cpu(true);
    p->set_min_cpu_usec(u.min_cpu_usec);
    p->set_min_cpu_node(u.min_cpu_node);
    p->set_min_cpu_task(u.min_cpu_task);
    p->set_max_cpu_usec(u.max_cpu_usec);
    p->set_max_cpu_node(u.max_cpu_node);
    p->set_max_cpu_task(u.max_cpu_task);
  }
  p->set_min_rss_kb(u.min_rss_kb);
  p->set_min_rss_node(u.min_rss_node);
  p->set_min_rss_task(u.min_rss_task);
  p->set_min_vm_kb(u.min_vm_kb);
  p->set_min_vm_node(u.min_vm_node);
  p->set_min_vm_task(u.min_vm_task);
}

AcctFilter FilterFrom(const v1::AcctQueryRequest& r) {
  AcctFilter f;
  f.uids.insert(r.uids().begin(), r.uids().end());
  f.accounts.insert(r.accounts().begin(), r.accounts().end());
  f.names.insert(r.names().begin(), r.names().end());
  f.partitions.insert(r.partitions().begin(), r.partitions().end());
  f.nodes.assign(r.nodes().begin(), r.nodes().end());
  for (int s : r.states())
    if (s >= 0 && s < common::kJobStateCount) f.states.insert(static_cast<common::JobState>(s));
  f.windowed = r.windowed();
  f.start = r.start();
  f.end = r.end();
  for (const auto& j : r.jobs()) f.jobs.push_back({j.id(), j.task()});
  return f;
}

}  // namespace

grpc::Status ClientService::QueryAccounting(grpc::ServerContext* ctx,
                                            const v1::AcctQueryRequest* req,
                                            v1::AcctQueryReply* rep) {
  auto who = Admit(*ctx, "QueryAccounting", *req);
  if (!who.ok()) return common::ToGrpc(who.status());
  rep->set_now(static_cast<int64_t>(::time(nullptr)));
  if (!acct_) {
    rep->set_error("Problem talking to the database: accounting storage is not available");
    return grpc::Status::OK;
  }
  AcctFilter f = FilterFrom(*req);
  // PrivateData=jobs: a non-operator's records only, whatever was asked.
  bool own_only = false;
  runner_->RunRead([&](const Controller& c, int64_t) { own_only = c.SeesOwnOnly("jobs", *who); });
  if (own_only) f.uids = {who->uid};
  AcctScan scan;
  scan.uids.assign(f.uids.begin(), f.uids.end());
  for (const auto& j : f.jobs) scan.ids.push_back(j.id);
  scan.ended_after = f.windowed ? f.start : 0;
  auto jobs = acct_->Scan(scan);
  if (!jobs.ok()) {
    rep->set_error(std::string("Problem talking to the database: ") +
                   std::string(jobs.status().message()));
    return grpc::Status::OK;
  }
  // A job naming no memory asked for a whole node's (the largest in its
  // partition, as its pending listing shows).
  std::map<std::string, uint64_t, std::less<>> node_mem;
  std::map<std::string, uint32_t> qos_ids;  // (sacct's QOSRAW)
  runner_->RunRead([&](const Controller& c, int64_t) {
    node_mem = PartitionNodeMem(c.config());
    for (const auto& [name, q] : c.assocs().qos()) qos_ids[name] = q.id;
  });
  for (const Job& j : *jobs) {
    if (!AcctSelected(j, f)) continue;
    v1::AcctJob* a = rep->add_jobs();
    ToProto(j, a->mutable_job());
    if (auto q = qos_ids.find(j.spec.qos); q != qos_ids.end()) a->mutable_job()->set_qos_id(q->second);
    a->set_eligible_time(AcctEligible(j));
    a->set_cancelled_by(j.cancelled_by);
    a->set_submit_line(j.spec.submit_line);
    uint64_t per_node = j.spec.mem_mb;
    if (!per_node)
      if (auto m = node_mem.find(j.spec.partition.substr(0, j.spec.partition.find(',')));
          m != node_mem.end())
        per_node = m->second;
    a->set_req_mem_mb(per_node * a->job().num_nodes());
    if (!j.alloc.empty()) a->set_batch_cpus(j.alloc[0].cpus);
    ToProto(j.batch_usage, a->mutable_batch_usage());
    for (const StepRecord& s : j.step_log) {
      v1::AcctStep* p = a->add_steps();
      p->set_step_id(s.id);
      p->set_name(s.name);
      p->set_start_time(s.start_time);
      p->set_end_time(s.end_time);
      p->set_state(static_cast<v1::JobState>(s.state));
      p->set_exit_code(s.exit_code);
      p->set_exit_signal(s.exit_signal);
      p->set_node_list(s.node_list);
      p->set_nnodes(s.nnodes);
      p->set_ntasks(s.ntasks);
      p->set_ncpus(s.ncpus);
      ToProto(s.usage, p->mutable_usage());
    }
  }
  return grpc::Status::OK;
}

}  // namespace sluice::ctld::rpc
