#include "ctld/rpc/node_service.h"

#include "common/rpc/rpc_auth.h"
#include "ctld/rpc/convert.h"

namespace sluice::ctld::rpc {

grpc::Status NodeService::NodeReport(grpc::ServerContext* ctx,
                                     const ::sluice::v1::NodeReportRequest* req,
                                     ::sluice::v1::NodeReportReply* rep) {
  auto who = common::Authenticate(*ctx, *auth_, "NodeReport", *req);
  if (!who.ok()) return common::ToGrpc(who.status());
  ::sluice::ctld::NodeReport report = FromProto(*req);
  absl::Status status;
  runner_->Run([&](Controller& c, int64_t now) {
    auto out = c.OnNodeReport(report, *who, now);
    if (!out.ok()) {
      status = out.status();
      return;
    }
    for (JobId id : out->acked) rep->add_acked_job_ids(id.value());
    for (JobId id : out->kill) rep->add_kill_job_ids(id.value());
    for (const auto& [id, cpus] : out->allocations) {
      auto* a = rep->add_allocations();
      a->set_job_id(id.value());
      a->set_cpus(cpus);
    }
  });
  return common::ToGrpc(status);
}

}  // namespace sluice::ctld::rpc
