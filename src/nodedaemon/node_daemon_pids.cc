// scontrol listpids: NodeDaemon's answer (the processes of the jobs here,
// read from /proc off the strand).
#include <unistd.h>

#include <string>
#include <vector>

#include "common/rpc/rpc_auth.h"
#include "nodedaemon/launch/job_pids.h"
#include "nodedaemon/node_daemon.h"

namespace sluice::node {
namespace v1 = ::sluice::v1;

grpc::Status NodeDaemon::ListPids(grpc::ServerContext* ctx, const v1::ListPidsRequest* req,
                                  v1::ListPidsReply* rep) {
  auto who = common::Authenticate(*ctx, *auth_, "ListPids", *req);
  if (!who.ok()) return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, std::string(who.status().message()));
  std::vector<StepdOf> stepds;
  RunOnStrand([&] { stepds = supervisor_.Stepds(req->job_id()); });
  if (req->step_id() >= 0)
    std::erase_if(stepds, [&](const StepdOf& s) { return s.step != std::to_string(req->step_id()); });
  rep->set_job_here(!stepds.empty());
  // (Read off the strand: /proc can be slow on a busy node.)
  for (const auto& p : ListJobPids(stepds)) {
    if (who->uid != 0 && who->uid != geteuid() && p.uid != who->uid) continue;
    auto* x = rep->add_pids();
    x->set_pid(static_cast<uint32_t>(p.pid));
    x->set_job_id(p.job);
    x->set_step(p.step);
    x->set_local_id(p.local_id);
    x->set_global_id(p.global_id);
  }
  return grpc::Status::OK;
}

}  // namespace sluice::node
